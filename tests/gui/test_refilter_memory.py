"""Issue 15, filtering again: while a large output (beyond the views' DISPLAY_COPY_PIXELS) is
filtered again, its last output is let go of — the input, the last output and the next were held
at once, 3× the image — and the view draws a stand-in that looks as the output did; the numbers
under the cursor stay those of the output on screen. Small outputs stay whole until the next one.
(benchmarks/bench_gui_memory.py measures the whole app at 50 MP.)"""
import threading
import weakref

import numpy as np
import pytest

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest

from hovering import pixel_centre
from kernelplay.gui.playground import filter_runner
from kernelplay.gui.playground.image_view import DISPLAY_COPY_PIXELS
from kernelplay.gui.playground.playground_tab import PlaygroundTab
from kernelplay.gui.playground.step_text import pixel_text
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.preview import run_filter

LARGE = (2000, 2100)  # rows, columns: 4.2 MP
assert LARGE[0] * LARGE[1] > DISPLAY_COPY_PIXELS


class FilterGate:
    """Holds the tab's filter thread before each request while closed, so that a test sees the
    tab while its next output is being filtered; keeps a weak reference to every output made."""

    def __init__(self, monkeypatch):
        self._state = threading.Condition()
        self._closed, self._passes, self.held = False, 0, 0
        self._error: Exception | None = None
        self.outputs: list[weakref.ref] = []
        real_filter = filter_runner.run_filter

        def gated(request):
            with self._state:
                self.held += 1
                self._state.wait_for(lambda: not self._closed or self._passes)
                self.held -= 1
                self._passes = max(0, self._passes - 1)
                error, self._error = self._error, None
            if error is not None:
                raise error
            result = real_filter(request)
            self.outputs.append(weakref.ref(result.mapped.pixels))
            return result

        monkeypatch.setattr(filter_runner, "run_filter", gated)

    def close(self) -> None:
        with self._state:
            self._closed = True

    def let_one_through(self) -> None:
        with self._state:
            self._passes += 1
            self._state.notify_all()

    def open(self) -> None:
        with self._state:
            self._closed = False
            self._state.notify_all()

    def fail_next(self, error: Exception) -> None:
        with self._state:
            self._error = error


@pytest.fixture
def gate(monkeypatch):
    gate = FilterGate(monkeypatch)
    yield gate
    gate.open()  # a thread still held would hold up the tab's shutdown


@pytest.fixture
def tab(qtbot, gate):
    tab = PlaygroundTab()
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab
    gate.open()
    tab.shutdown()


def noise(shape, seed=15) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


def on_screen(view, row: int, col: int) -> tuple[int, int, int]:
    """The colour the view shows at the centre of pixel (row, col)."""
    colour = view.viewport().grab().toImage().pixelColor(pixel_centre(view, row, col))
    return colour.red(), colour.green(), colour.blue()


def point_at(view, row: int, col: int) -> tuple[int, int]:
    """Move the mouse onto the screen pixel over pixel (row, col) (coming in from a few screen
    pixels to its left); returns the pixel the view says is there (zoomed out: one of several)."""
    centre = pixel_centre(view, row, col)
    QTest.mouseMove(view.viewport(), centre - QPoint(3, 0))
    QTest.mouseMove(view.viewport(), centre)
    return view.pixel_at(QPointF(centre))  # as the view reads the mouse's position


def edit_while_held(qtbot, tab, gate, preset: str) -> None:
    """Change the kernel and wait until the filter thread holds its request."""
    gate.close()
    tab.kernel_editor.set_preset(preset)
    qtbot.waitUntil(lambda: gate.held == 1, timeout=2000)


def test_a_large_output_is_let_go_of_while_the_next_is_filtered(qtbot, tab, gate, wait_for_output):
    tab.set_image(noise(LARGE), "large", copy=False)
    last = weakref.ref(wait_for_output(tab).mapped.pixels)
    edit_while_held(qtbot, tab, gate, "emboss")
    assert last() is None, "the last output is held while the next one is filtered"
    assert tab.images.output_view.shown_pixels() is None and tab.output_pixels() is None
    assert tab.why_no_output() == "The output is being filtered again: it can be saved or copied once it shows."
    gate.open()
    result = wait_for_output(tab)
    view = tab.images.output_view
    assert view.shown_pixels() is result.mapped.pixels
    saved = tab.output_pixels()  # what Save and Copy read: the output itself, not a copy (143 MiB at 50 MP)
    assert np.shares_memory(saved, result.mapped.pixels) and not saved.flags.writeable
    np.testing.assert_array_equal(result.mapped.pixels, run_filter(result.request).mapped.pixels)
    tab.images.zoom_on(1000, 1000, 8.0)
    for row, col in ((1000, 1000), (1001, 998), (997, 1003)):
        assert on_screen(view, row, col) == tuple(result.mapped.pixels[row, col])


def test_opening_another_large_image_lets_go_of_the_last_output(qtbot, tab, gate, wait_for_output):
    tab.set_image(noise(LARGE), "first", copy=False)
    last = weakref.ref(wait_for_output(tab).mapped.pixels)
    gate.close()
    second = noise(LARGE, seed=16)
    tab.set_image(second, "second", copy=False)
    qtbot.waitUntil(lambda: gate.held == 1, timeout=2000)
    assert last() is None
    gate.open()
    assert wait_for_output(tab).request.image is second


@pytest.mark.parametrize("zoom", [None, 0.4, 8.0], ids=["fitted", "zoomed out", "zoomed in"])
def test_the_screen_and_the_numbers_stay_the_last_outputs_until_the_next_arrives(qtbot, tab, gate, wait_for_output,
                                                                                  zoom):
    tab.set_image(noise(LARGE), "large", copy=False)
    last = wait_for_output(tab)
    if zoom is not None:
        tab.images.zoom_on(1234, 567, zoom)
    view = tab.images.output_view
    before = view.viewport().grab().toImage()
    edit_while_held(qtbot, tab, gate, "emboss")
    assert view.shown_pixels() is None
    assert view.viewport().grab().toImage() == before  # screen pixel for screen pixel
    row, col = point_at(view, 1234, 567)
    sum_then, shown_then = last.raw_at(row, col), run_filter(last.request).mapped.pixels[row, col]
    del last
    qtbot.waitUntil(lambda: f"({row}, {col})" in tab.hover_label.text())
    assert f"sum {pixel_text(sum_then)}  →  out {pixel_text(shown_then)}" in tab.hover_label.text()
    explained = tab.step_panel.explanation()  # the red channel's sum, of the kernel that made the output on screen
    assert (explained.raw, explained.shown) == (pytest.approx(sum_then[0]), shown_then[0])
    assert f"of the output ({', '.join(str(v) for v in shown_then)})" in tab.step_panel.header_text()

    gate.open()
    result = wait_for_output(tab)
    assert result.request.kernel is not None and np.array_equal(result.request.kernel, PRESETS["emboss"])
    point_at(view, row, col)
    sum_now, shown_now = result.raw_at(row, col), result.mapped.pixels[row, col]
    qtbot.waitUntil(lambda: f"sum {pixel_text(sum_now)}  →  out {pixel_text(shown_now)}" in tab.hover_label.text())
    assert tab.step_panel.explanation().shown == shown_now[0]


def test_a_small_output_stays_whole_until_the_next_arrives(qtbot, tab, gate, colour_image, wait_for_output):
    tab.set_image(colour_image, "small")
    last = wait_for_output(tab)
    edit_while_held(qtbot, tab, gate, "emboss")
    assert tab.result() is last and tab.images.output_view.shown_pixels() is last.mapped.pixels
    np.testing.assert_array_equal(tab.output_pixels(), last.mapped.pixels)
    gate.open()
    result = wait_for_output(tab)
    assert tab.images.output_view.shown_pixels() is result.mapped.pixels


def test_an_outdated_large_output_stands_in_while_the_newest_is_filtered(qtbot, tab, gate, wait_for_output):
    """Kernel edits faster than the filter: an output already outdated on arrival is shown as a
    stand-in, so that it and the newest are not held together."""
    tab.set_image(noise(LARGE), "large", copy=False)
    wait_for_output(tab)
    edit_while_held(qtbot, tab, gate, "emboss")
    tab.kernel_editor.set_preset("outline")  # waits for the thread
    gate.let_one_through()
    qtbot.waitUntil(lambda: np.array_equal(tab.result().request.kernel, PRESETS["emboss"]), timeout=2000)
    qtbot.waitUntil(lambda: gate.held == 1, timeout=2000)  # "outline" is next
    assert gate.outputs[-1]() is None, "the outdated output is held while the newest one is filtered"
    assert tab.images.output_view.shown_pixels() is None
    emboss = tab.result()
    row, col = point_at(tab.images.output_view, 10, 1999)
    expected = run_filter(emboss.request).mapped.pixels[row, col]
    np.testing.assert_array_equal(emboss.pixel_at(row, col), expected)
    qtbot.waitUntil(lambda: f"({row}, {col})  in" in tab.hover_label.text())
    assert f"out {pixel_text(expected)}" in tab.hover_label.text()
    gate.open()
    result = wait_for_output(tab)
    assert np.array_equal(result.request.kernel, PRESETS["outline"])
    assert tab.images.output_view.shown_pixels() is result.mapped.pixels


def test_a_failed_filter_leaves_the_last_output_on_screen_with_its_numbers(qtbot, tab, gate, wait_for_output):
    tab.set_image(noise(LARGE), "large", copy=False)
    last = wait_for_output(tab)
    row, col = 321, 1800
    tab.pin_pixel(row, col, zoom=6.0)
    view = tab.images.output_view
    qtbot.wait(50)
    before, status = view.viewport().grab().toImage(), tab.hover_label.text()
    assert f"out {pixel_text(last.mapped.pixels[row, col])}" in status
    del last
    posted = []
    tab.message_posted.connect(posted.append)
    gate.fail_next(MemoryError("Unable to allocate 12.0 MiB"))
    tab.kernel_editor.set_preset("emboss")
    qtbot.waitUntil(lambda: bool(posted), timeout=2000)
    assert posted == ["Filtering failed: Unable to allocate 12.0 MiB"]
    assert view.viewport().grab().toImage() == before and tab.hover_label.text() == status
    assert not tab.is_up_to_date() and tab.output_pixels() is None
    assert tab.why_no_output().startswith("The last filter failed")  # what Save and Copy say
    tab.kernel_editor.set_preset("outline")
    result = wait_for_output(tab)
    assert view.shown_pixels() is result.mapped.pixels
    assert f"out {pixel_text(result.mapped.pixels[row, col])}" in tab.hover_label.text()
