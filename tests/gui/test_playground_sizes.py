"""The playground on a classroom projector (1024×700) and a scaled screen (QT_SCALE_FACTOR=1.5):
the window fits, no text is cut, and the sum and the term it is at are in sight together."""

import pytest
from PIL import Image
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QScrollArea

from hovering import pixel_centre
from scaled_window import run_at_one_and_a_half
from kernelplay.gui.playground.step_grids import StepGrids



def cut_texts(root) -> list[str]:
    """Every visible one-line label, button or list under ``root`` whose text is wider than it is."""
    cut = []
    for label in root.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text().strip():
            if label.sizeHint().width() > label.width() + 1:
                cut.append(f"label {label.text()!r}: {label.sizeHint().width()} > {label.width()}")
    for button in root.findChildren(QAbstractButton):
        if button.isVisible() and button.text() and button.sizeHint().width() > button.width() + 1:
            cut.append(f"button {button.text()!r}: {button.sizeHint().width()} > {button.width()}")
    for box in root.findChildren(QComboBox):
        if box.isVisible() and QFontMetrics(box.font()).horizontalAdvance(box.currentText()) + 24 > box.width():
            cut.append(f"list {box.currentText()!r}: wider than {box.width()}")
    return cut


def in_sight(widget, area: QScrollArea, rect: QRect | None = None) -> bool:
    """Whether ``rect`` of ``widget`` (all of it by default) lies inside the scroll area's view."""
    rect = widget.rect() if rect is None else rect
    top_left = widget.mapTo(area.viewport(), rect.topLeft())
    return area.viewport().rect().contains(QRect(top_left, rect.size()))


@pytest.fixture
def projector(qtbot):
    """The window at 1024×700, as on a classroom projector."""
    from kernelplay.gui.main_window import MainWindow

    win = MainWindow(with_training=False)
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_the_window_fits_a_projector(projector):
    assert projector.size().width() == 1024 and projector.size().height() == 700
    hint = projector.playground.minimumSizeHint()
    assert hint.width() <= 1000 and hint.height() <= 560


@pytest.mark.parametrize("view", ["Whole image", "Sliding window"])
def test_at_1024x700_the_equation_and_the_term_it_is_at_are_in_sight_together(projector, qtbot, tmp_path,
                                                                            colour_image, wait_for_output, view):
    tab = projector.playground
    assert (projector.width(), projector.height()) == (1024, 700)
    path = tmp_path / "colour.png"
    Image.fromarray(colour_image).save(path)
    assert projector.open_path(path)
    wait_for_output(tab)
    if view == "Sliding window":
        bar = tab.modes.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
        for _ in range(20):
            qtbot.mouseClick(tab.scan_view.button("step"), Qt.MouseButton.LeftButton)
        panel = tab.scan_view.step_panel
    else:
        image = tab.images.input_view
        QTest.mouseClick(image.viewport(), Qt.MouseButton.LeftButton, pos=pixel_centre(image, 5, 6))
        panel = tab.step_panel
    qtbot.waitUntil(lambda: panel.explanation() is not None)
    panel.reset_steps()
    for _ in range(5):
        panel.step_forward()  # term 5 of 9, the centre: highlighted in the grids and the equation
    qtbot.wait(20)
    area = panel.findChild(QScrollArea)
    grids = panel.findChild(StepGrids)
    equation = next(label for label in panel.findChildren(QLabel) if label.text() and "×" in label.text())
    assert in_sight(equation, area), "the equation is scrolled out of sight"
    layout = grids.geometry_now()
    for grid in range(3):
        assert in_sight(grids, area, layout.cell_rect(grid, panel.current_term).toRect()), f"grid {grid}'s term"
    assert grids.number_font().pixelSize() >= 11
    assert cut_texts(projector) == []


def test_at_1280x800_no_text_is_cut(window, qtbot, wait_for_output):
    tab = window.playground
    wait_for_output(tab)
    QTest.mouseClick(tab.images.input_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=pixel_centre(tab.images.input_view, 100, 100))
    qtbot.wait(20)
    assert cut_texts(window) == []


def test_at_one_and_a_half_times_scale_the_window_still_fits_and_nothing_is_cut():
    seen = run_at_one_and_a_half("from test_playground_sizes import cut_texts", """
hint = win.minimumSizeHint()
print(json.dumps({"scale": win.devicePixelRatio(), "minimum": [hint.width(), hint.height()], "cut": cut_texts(win)}))
""")
    assert seen["scale"] == 1.5
    assert seen["minimum"][0] <= 1280 and seen["minimum"][1] <= 720
    assert seen["cut"] == []
