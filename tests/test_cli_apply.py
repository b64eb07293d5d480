"""``kernelplay apply``: filtering from the command line."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kernelplay.__main__ import main
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.mapping import map_output
from kernelplay.imaging.images import load_image, luminance
from kernelplay.imaging.kernels import PRESETS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def photo(tmp_path):
    pixels = np.random.default_rng(30).integers(0, 256, (12, 16, 3), dtype=np.uint8)
    path = tmp_path / "in.png"
    Image.fromarray(pixels).save(path)
    return path, pixels


def test_apply_a_preset(photo, tmp_path, capsys):
    path, pixels = photo
    out = tmp_path / "out.png"
    assert main(["apply", str(path), str(out), "--kernel", "emboss", "--border", "reflect"]) == 0
    expected = map_output(apply_kernel(pixels, PRESETS["emboss"], border="reflect"), "clamp")
    np.testing.assert_array_equal(load_image(out), expected.pixels)
    line = capsys.readouterr().out.strip()
    assert "16×12 RGB" in line and "kernel emboss" in line and "border reflect" in line
    assert f"clipped {expected.clipped_low:,} below 0 and {expected.clipped_high:,} above 255" in line


def test_apply_typed_kernel_luminance_flip_and_mapping(photo, tmp_path, capsys):
    path, pixels = photo
    out = tmp_path / "out.bmp"
    kernel = "1,0,0; 0,0,0; 0,0,-1"
    assert main(["apply", str(path), str(out), "--kernel", kernel, "--luminance", "--flip", "--output", "offset",
                 "--border", "valid"]) == 0
    weights = np.array([[1, 0, 0], [0, 0, 0], [0, 0, -1]], dtype=float)
    expected = map_output(apply_kernel(luminance(pixels), weights, border="valid", flip=True), "offset").pixels
    result = load_image(out)
    assert result.shape == (10, 14)
    np.testing.assert_array_equal(result, expected)
    assert "custom 3×3, flipped" in capsys.readouterr().out


def test_kernel_starting_with_a_minus_sign(photo, tmp_path):
    path, pixels = photo
    out = tmp_path / "out.png"
    assert main(["apply", str(path), str(out), "--kernel=-1,-1,-1;-1,8,-1;-1,-1,-1"]) == 0
    np.testing.assert_array_equal(load_image(out), map_output(apply_kernel(pixels, PRESETS["outline"]), "clamp").pixels)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kernel", "gausian"], "unknown kernel 'gausian'; known kernels: 'identity', 'blur'"),
        (["--kernel", "1,2,1;2,4,2"], "bad kernel '1,2,1;2,4,2': a kernel needs 3 or 5 rows"),
        (["--kernel", "1,2,1;2,y,2;1,2,1"], "row 2, column 2: 'y' is not a number"),
        (["--kernel", "blur", "--border", "mirror"], "unknown border mode 'mirror'"),
        (["--kernel", "blur", "--output", "log"], "unknown output mapping 'log'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(photo, tmp_path, capsys, arguments, message):
    path, _ = photo
    out = tmp_path / "out.png"
    assert main(["apply", str(path), str(out), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unreadable_image_and_bad_output_name(tmp_path, capsys):
    (tmp_path / "notes.png").write_text("hello")
    assert main(["apply", str(tmp_path / "notes.png"), str(tmp_path / "o.png"), "--kernel", "blur"]) == 2
    assert "notes.png is not an image" in capsys.readouterr().err
    assert main(["apply", str(tmp_path / "missing.png"), str(tmp_path / "o.png"), "--kernel", "blur"]) == 2
    assert "missing.png: there is no such file." in capsys.readouterr().err
    Image.new("L", (4, 4)).save(tmp_path / "ok.png")
    assert main(["apply", str(tmp_path / "ok.png"), str(tmp_path / "o.gif"), "--kernel", "blur"]) == 2
    assert ".png, .jpg, .jpeg, .bmp" in capsys.readouterr().err
    assert main(["apply", str(tmp_path / "ok.png"), str(tmp_path / "o.png"), "--kernel", "gaussian 5x5",
                 "--border", "valid"]) == 2
    assert "smaller than the 5×5 kernel" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.png", "ok.png"]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need a privilege on Windows")
def test_files_that_cannot_be_read_or_written_are_one_line_and_exit_2(photo, tmp_path, capsys):
    path, _ = photo
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    for arguments, message in [
        ([str(tmp_path / "loop.png"), str(tmp_path / "o.png")], f"Cannot read image file {tmp_path / 'loop.png'}: "
                                                                "it is a symbolic link loop"),
        ([str(path), str(tmp_path / "x" / "o.png")], f"cannot save o.png: the folder {tmp_path / 'x'} does not exist"),
        ([str(path), str(path / "o.png")], f"cannot save o.png: {path} is not a folder"),
    ]:
        assert main(["apply", *arguments, "--kernel", "blur"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"kernelplay apply: error: {message}") and err.count("\n") == 1, err
        assert ".tmp" not in err and "Errno" not in err


def test_python_dash_m_kernelplay_apply(photo, tmp_path):
    path, pixels = photo
    out = tmp_path / "out.png"
    completed = subprocess.run(
        [sys.executable, "-m", "kernelplay", "apply", str(path), str(out), "--kernel", "top sobel", "--output", "abs"],
        cwd=REPO, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    assert "kernel top sobel" in completed.stdout
    expected = map_output(apply_kernel(pixels, PRESETS["top sobel"]), "abs").pixels
    np.testing.assert_array_equal(load_image(out), expected)
    failed = subprocess.run(
        [sys.executable, "-m", "kernelplay", "apply", str(path), str(out), "--kernel", "nope"],
        cwd=REPO, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert failed.returncode == 2 and "unknown kernel 'nope'" in failed.stderr
