"""What ``pip install kernelplay-*.whl`` (or pipx) gets: ``python -m build`` makes an sdist and a wheel
from it; the wheel carries the assets, installed (non-editable) it finds them, and in a fresh
virtual environment it installs with its declared dependencies, answers ``kernelplay --help``,
opens its window offscreen and trains in its own process.

The fresh environment sees this one's site-packages through a .pth file, so the dependencies are
found installed (``--no-index``: nothing is downloaded) while kernelplay itself comes from the
wheel; a .pth file only adds a folder to the path, so the editable install of this checkout that
lives there is not seen."""
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ("kernelplay/assets/data/mnist-train-12k.npz", "kernelplay/assets/images/camera.png",
          "kernelplay/assets/icons/kernelplay.png", "kernelplay/assets/README.md")


def clean_env(**extra) -> dict:
    """This environment without what would import kernelplay from the checkout instead."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """``python -m build`` of this checkout: the sdist, and the wheel built from it."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300, env=clean_env())
    assert built.returncode == 0, (built.stdout + built.stderr)[-3000:] + "\n(pip install -e '.[test]' brings 'build')"
    return next(out.glob("kernelplay-*.tar.gz")), next(out.glob("kernelplay-*.whl"))


def test_the_sdist_carries_the_sources_and_assets_the_wheel_is_built_from(dist):
    sdist, _ = dist
    names = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "kernelplay/__main__.py", "assets/data/mnist-train-12k.npz"} <= names
    assert not any(part in name.split("/") for name in names for part in (".venv", "__pycache__"))


def test_wheel_ships_assets_and_finds_them_when_installed(dist, tmp_path):
    _, wheel = dist
    names = zipfile.ZipFile(wheel).namelist()
    for name in ASSETS:
        assert name in names
    assert not any(name.startswith(("tests/", "benchmarks/")) or "screenshot" in name or name.endswith(".pyc")
                   for name in names)

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


WINDOW_CHECK = r"""
import sys, time
from PySide6.QtWidgets import QApplication
import kernelplay
from kernelplay.gui.main_window import MainWindow

app = QApplication([])
window = MainWindow()
window.show()
tab = window.training  # pyqtgraph, the bundled digits, and a spawned training process
end = time.monotonic() + 60
while tab.latest_snapshot() is None and time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
print(kernelplay.__file__, window.playground.image_name(), tab.latest_snapshot() is not None, sep="\n")
window.close()
"""


def test_the_wheel_installs_into_a_fresh_environment_and_starts(dist, tmp_path):
    _, wheel = dist
    fresh = tmp_path / "fresh venv"  # a space in the path, as on many students' laptops
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True, timeout=120)
    python = fresh / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "this-environments-packages.pth").write_text("\n".join(sorted(here)) + "\n")

    # the wheel alone (its dependencies are this environment's), then pip check: every dependency
    # it declares is installed in a version it accepts
    installed = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--force-reinstall", "--no-deps",
                                str(wheel)], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=clean_env())
    assert installed.returncode == 0, installed.stderr[-2000:]
    checked = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True, timeout=120,
                             cwd=tmp_path, env=clean_env())
    assert not re.search(r"^kernelplay ", checked.stdout, re.MULTILINE), checked.stdout

    script = fresh / ("Scripts/kernelplay.exe" if sys.platform == "win32" else "bin/kernelplay")
    helped = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                            env=clean_env())
    assert helped.returncode == 0 and helped.stdout.startswith("usage: kernelplay"), helped.stderr
    gui = clean_env(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    started = subprocess.run([str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                             env={**gui, "KERNELPLAY_STARTUP_PROBE": "1"})
    assert started.returncode == 0 and "startup loop=" in started.stdout, started.stderr[-2000:]
    trained = subprocess.run([str(python), "-c", WINDOW_CHECK], capture_output=True, text=True, timeout=180,
                             cwd=tmp_path, env=gui)
    assert trained.returncode == 0, trained.stderr[-2000:]
    location, image, snapshot = trained.stdout.splitlines()[-3:]
    assert Path(location).is_relative_to(fresh) and image == "camera" and snapshot == "True"
