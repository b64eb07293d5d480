"""The wheel carries the assets, and an installed (non-editable) kernelplay finds them."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_assets_and_finds_them_when_installed(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("kernelplay-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("kernelplay/assets/data/mnist-train-12k.npz", "kernelplay/assets/images/camera.png",
                 "kernelplay/assets/icons/kernelplay.png"):
        assert name in names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)

    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    probe = subprocess.run(
        [sys.executable, "-c", "import kernelplay.common.resources as r; print(r.assets_dir()); print(len(r.sample_images()))"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": ""},
    )
    assert probe.returncode == 0, probe.stderr
    folder, count = probe.stdout.split()
    assert Path(folder) == target / "kernelplay" / "assets" and int(count) >= 4
    # every module of the installed core is there and imports (subpackages included)
    core = subprocess.run(
        [sys.executable, "-c", "import importlib, pkgutil, kernelplay\n"
         "names = [m.name for m in pkgutil.walk_packages(kernelplay.__path__, 'kernelplay.') if '.gui' not in m.name]\n"
         "[importlib.import_module(n) for n in names]\n"
         "print(kernelplay.__file__, len(names), kernelplay.Network().forward(kernelplay.load_digits().heldout.as_float()[:2]).shape)"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": ""},
    )
    assert core.returncode == 0, core.stderr
    location, modules, shape = core.stdout.split(maxsplit=2)
    assert Path(location).is_relative_to(target) and int(modules) >= 30 and shape.strip() == "(2, 10)"
