"""The Mistakes page and the timeline at the sizes of real screens (1024×700 and 1280×800): no text
cut, no widget outside its parent, no font under 11 px (test_screen_sizes checks the pages as they
open; this checks them with a matrix, a cell chosen and a past step on show), the matrix's numbers
inside their cells and at least two digits of the gallery side by side."""
from PySide6.QtGui import QFontMetricsF

from screen_check import cut_texts, outside_parents, small_fonts, squeezed_plots
from test_exports_gui import Window
from training_tabs import step_to

TIMEOUT = 10_000


def problems_in(window) -> list[str]:
    found = []
    for check in (cut_texts, outside_parents, squeezed_plots, small_fonts):
        found += check(window)
    return found


def test_the_pages_fit_at_1024_by_700_and_1280_by_800(qtbot):
    window = Window()
    qtbot.addWidget(window)
    window.show()
    tab = window.training
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.latest_snapshot() is not None, timeout=TIMEOUT)
    try:
        step_to(qtbot, tab, 3)
        travel, page = tab.time_travel, tab.time_travel.mistakes
        with qtbot.waitSignal(tab.session.evaluation_received, timeout=TIMEOUT):
            page.evaluate_button.click()
        for width, height in ((1024, 700), (1280, 800)):
            window.resize(width, height)
            for page_name, past in (("Mistakes", False), ("Mistakes", True), ("Network", True)):
                travel.show_page(page_name)
                if past:
                    travel.view_step(1)
                    qtbot.waitUntil(lambda: page.step == 1, timeout=TIMEOUT)
                    page.mistakes_box.setChecked(True)
                else:
                    travel.view_live()
                    page.show_cell(3, 3)
                qtbot.wait(30)  # layouts settle over a few passes of the event loop
                where = f"{width}×{height}, {page_name}{' at step 1' if past else ''}"
                assert problems_in(window) == [], where
                if page_name == "Mistakes":
                    view = page.matrix_view
                    widest = QFontMetricsF(view.font()).horizontalAdvance("0" * max(map(len, sum(view.texts, []))))
                    assert view.cell_rect(0, 0).width() >= widest + 4, where
                    tile = page.gallery.visualRect(page.gallery.model().index(0, 0))
                    assert page.gallery.viewport().width() >= 2 * tile.width(), where
                    assert page.pairs_label.geometry().top() >= view.geometry().bottom(), where
                    assert page.pairs_label.geometry().bottom() <= page.height(), where
            travel.view_live()
    finally:
        tab.shutdown()
