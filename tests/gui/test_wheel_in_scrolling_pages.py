"""The mouse wheel over the CNN tab's plots and controls while the pages scroll (presentation mode, or a screen
too small for the window: window_fit.PageScroll): it scrolls the page, it does not zoom the plot or
stop on it. The plots' mouse interaction is off (curves.py, scores.py, the kernels' and maps' view
boxes), so their ViewBoxes ignore the wheel and Qt hands it on to the scroll area. A spin box or
combo box there takes the wheel only once it has the focus (wheel_guard.py): scrolling down the page
must not change the learning rate or the batch size under the pointer.

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
    QTest.wheelEvent(window.windowHandle(), QPointF(position), QPoint(0, notches * NOTCH), QPoint(0, 0), modifiers)
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
    """The training settings a wheel could change: spin boxes and combo boxes by what they set."""
    controls = window.training.training_controls
    return {"learning rate": controls.learning_rate_box, "batch size": controls.batch_size_box}


def test_the_wheel_over_an_unfocused_control_scrolls_the_page_and_changes_nothing(qtbot, window):
    area = _presenting(window)
    bar = area.verticalScrollBar()
    for name, control in _controls(window).items():
        area.ensureWidgetVisible(control, 0, 0)
        QApplication.processEvents()
        value, before = control.currentText(), bar.value()
        down = before < bar.maximum()
        _turn_wheel(window, control, -1 if down else 1)
        assert control.currentText() == value, name  # was: one step on, the page stuck
        assert (bar.value() > before) if down else (bar.value() < before), (name, before, bar.value())
        assert not control.hasFocus(), name
        control.setFocus()  # clicked or tabbed to, it takes the wheel as ever
        area.ensureWidgetVisible(control, 0, 0)
        QApplication.processEvents()
        _turn_wheel(window, control, -1)  # the next choice down the list
        assert control.currentText() != value, name
    window.classroom.presentation.set_active(False)
    qtbot.wait(300)
    control = _controls(window)["batch size"]  # pages that do not scroll: Qt's way again
    window.setFocus()
    value = control.currentText()
    _turn_wheel(window, control, 1)
    assert control.currentText() != value
