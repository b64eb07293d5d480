"""Every reader over every hostile file (``hostile_files.py``), and over damaged copies of good files:
each raises its own error (a ``ValueError``) with one line naming the user's file, in well under a
second and 100 MB, and never Python's or numpy's own words."""
import gzip
import time
import tracemalloc

import numpy as np
import pytest

import hostile_files
from synthetic_digits import SMALL
from kernelplay.imaging.images import ImageLoadError, load_image
from kernelplay.imaging.kernels import PRESETS, KernelFileError, load_kernels, save_kernels
from kernelplay.nn.datasets import IdxFormatError, read_idx
from kernelplay.nn.model_file import ModelFileError
from kernelplay.nn.network import Network
from kernelplay.nn.checkpoints import CheckpointHistory
from kernelplay.nn.run_file import RunCurves, RunFileError, TrainingRun, read_run_file, write_run_file

READERS = {
    "kernel file": (load_kernels, KernelFileError),
    "model file": (Network.load, ModelFileError),
    "IDX file": (read_idx, IdxFormatError),
    "image": (load_image, ImageLoadError),
    "training run": (read_run_file, RunFileError),
}
VALID = {("image", "photo")}  # the one hostile file that is a good file for some reader
SECONDS = 1.0
MEGABYTES = 100
# Words that belong to Python, numpy or the temporary file, never to a message for the user.
FOREIGN = ("codec", "pickle", "Errno", "recursion", "digits)", "int_max_str_digits", "reshape", "ndarray", ".tmp",
           "NoneType", "object has no attribute", "not supported", "Traceback")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Each hostile file, made once: name → path."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for make in hostile_files.HOSTILE_FILES:
        (folder / make.__name__).mkdir()
        paths[make.__name__] = make(folder / make.__name__)
    return paths


def measured(read, path):
    """(what read(path) returned or raised, seconds, peak MB traced while it ran)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        outcome = read(path)
    except Exception as error:  # noqa: BLE001 - the test below says which errors are right
        outcome = error
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return outcome, seconds, peak


def assert_refused_in_a_sentence(outcome, error_class, path):
    assert isinstance(outcome, error_class), f"{type(outcome).__name__}: {outcome}"
    assert isinstance(outcome, ValueError)
    message = str(outcome)
    assert path.name in message and "\n" not in message and len(message) < 400, message
    assert not [word for word in FOREIGN if word in message], message


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", [make.__name__ for make in hostile_files.HOSTILE_FILES])
def test_every_reader_refuses_every_hostile_file_fast_and_small(hostile, reader, case):
    read, error_class = READERS[reader]
    outcome, seconds, peak = measured(read, hostile[case])
    if (reader, case) not in VALID:
        assert_refused_in_a_sentence(outcome, error_class, hostile[case])
    assert seconds < SECONDS and peak < MEGABYTES, f"{seconds:.2f} s, {peak:.0f} MB"


def test_the_hostile_model_files_differ_from_a_loadable_one_only_where_they_say(tmp_path):
    assert Network.load(hostile_files.good_model(tmp_path)).config == Network().config


@pytest.mark.parametrize(("case", "words"), [
    ("brackets", "brackets.json is not a kernel file: its brackets nest 100,000 deep"),
    ("long_integer", "long.json: kernel 'k' is unusable: a kernel's weights may be at most 1e+12 either way, "
                     "not infinity (or a number beyond 1.8e308)"),
    ("overflowing_integer", "overflow.json: kernel 'k' is unusable: a kernel's weights may be at most 1e+12"),
    ("version_string", 'version.json gives its version as "1", which is not a version number'),
    ("photo", "photo.png is not a kernel file: it is not text"),
    ("huge_sparse_file", "huge.json: it is too large (kernelplay reads at most 1,000,000 bytes of it)"),
    ("link_loop", "loop_a.png: it is a symbolic link loop"),
])
def test_what_the_kernel_file_reader_says(hostile, case, words):
    with pytest.raises(KernelFileError) as caught:
        load_kernels(hostile[case])
    assert words in str(caught.value)


@pytest.mark.parametrize(("case", "words"), [
    ("npy_as_npz", "weights.npz is not a kernelplay model file (it is not an .npz archive)"),
    ("text_as_npz", "notes.npz is not a kernelplay model file (it is not an .npz archive)"),
    ("object_array", "objects.npz: fc2.bias holds object values, not floating-point numbers"),
    ("claimed_terabytes", "terabytes.npz: fc1.weight has shape (1000000, 1000000), but the config needs (128, 1764)"),
    ("nested_config", "nested.npz has an invalid config entry: its brackets nest 5,001 deep"),
    ("zip_bomb", "bomb.npz: conv1.weight has shape (134217728,), but the config needs (16, 1, 5, 5)"),
    ("oversized_entry", "oversized.npz: the entry conv1.bias holds more than the 64 bytes its shape (16,) needs"),
    ("many_entries", "entries.npz is not a kernelplay model file (its archive lists far more entries"),
])
def test_what_the_model_file_reader_says(hostile, case, words):
    with pytest.raises(ModelFileError) as caught:
        Network.load(hostile[case])
    assert words in str(caught.value)


@pytest.mark.parametrize(("case", "words"), [
    ("idx_bomb", "its header says shape (685000, 28, 28) (537,040,000 bytes of data), more than the 268,435,456"),
    ("idx_tail_bomb", "train-labels-idx1-ubyte.gz is longer than its header says (shape (10,), 10 bytes of data)"),
    ("idx_wrapping_shape", "its header says shape (65536, 65536, 65536, 65536) (18,446,744,073,709,551,616 bytes"),
])
def test_what_the_idx_reader_says(hostile, case, words):
    with pytest.raises(IdxFormatError) as caught:
        read_idx(hostile[case])
    assert words in str(caught.value)


def test_a_symbolic_link_loop_is_called_one(hostile):
    with pytest.raises(ImageLoadError, match=r"loop_a.png: it is a symbolic link loop \(following its links never"):
        load_image(hostile["link_loop"])


# --- damaged copies of good files ----------------------------------------------------------


def damaged_copies(data: bytes, count: int, seed: int):
    """``count`` damaged copies of ``data``: bytes overwritten, cut short, or doubled in the middle."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        copy = bytearray(data)
        kind = rng.integers(3)
        if kind == 0:
            for position in rng.integers(0, len(copy), rng.integers(1, 9)):
                copy[position] = rng.integers(256)
        elif kind == 1:
            del copy[rng.integers(len(copy)):]
        else:
            middle = int(rng.integers(len(copy)))
            copy[middle:middle] = copy[middle: middle + int(rng.integers(1, 64))]
        yield bytes(copy)


def good_files(folder):
    """One good file for each reader that parses bytes itself: reader → (path, bytes)."""
    save_kernels(folder / "good.json", {"blur": PRESETS["blur"], "mine": np.arange(25.0).reshape(5, 5)})
    Network().save(folder / "good.npz")
    (folder / "good-idx3-ubyte.gz").write_bytes(gzip.compress(bytes([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 28, 0, 0, 0, 28])
                                                              + bytes(range(256)) * 12 + bytes(64)))
    network = Network(SMALL)
    history = CheckpointHistory(network.config)
    history.add(0, 0, network.flat_params)
    history.add(5, 320, network.flat_params + 1)
    write_run_file(folder / "good-run.npz", TrainingRun(history, RunCurves.empty()))
    return {"kernel file": folder / "good.json", "model file": folder / "good.npz",
            "IDX file": folder / "good-idx3-ubyte.gz", "training run": folder / "good-run.npz"}


@pytest.mark.parametrize("reader", ["kernel file", "model file", "IDX file", "training run"])
def test_damaged_copies_of_a_good_file_load_or_are_refused_in_a_sentence(tmp_path, reader):
    read, error_class = READERS[reader]
    good = good_files(tmp_path)[reader]
    read(good)
    path = tmp_path / f"damaged{good.suffix}"
    for data in damaged_copies(good.read_bytes(), 150, seed=len(reader)):
        path.write_bytes(data)
        outcome, seconds, peak = measured(read, path)
        if isinstance(outcome, BaseException):
            assert_refused_in_a_sentence(outcome, error_class, path)
        assert seconds < SECONDS and peak < MEGABYTES

