"""Pointing at image pixels as a hand does, for the playground's tests."""
from PySide6.QtCore import QPointF
from PySide6.QtTest import QTest


def pixel_centre(view, row: int, col: int):
    """The viewport position of the centre of image pixel (row, col) in ``view``."""
    return view.mapFromScene(QPointF(col + 0.5, row + 0.5))


def hover_pixel(view, row: int, col: int) -> None:
    """Move the mouse onto pixel (row, col) of ``view``, coming in from the pixel to its left:
    Qt sends no move event for a move to where the cursor already is (an earlier test may have
    left it there)."""
    for c in (col - 1, col):
        QTest.mouseMove(view.viewport(), pixel_centre(view, row, c))
