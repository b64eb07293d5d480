"""Where the message bar floats: beside the tabs where its text has room there, else under them.

On a 1024×700 screen at 150 % (683×467 points) in presentation mode at 200 %, the tabs and the
lesson offer's button left the offer's text a word a line down the page."""
import pytest
from PySide6.QtWidgets import QTabBar, QWidget

from kernelplay.gui.classroom import LESSON_OFFER
from kernelplay.gui.message_bar import LEAST_TEXT_CHARACTERS, MessageBar


def floating_offer(qtbot, width: int, height: int, text_scale: float) -> tuple[QWidget, QTabBar, MessageBar]:
    parent = QWidget()
    qtbot.addWidget(parent)
    font = parent.font()
    font.setPointSizeF(font.pointSizeF() * text_scale)
    parent.setFont(font)
    tabs = QTabBar(parent)
    for name in ("Kernel playground", "CNN training"):
        tabs.addTab(name)
    tabs.adjustSize()
    bar = MessageBar(parent, tabs)
    parent.resize(width, height)
    parent.show()
    qtbot.waitExposed(parent)
    bar.show_message(LESSON_OFFER, "Start the lesson", lambda: None)
    return parent, tabs, bar


def characters_a_line(bar: MessageBar) -> float:
    return bar.label.width() / bar.label.fontMetrics().averageCharWidth()


def test_on_a_small_screen_at_200_percent_the_offer_floats_under_the_tabs(qtbot):
    parent, tabs, bar = floating_offer(qtbot, 683, 467, 2.0)
    assert characters_a_line(bar) >= LEAST_TEXT_CHARACTERS, bar.label.width()
    assert bar.y() > tabs.geometry().bottom() and parent.rect().contains(bar.geometry())
    assert bar.height() < parent.height() / 2  # a few lines, not a word a line down the page


@pytest.mark.parametrize(("width", "text_scale"), [(1024, 1.0), (1920, 1.0), (1280, 1.5)])
def test_where_the_row_has_room_the_offer_floats_beside_the_tabs(qtbot, width, text_scale):
    parent, tabs, bar = floating_offer(qtbot, width, 700, text_scale)
    last_tab = tabs.tabRect(tabs.count() - 1)
    assert bar.x() > tabs.mapTo(parent, last_tab.topRight()).x() and bar.y() <= tabs.geometry().bottom()
    assert parent.rect().contains(bar.geometry())
