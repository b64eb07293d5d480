"""The window as a whole: messages float over the pages and never move what is under them."""
from PySide6.QtCore import QPoint, QRect, Qt


def _geometries(window):
    """Where the tabs and a kernel cell are, in window coordinates."""
    cell = window.playground.kernel_editor.cells()[0]
    return window.tabs.geometry(), cell.mapTo(window, QPoint(0, 0)), cell.size()


def test_a_message_floats_over_the_pages_without_moving_them(qtbot, window):
    before = _geometries(window)
    long_text = "Could not open notes.png: " + "this file is not an image kernelplay can read. " * 6
    window.show_message(long_text)
    qtbot.wait(20)
    bar = window.message_bar
    assert bar.isVisible() and bar.text() == long_text
    assert _geometries(window) == before  # nothing under the message moved
    tab_bar = window.tabs.tabBar()
    last_tab = tab_bar.tabRect(tab_bar.count() - 1)
    central = window.centralWidget()
    tabs = QRect(tab_bar.mapTo(central, QPoint(0, 0)), tab_bar.mapTo(central, last_tab.bottomRight()))
    area = window.centralWidget().rect()
    assert area.contains(bar.geometry()) and not bar.geometry().intersects(tabs)  # the tabs stay clickable
    assert bar.height() > 2 * bar.fontMetrics().height()  # wrapped onto several lines, none cut
    assert bar.label.height() >= bar.label.heightForWidth(bar.label.width())
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.centralWidget().rect().contains(bar.geometry())
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible() and bar.text() == ""


def test_a_short_message_covers_only_what_it_needs_and_an_empty_one_hides_it(qtbot, window):
    window.show_message("Saved out.png")
    bar = window.message_bar
    assert bar.isVisible() and bar.height() <= window.tabs.tabBar().height() + 4  # beside the tabs, in their row
    assert bar.width() < window.width() / 2
    window.show_message("")
    assert not bar.isVisible() and bar.text() == ""
