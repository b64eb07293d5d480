"""The mouse wheel over the CNN tab's plots and controls while the pages scroll (presentation mode, or a screen
too small for the window: window_fit.PageScroll): it scrolls the page, it does not zoom the plot or
stop on it. The plots' mouse interaction is off (curves.py, scores.py, the kernels' and maps' view
boxes), so their ViewBoxes ignore the wheel and Qt hands it on to the scroll area. A spin box,
combo box, slider or kernel cell there takes the wheel only once it has the focus (wheel_guard.py):
scrolling down the page must not change the learning rate, the batch size, the step on show or a
weight under the pointer, nor a control made after the pages went into the scroll area.

The wheel is a real one (QTest.wheelEvent on the window: spontaneous, as from a mouse). A wheel event
made in the test and sent to a widget is not spontaneous, and Qt never passes such an event on to the
widget's parents (QApplication::notify): the page would never scroll, under any code.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea

from settling import settle, show_on_cnn_tab

NOTCH = 120  # angle delta of one notch of a mouse wheel (1/8 degree)


@pytest.fixture
def window(qtbot, monkeypatch):
    from kernelplay.gui import main_window
    from kernelplay.gui.training.training_tab import TrainingTab
    from synthetic_digits import SMALL, bar_digits

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab", staticmethod(
        lambda: TrainingTab(data=bar_digits(), config=SMALL, backend="thread", threads=1, snapshot_interval=0.02)))
    window = main_window.MainWindow()
    window.resize(1024, 700)
    show_on_cnn_tab(qtbot, window)
    yield window
    window.training.shutdown()
    window.close()


def _views(window) -> dict:
    """The CNN tab's pyqtgraph views on show, by name."""
    training = window.training
    from kernelplay.gui.training.curves import TrainingCurves
    from kernelplay.gui.training.feature_maps import FeatureMaps
    from kernelplay.gui.training.filter_grid import FilterGrid
    from kernelplay.gui.training.scores import ScoresView

    curves = training.findChild(TrainingCurves)
    views = {"loss curves": curves.loss_plot, "accuracy curves": curves.accuracy_plot,
             "class scores": training.findChild(ScoresView), "learned kernels": training.findChild(FilterGrid),
             "feature maps": training.findChild(FeatureMaps)}
    return {name: view for name, view in views.items() if view is not None and view.isVisible()}


def _ranges(view) -> list:
    """The view ranges of every view box in ``view``'s scene (what a wheel zoom would change)."""
    import pyqtgraph as pg

    return [item.viewRange() for item in view.scene().items() if isinstance(item, pg.ViewBox)]


def _turn_wheel(window, view, notches: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A real wheel turned ``notches`` (negative: towards the user, the page goes down) over the
    middle of ``view``'s visible part."""
    viewport = view.viewport() if hasattr(view, "viewport") else view
    shown = viewport.visibleRegion().boundingRect()
    assert not shown.isEmpty(), "the view is off the page's visible part"
    position = viewport.mapTo(window, shown.center())
    hit = window.childAt(position)
    assert hit is viewport or viewport.isAncestorOf(hit), hit
    native = QPointF(position) * window.windowHandle().devicePixelRatio()  # QTest hands it on in device px
    QTest.wheelEvent(window.windowHandle(), native, QPoint(0, notches * NOTCH), QPoint(0, 0), modifiers)
    QApplication.processEvents()


def _presenting(window) -> QScrollArea:
    """Presentation mode at 200 %, settled: the scroll area the pages are in."""
    presentation = window.classroom.presentation
    presentation.set_scale(200)
    presentation.set_active(True)
    settle(QApplication.instance(), window)
    return window.centralWidget()


def test_the_wheel_over_the_plots_scrolls_the_page_in_presentation_mode(qtbot, window):
    area = _presenting(window)
    assert isinstance(area, QScrollArea)
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0, "the CNN tab at 200 % should scroll"
    views = _views(window)
    assert {"loss curves", "accuracy curves"} <= set(views)
    for name, view in views.items():
        for modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier):
            area.ensureWidgetVisible(view, 0, 0)
            QApplication.processEvents()
            before, ranges = bar.value(), _ranges(view)
            down = before < bar.maximum()  # down while it can, else up
            _turn_wheel(window, view, -1 if down else 1, modifiers)
            assert (bar.value() > before) if down else (bar.value() < before), (name, modifiers, before, bar.value())
            assert _ranges(view) == ranges, (name, modifiers)


def test_the_wheel_over_the_plots_changes_nothing_in_a_window_whose_pages_do_not_scroll(qtbot, window):
    from kernelplay.gui.window_fit import PageScroll

    qtbot.wait(300)  # the window looks at its screen once the layouts have settled
    assert PageScroll.of(window).area() is None
    for name, view in _views(window).items():
        ranges = _ranges(view)
        _turn_wheel(window, view, -1)
        assert _ranges(view) == ranges, name


def _controls(window) -> dict:
    """What a wheel could change on the CNN tab: the training settings' spin boxes and combo boxes,
    and the timeline's slider (the wheel on it went back through the run)."""
    controls = window.training.training_controls
    return {"learning rate": controls.learning_rate_box, "batch size": controls.batch_size_box,
            "timeline": window.training.time_travel.timeline.slider}


def _value(control):
    return control.value() if hasattr(control, "value") else control.currentText()


def test_the_wheel_over_an_unfocused_control_scrolls_the_page_and_changes_nothing(qtbot, window):
    window.training.training_controls.play_button.click()  # checkpoints for the timeline to go back to
    timeline = window.training.time_travel.timeline.slider
    qtbot.waitUntil(lambda: timeline.isEnabled() and timeline.maximum() > 1, timeout=10000)
    window.training.training_controls.play_button.click()
    timeline.setValue(1)  # dragged back to a checkpoint: a wheel either way would move it on
    area = _presenting(window)
    bar = area.verticalScrollBar()
    for name, control in _controls(window).items():
        area.ensureWidgetVisible(control, 0, 0)
        QApplication.processEvents()
        value, before = _value(control), bar.value()
        down = before < bar.maximum()
        _turn_wheel(window, control, -1 if down else 1)
        assert _value(control) == value, name  # was: one step on (the timeline a step back), the page stuck
        assert (bar.value() > before) if down else (bar.value() < before), (name, before, bar.value())
        assert not control.hasFocus(), name
        control.setFocus()  # clicked or tabbed to, it takes the wheel as ever
        area.ensureWidgetVisible(control, 0, 0)
        QApplication.processEvents()
        _turn_wheel(window, control, -1)  # the next choice down the list, a step back
        assert _value(control) != value, name
    window.classroom.presentation.set_active(False)
    qtbot.wait(300)
    control = _controls(window)["batch size"]  # pages that do not scroll: Qt's way again
    window.setFocus()
    value = control.currentText()
    _turn_wheel(window, control, 1)
    assert control.currentText() != value


def test_the_wheel_over_a_kernel_cell_made_while_the_page_scrolls_scrolls_past_it(tmp_path):
    """Presentation mode at 200 % on a 1024×700 screen at 150 % (683×467 logical px), where the
    playground's page scrolls; 5×5 chosen: its 25 new cells are made inside the scrolling page
    (before, only what was there when the pages went into the scroll area was guarded), and the
    wheel over one scrolls what is around it — the kernel's column, which scrolls on its own, or the
    page — until the cell is clicked."""
    import json
    import os
    import subprocess
    import sys

    from offscreen_screen import offscreen_platform

    env = dict(os.environ, QT_SCALE_FACTOR="1.5", QT_QPA_PLATFORM=offscreen_platform((1024, 700)),
               KERNELPLAY_TEST_SETTINGS=str(tmp_path))
    child = subprocess.run([sys.executable, __file__], env=env, capture_output=True, text=True, timeout=180)
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["cells"] == 25 and seen["in the pages' scroll area"] and seen["can scroll"], seen
    unfocused = seen["unfocused"]
    assert unfocused["weight after"] == unfocused["weight before"], seen  # was: nudged by 1, nothing scrolled
    assert unfocused["scrolled"] and not unfocused["focus"], seen
    clicked = seen["clicked"]
    assert clicked["focus"] and clicked["weight after"] != clicked["weight before"], seen  # the wheel nudges it
    assert not clicked["scrolled"], seen


def _scroll_areas_around(widget) -> list:
    """The scroll areas ``widget`` is in, the innermost first."""
    areas, parent = [], widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            areas.append(parent)
        parent = parent.parentWidget()
    return areas


def kernel_cells_made_while_the_pages_scroll() -> dict:
    """The playground in presentation mode on a small screen: 5×5 chosen from the size box with the
    keyboard, the wheel turned over a new cell, then over it clicked."""
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.gui.settings import AppSettings

    app = QApplication.instance()
    settings = AppSettings()
    settings.set_lesson_offered()  # a returning user: no offer floating over the page
    window = MainWindow(settings, with_training=False)
    window.show()
    area = _presenting(window)
    editor = window.playground.kernel_editor
    editor.size_box.setFocus()
    QTest.keyClick(editor.size_box, Qt.Key.Key_Down)  # 3×3 -> 5×5
    settle(app, window)
    cell = editor.cells()[-1]
    areas = _scroll_areas_around(cell)
    seen = {"cells": len(editor.cells()), "in the pages' scroll area": areas[-1] is area,
            "can scroll": any(around.verticalScrollBar().maximum() > 0 for around in areas)}

    def turn(name: str) -> None:
        for around in areas:  # the cell in sight, the areas scrolled no further than it takes
            around.ensureWidgetVisible(cell, 0, 0)
            QApplication.processEvents()
        bars = [around.verticalScrollBar() for around in areas]
        weight, before = cell.text(), [bar.value() for bar in bars]
        down = any(bar.value() < bar.maximum() for bar in bars)
        _turn_wheel(window, cell, -1 if down else 1)
        seen[name] = {"weight before": weight, "weight after": cell.text(), "focus": cell.hasFocus(),
                      "scrolled": [bar.value() for bar in bars] != before}

    turn("unfocused")
    QTest.mouseClick(cell, Qt.MouseButton.LeftButton)
    turn("clicked")
    window.close()
    return seen


if __name__ == "__main__":  # the small screen's scenario (a screen's size is read once, when Qt starts)
    import json
    import sys
    from pathlib import Path

    sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]
    from settling import child_application

    application = child_application()
    print(json.dumps(kernel_cells_made_while_the_pages_scroll()))
