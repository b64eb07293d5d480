"""Help ▸ Lesson walked as a student would: Next from the first step to the last, each step setting
the app up as its text says (the tab, the image, the kernel, the pinned pixel and its sum from the
core, training running, the architecture), Back, the links in a text, the offer on the first start,
and the panel at 1024×700."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from lecture_example import EMBOSS_PATCH, EMBOSS_SUM
from synthetic_digits import SMALL, bar_digits
from kernelplay.common.lesson import load_lesson
from kernelplay.gui.classroom import LESSON_OFFER
from kernelplay.imaging.kernels import PRESETS


@pytest.fixture
def lesson_window(qtbot, monkeypatch):
    """The main window with a small, fast training tab, shown at 1280×800."""
    from kernelplay.gui import main_window
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.gui.training.training_tab import TrainingTab

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab", staticmethod(
        lambda: TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.02, redraw_interval_ms=20)))
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def _next(qtbot, director):
    qtbot.mouseClick(director.panel.next_button, Qt.MouseButton.LeftButton)


def _assert_playground_pins_the_lecture_patch(window, kernel):
    playground = window.playground
    assert window.tabs.currentWidget() is playground
    assert playground.image_name() == "camera" and playground.pinned_pixel() == (224, 403)
    np.testing.assert_array_equal(playground.image()[223:226, 402:405], EMBOSS_PATCH)
    np.testing.assert_array_equal(playground.kernel_editor.kernel(), kernel)


def test_next_walks_every_step_and_each_sets_the_app_up(qtbot, lesson_window, wait_for_output):
    window = lesson_window
    window.classroom.lesson_action.trigger()  # Help ▸ Lesson
    director = window.classroom.lesson()
    panel, steps = director.panel, load_lesson().steps
    assert panel.isVisible() and director.index == 0 and len(steps) == 8

    # 1: held-out digits of the classes the text names, in the training tab
    tab = window.training
    assert window.tabs.currentWidget() is tab and panel.digits.isVisible()
    assert list(panel.digits.shown) == [0, 1, 9, 5, 3]
    for digit, indices in panel.digits.shown.items():
        assert len(indices) == 4 and all(tab.data.heldout.labels[i] == digit for i in indices)
    assert panel.title_label.text() == steps[0].title and not panel.back_button.isEnabled()

    # 2: the photo, emboss, the lecture's pixel pinned: the core's sum there is −106, and the panel shows it
    _next(qtbot, director)
    _assert_playground_pins_the_lecture_patch(window, PRESETS["emboss"])
    wait_for_output(window.playground)
    qtbot.waitUntil(lambda: window.playground.step_panel.explanation() is not None)
    explanation = window.playground.explain(224, 403)
    assert explanation.raw == EMBOSS_SUM == -106
    assert window.playground.step_panel.explanation().raw == explanation.raw
    assert window.playground.step_panel.total_text().endswith("−106")
    assert not panel.digits.isVisible()

    # 3: the test chart under right sobel; a link in the text changes the preset
    _next(qtbot, director)
    playground = window.playground
    assert playground.image_name() == "test-chart" and playground.kernel_editor.preset_name() == "right sobel"
    panel.text_label.linkActivated.emit("set_preset:outline")
    assert playground.kernel_editor.preset_name() == "outline"
    panel.text_label.linkActivated.emit("open_sample:camera")
    assert playground.image_name() == "camera"

    # 4: the lecture's own kernel, as typed (0.7 stays 0.7), on the same pixel
    _next(qtbot, director)
    rows = np.array([[1, 2, 1], [0.7, -1.2, 0.7], [-1, -2, -1.9]])
    _assert_playground_pins_the_lecture_patch(window, rows)
    assert [cell.text() for cell in playground.kernel_editor.cells()][3:6] == ["0.7", "−1.2", "0.7"]
    wait_for_output(playground)
    assert playground.explain(224, 403).raw == pytest.approx(float((EMBOSS_PATCH * rows).sum()))

    # 5: the CNN tab, a 3 as the probe: its feature maps after conv1 and conv2
    _next(qtbot, director)
    assert window.tabs.currentWidget() is tab
    checked = tab.probe_strip.group.checkedButton()
    assert tab.data.heldout.labels[tab.probe_strip.indices[tab.probe_strip.buttons.index(checked)]] == 3
    qtbot.waitUntil(lambda: tab.latest_snapshot() is not None and tab.latest_snapshot().probe_label == 3)

    # 6: Train pressed: training runs
    _next(qtbot, director)
    qtbot.waitUntil(lambda: tab.session.running, timeout=10000)
    assert tab.training_controls.play_button.text() == "Pause"

    # 7: pooling to scores, a 9 as the probe
    _next(qtbot, director)
    qtbot.waitUntil(lambda: tab.latest_snapshot().probe_label == 9, timeout=5000)

    # 8: three stages of 8, 16 and 32 channels, reset and training
    _next(qtbot, director)
    assert tab.architecture_editor.config().channels == (8, 16, 32)
    qtbot.waitUntil(lambda: tab.latest_snapshot().config.channels == (8, 16, 32) and tab.session.running,
                    timeout=10000)
    assert panel.next_button.text() == "Finish"
    _next(qtbot, director)
    assert not panel.isVisible() and "That was the lesson" in window.message_bar.text()


def test_back_sets_the_earlier_step_up_again(qtbot, lesson_window):
    window = lesson_window
    window.classroom.start_lesson()
    director = window.classroom.lesson()
    director.go_to(2)  # the test chart
    assert window.playground.image_name() == "test-chart"
    qtbot.mouseClick(director.panel.back_button, Qt.MouseButton.LeftButton)
    assert director.index == 1
    _assert_playground_pins_the_lecture_patch(window, PRESETS["emboss"])


def test_the_first_start_offers_the_lesson_once_in_the_message_bar(qtbot, window):
    bar = window.message_bar
    qtbot.waitUntil(lambda: bar.text() == LESSON_OFFER)
    assert bar.action_button.isVisible() and bar.action_button.text() == "Start the lesson"
    qtbot.mouseClick(bar.action_button, Qt.MouseButton.LeftButton)
    assert bar.text() != LESSON_OFFER and window.classroom.lesson().panel.isVisible()
    from kernelplay.gui.main_window import MainWindow

    again = MainWindow(with_training=False)
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(50)
    assert again.message_bar.text() == ""  # offered once: Help ▸ Lesson has it from now on
    again.close()


def test_the_panel_fits_1024_by_700_and_folds_and_moves(qtbot, lesson_window):
    from screen_check import window_problems

    window = lesson_window
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024)
    window.training  # built now, as the first step would: the window's minimum is the tabs' then
    before = window.minimumSizeHint()
    window.classroom.start_lesson()
    director = window.classroom.lesson()
    panel = director.panel
    for index in range(len(director.lesson.steps)):
        director.go_to(index)
        qtbot.wait(30)
        pages = panel.pages_rect()
        assert pages.contains(panel.geometry()), (index, panel.geometry(), pages)
        assert panel.height() >= panel.layout().totalHeightForWidth(panel.width()), index  # no text cut
        assert panel.rect().contains(panel.next_button.geometry()), index
        assert window_problems(window) == [], index
    # the card floats: it adds nothing to what the window needs (1024×700 as far as the tabs allow)
    after = window.minimumSizeHint()
    assert after.width() <= max(1024, before.width()) and after.height() <= max(700, before.height())
    height = panel.height()
    qtbot.mouseClick(panel.fold_button, Qt.MouseButton.LeftButton)
    assert panel.is_folded() and panel.height() < height / 2 and not panel.text_label.isVisible()
    for button in (panel.next_button, panel.back_button, panel.close_button):  # whole, inside the card
        assert button.isVisible() and panel.rect().contains(button.geometry()), button.text()
    start = panel.pos()
    grip = panel.progress_label
    qtbot.mousePress(grip, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseMove(grip, QPoint(105, -95))
    qtbot.mouseRelease(grip, Qt.MouseButton.LeftButton, pos=QPoint(105, -95))
    assert panel.pos().x() > start.x() + 50 and panel.pos().y() < start.y() - 50
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()
