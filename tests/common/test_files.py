"""The one atomic write: complete files or none, readable permissions, used by every saver."""
import os
import stat

import numpy as np
import pytest

from kernelplay import Network, save_image, save_kernels
from kernelplay.common.files import write_atomically


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_is_complete_and_readable_by_others(tmp_path):
    path = write_atomically(tmp_path / "out.bin", lambda stream: stream.write(b"abc"))
    assert path.read_bytes() == b"abc"
    assert mode(path) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]  # no temporary left behind


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o600)
    write_atomically(path, lambda stream: stream.write(b"new"))
    assert path.read_bytes() == b"new" and mode(path) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.bin"
    path.write_bytes(b"old")

    def fail(stream):
        stream.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(path, fail)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@pytest.mark.parametrize("save", [
    lambda path: Network().save(path.with_suffix(".npz")),
    lambda path: save_image(path.with_suffix(".png"), np.zeros((2, 2), np.uint8)),
    lambda path: save_kernels(path.with_suffix(".json"), {"k": np.eye(3)}),
])
def test_every_saver_writes_through_it(tmp_path, monkeypatch, save):
    import kernelplay.common.files as files

    calls = []
    original = files.write_atomically
    monkeypatch.setattr(files, "write_atomically", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    for module in ("kernelplay.imaging.images", "kernelplay.imaging.kernels", "kernelplay.nn.model_file"):
        monkeypatch.setattr(f"{module}.write_atomically", files.write_atomically)
    save(tmp_path / "file")
    assert len(calls) == 1
    assert mode(calls[0]) == 0o644  # models came out 0600 when they had their own copy of this
