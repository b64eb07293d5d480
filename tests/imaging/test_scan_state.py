"""The sliding window's state without Qt: one restart per real change, stepping, the default digit,
and no work until something asks for it."""
import numpy as np
import pytest

from lecture_example import EMBOSS_PATCH
import kernelplay.imaging.scan as scan_module
import kernelplay.imaging.scan_state as state_module
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.mapping import map_output
from kernelplay.imaging.scan import default_scan_image, strided_output
from kernelplay.imaging.scan_state import EMPTY, ScanState


@pytest.fixture
def image():
    """9×9 grey: the −106 emboss example in the middle of a mid-grey field."""
    return np.pad(EMBOSS_PATCH, 3, constant_values=100)


@pytest.fixture
def colour():
    rows, cols = np.mgrid[0:6, 0:8]
    return np.stack([rows * 40, cols * 30, (rows * 7 + cols * 11) % 256], axis=-1).astype(np.uint8)


def counting(monkeypatch, module, name):
    """Replace ``module.name`` by a wrapper that counts its calls; returns the list of calls."""
    calls = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def expected(image, kernel, border="zero", mapping="clamp", stride=1, flip=False):
    raw = strided_output(apply_kernel(image, kernel, border=border, flip=flip), stride)
    return map_output(raw, mapping).pixels.astype(np.int16)


def test_a_real_change_restarts_the_scan_once(monkeypatch, image):
    state = ScanState(image=image)
    for _ in range(3):
        state.step()
    layouts = counting(monkeypatch, state_module, "scan_positions")
    assert state.configure(kernel=PRESETS["sharpen"], border="wrap", mapping="offset", flip=True, stride=2)
    assert state.revision == 1
    assert state.done == 0 and state.current_position() is None
    assert (state.output() == EMPTY).all() and state.output().shape == (5, 5)
    state.finish()
    np.testing.assert_array_equal(state.output(), expected(image, PRESETS["sharpen"], "wrap", "offset", 2, True))
    assert len(layouts) == 1  # five settings, one restart


def test_an_unchanged_setting_does_not_restart(image):
    state = ScanState(image=image, kernel=PRESETS["emboss"])
    for _ in range(3):
        state.step()
    output = state.output()
    same = dict(image=image.copy(), kernel=np.array(PRESETS["emboss"]), border="zero", mapping="clamp", flip=0,
                stride=1, channel=None)
    assert not state.configure(**same)
    assert not state.configure(channel="luminance")  # a grey image has no channel to choose
    assert state.settings.channel == "luminance"  # recorded all the same
    assert state.revision == 0 and state.done == 3
    np.testing.assert_array_equal(state.output(), output)


def test_a_failed_configure_changes_nothing(image):
    state = ScanState(image=image)
    state.step()
    with pytest.raises(ValueError, match="unknown border mode"):
        state.configure(kernel=PRESETS["blur"], border="mirror")
    with pytest.raises(TypeError, match="unknown scan setting"):
        state.configure(size=5)
    for bad in (dict(stride=3), dict(channel="X"), dict(kernel=np.ones((2, 2))), dict(mapping="log")):
        with pytest.raises(ValueError):
            state.configure(**bad)
    np.testing.assert_array_equal(state.settings.kernel, PRESETS["emboss"])
    assert state.settings.border == "zero" and state.done == 1 and state.revision == 0


@pytest.mark.parametrize("border", ["zero", "replicate", "reflect", "wrap", "valid"])
@pytest.mark.parametrize("mapping", ["clamp", "abs", "offset", "stretch"])
def test_stepping_fills_the_output_with_apply_kernels_values(image, border, mapping):
    state = ScanState(image=image, kernel=PRESETS["emboss"], border=border, mapping=mapping)
    if mapping == "stretch":
        raw = apply_kernel(image, PRESETS["emboss"], border=border)
        assert state.value_range() == (float(raw.min()), float(raw.max()))
    whole = expected(image, PRESETS["emboss"], border, mapping).reshape(-1)
    for _ in range(11):
        assert state.step()
    output = state.output().reshape(-1)
    np.testing.assert_array_equal(output[:11], whole[:11])
    assert (output[11:] == EMPTY).all()
    assert state.back() and state.done == 10 and state.output().reshape(-1)[10] == EMPTY
    assert state.explanation().shown == whole[9]
    assert state.finish() and state.is_finished() and not state.step()
    np.testing.assert_array_equal(state.output().reshape(-1), whole)
    state.rewind()
    assert state.done == 0 and (state.output() == EMPTY).all() and state.explanation() is None


def test_the_window_walks_in_reading_order_and_explains_each_position(image):
    state = ScanState(image=image)
    state.seek(4 * 9 + 5)
    assert state.current_position() == (4, 4) and state.current_output_cell() == (4, 4)
    assert state.explanation().raw == -106 and state.output()[4, 4] == 0  # −106 clamps to 0
    assert state.position_index(4, 4) == 4 * 9 + 4
    assert state.status_text() == "position 41 of 81: window centred on (row 4, col 4) → output (row 4, col 4)"
    assert not state.seek(41) and state.done == 41  # already there
    assert state.seek(10_000) and state.done == 81
    assert state.seek(-5) and state.done == 0
    assert state.status_text() == "81 positions: press Play or Step"


@pytest.mark.parametrize(("border", "shape", "first", "formula"), [
    ("zero", (5, 5), (0, 0), "⌊(9 + 2·1 − 3) / 2⌋ + 1 = 5"),
    ("valid", (4, 4), (1, 1), "⌊(9 + 2·0 − 3) / 2⌋ + 1 = 4"),
])
def test_stride_two_sizes(image, border, shape, first, formula):
    state = ScanState(image=image, border=border, stride=2)
    assert state.output_shape() == shape and state.position_count() == shape[0] * shape[1]
    assert state.positions()[:2] == (first, (first[0], first[1] + 2))
    assert state.size_formulas() == (formula, None)
    state.finish()
    np.testing.assert_array_equal(state.output(), expected(image, PRESETS["emboss"], border, stride=2))


def test_a_colour_image_scans_one_channel(colour):
    state = ScanState(image=colour, channel="G", flip=True)
    assert state.input_caption() == "input 8×6 · channel G + padding ring (zero)"
    assert state.size_formulas() == ("(6 + 2·1 − 3) / 1 + 1 = 6", "(8 + 2·1 − 3) / 1 + 1 = 8")
    state.finish()
    np.testing.assert_array_equal(state.output(), expected(colour[..., 1], PRESETS["emboss"], flip=True))
    assert state.explanation().channel == "G"
    assert state.configure(channel=None)  # a colour image's channel is a real change: luminance
    assert state.input_caption() == "input 8×6 · luminance + padding ring (zero)"


def test_the_default_digit_is_read_from_disk_once(monkeypatch):
    default_scan_image.cache_clear()
    loads = counting(monkeypatch, scan_module, "load_image")
    try:
        digits = [default_scan_image() for _ in range(3)]
        states = [ScanState(), ScanState()]
        assert not states[0].configure(image=default_scan_image())
        assert len(loads) == 1
        assert all(digit is digits[0] for digit in digits)
        assert digits[0].shape == (28, 28) and not digits[0].flags.writeable
        with pytest.raises(ValueError):
            digits[0][0, 0] = 1  # read-only: nobody can spoil the cached copy
    finally:
        default_scan_image.cache_clear()


def test_an_image_handed_in_again_is_not_fitted_again(monkeypatch):
    photo = np.zeros((300, 400, 3), dtype=np.uint8)
    fits = counting(monkeypatch, state_module, "fit_for_scan")
    state = ScanState(image=photo)
    assert state.settings.image.shape == (48, 64, 3)
    assert not state.configure(image=photo, border="zero")
    assert len(fits) == 1


def test_no_work_until_something_asks(monkeypatch, image):
    filters = counting(monkeypatch, state_module, "apply_kernel")
    explanations = counting(monkeypatch, state_module, "explain_pixel")
    state = ScanState(image=image, mapping="stretch")
    for value in range(1, 6):
        kernel = np.array(PRESETS["emboss"])
        kernel[0, 0] = value
        assert state.configure(kernel=kernel)  # a keystroke each
    assert (len(filters), len(explanations)) == (0, 0)
    assert state.output_shape() == (9, 9)  # asking works the scan out: one filter pass, for the range
    assert (len(filters), len(explanations)) == (1, 0)
    state.step()
    assert (len(filters), len(explanations)) == (1, 1)
