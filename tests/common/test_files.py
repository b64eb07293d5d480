"""Files a user names: the one atomic write (complete files or none, the umask's permissions, a
sentence naming the user's path when it fails), the bounded read, and JSON from outside."""
import errno
import os
import stat

import numpy as np
import pytest

from kernelplay import Network, save_image, save_kernels
from kernelplay.common.files import (MAX_JSON_DEPTH, FileSaveError, parse_json, read_user_file, save_failure,
                                     write_atomically)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    """Sets the process's umask for one test (returns a setter) and puts the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_a_new_file_is_complete_and_gets_the_permissions_the_umask_gives(tmp_path, umask, mask):
    umask(mask)
    path = write_atomically(tmp_path / "out.bin", lambda stream: stream.write(b"abc"))
    assert path.read_bytes() == b"abc"
    assert mode(path) == 0o666 & ~mask  # as any program's new file; mkstemp's 0o600 hid models from others
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
    assert mode(calls[0]) == 0o666 & ~current_umask()  # models came out 0600 when they had their own copy of this


# --- failures name the user's path, never the temporary file -------------------------------


def test_saving_into_a_missing_folder_says_so(tmp_path):
    folder = tmp_path / "x" / "y"
    with pytest.raises(FileSaveError) as caught:
        save_kernels(folder / "k.json", {"k": np.eye(3)})
    assert str(caught.value) == f"cannot save k.json: the folder {folder} does not exist"
    assert isinstance(caught.value, OSError)  # FileNotFoundError escaped, naming .k.json.zfl3yk49.tmp


def test_saving_under_a_file_or_over_a_folder_says_so(tmp_path):
    (tmp_path / "notes").write_text("a file, not a folder")
    with pytest.raises(FileSaveError, match=f"^cannot save k.json: {tmp_path / 'notes'} is not a folder$"):
        write_atomically(tmp_path / "notes" / "k.json", lambda stream: stream.write(b"{}"))
    (tmp_path / "k.json").mkdir()
    with pytest.raises(FileSaveError, match=f"^cannot save k.json: {tmp_path / 'k.json'} is a folder$"):
        write_atomically(tmp_path / "k.json", lambda stream: stream.write(b"{}"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.json", "notes"]


def test_a_full_disk_while_writing_is_a_sentence_and_leaves_no_temporary(tmp_path):
    def full(stream):
        raise OSError(errno.ENOSPC, "No space left on device", stream.name)

    with pytest.raises(FileSaveError) as caught:
        write_atomically(tmp_path / "model.npz", full)
    assert str(caught.value) == "cannot save model.npz: the disk is full"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_is_one_sentence_naming_the_file_and_the_reason_once(tmp_path):
    folder = tmp_path / "x"
    with pytest.raises(FileSaveError) as caught:
        write_atomically(folder / "c.csv", lambda stream: stream.write(b""))
    assert save_failure(folder / "c.csv", caught.value) == f"Cannot save c.csv: the folder {folder} does not exist."
    assert save_failure("/a/b.png", ValueError("could not encode the 3×3 image as PNG")) == \
        "Cannot save b.png: could not encode the 3×3 image as PNG."
    assert save_failure("b.png", OSError(errno.EIO, "Input/output error")) == "Cannot save b.png: Input/output error."
    assert save_failure("/a/o.xyz", ValueError("cannot save as '.xyz': use one of .png")) == \
        "Cannot save o.xyz as '.xyz': use one of .png."


def test_an_error_that_is_not_the_file_systems_passes_through(tmp_path):
    def refuse(stream):
        raise OSError("cannot write mode P as JPEG")  # what Pillow raises: no errno

    with pytest.raises(OSError, match="^cannot write mode P as JPEG$"):
        write_atomically(tmp_path / "a.jpg", refuse)
    assert list(tmp_path.iterdir()) == []


# --- reading a user's file -----------------------------------------------------------------


def test_reading_is_bounded_and_every_refusal_names_the_file(tmp_path):
    (tmp_path / "small.txt").write_bytes(b"12345")
    assert read_user_file(tmp_path / "small.txt", "note", ValueError, 5) == b"12345"
    with pytest.raises(ValueError, match=r"^cannot read note .*small.txt: it is too large \(kernelplay reads at most 4 bytes"):
        read_user_file(tmp_path / "small.txt", "note", ValueError, 4)
    with pytest.raises(ValueError, match=r"^cannot read note .*none.txt: there is no such file$"):
        read_user_file(tmp_path / "none.txt", "note", ValueError, 4)
    with pytest.raises(ValueError, match=r"^cannot read note .*: it is a folder$"):
        read_user_file(tmp_path, "note", ValueError, 4)
    with pytest.raises(ValueError, match=r"^cannot read note .*small.txt/x: there is no such file \(part of that path"):
        read_user_file(tmp_path / "small.txt" / "x", "note", ValueError, 4)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX (os.mkfifo)")
def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match=r"^cannot read kernel file .*pipe: it is a pipe or a device, not a file$"):
        read_user_file(tmp_path / "pipe", "kernel file", ValueError, 1000)


# --- JSON from outside ---------------------------------------------------------------------


def test_json_nesting_is_limited_before_parsing_and_brackets_in_strings_do_not_count():
    deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(deep) == parse_json(deep)  # exactly the limit parses
    with pytest.raises(ValueError, match=f"^its brackets nest {MAX_JSON_DEPTH + 1} deep, and kernelplay reads at most"):
        parse_json("[" + deep + "]")
    with pytest.raises(ValueError, match="^its brackets nest 50,000 deep"):
        parse_json("[" * 50_000)  # RecursionError before
    assert parse_json('{"name [[[[[[[[[[[[[[[[[[[[": "\\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {
        "name " + "[" * 20: '" ' + "[" * 29}


def test_json_numbers_too_long_for_python_become_floats_and_nan_is_left_to_the_caller():
    assert parse_json("[" + "7" * 5_000 + "]") == [float("inf")]  # ValueError (4,300 digits) before
    assert parse_json("1" + "0" * 25) == 1e25
    assert parse_json("-12345678901234567890") == -12345678901234567890  # 20 digits: still an exact int
    assert np.isnan(parse_json("[NaN]")[0])


@pytest.mark.parametrize(("text", "clause"), [
    (b"\x89PNG\r\n\x1a\n", "it is not text"),
    ("{not json", "it is not valid JSON (Expecting property name enclosed in double quotes on line 1)"),
    ("", "it is not valid JSON (Expecting value on line 1)"),
])
def test_json_that_cannot_be_read_is_a_clause(text, clause):
    with pytest.raises(ValueError) as caught:
        parse_json(text)
    assert str(caught.value) == clause
