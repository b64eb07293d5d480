"""The window on a screen too small for its pages (a 1024×700 screen at 150 % is 683×467 logical
pixels, a 1366×768 laptop at 150 % 911×512; the pages side by side need 797×685): the window fits
the screen, its least size is small, and the pages scroll down, never sideways, in the scroll area
presentation mode uses; both tabs can be reached and the −106 example is still explained. The CNN
tab built after the window, a move to a larger screen and back, and presentation mode keep or take
away the scroll area as the screen asks. On a screen that holds the pages nothing changes: every
widget where it was, no scroll area.

A screen's size is fixed when Qt starts, so each screen runs in a fresh process: this file run as
a script, on offscreen screens of the sizes asked (offscreen_screen.py), prints what it saw as JSON.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LEAST_ROOM = (640, 440)  # logical px: the window may be made this small on a small screen
CUT_BY_DESIGN = "in ImagePair"  # the images' titles: a long one is cut, it does not widen the window
SMALL_SCREENS = {"683x467": (1024, 700), "911x512": (1366, 768)}  # device px, at 150 %


def _start(scenario: str, *screens: tuple[int, int], scale: str = "1.5", tmp_path: Path) -> subprocess.Popen:
    """Start ``scenario`` (a function of this file) on offscreen screens of these device pixel sizes."""
    from offscreen_screen import offscreen_platform

    env = dict(os.environ, QT_SCALE_FACTOR=scale, QT_QPA_PLATFORM=offscreen_platform(*screens),
               KERNELPLAY_TEST_SETTINGS=str(tmp_path / f"settings-{scenario}"))
    return subprocess.Popen([sys.executable, __file__, scenario], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _seen(child: subprocess.Popen) -> dict:
    """What the scenario saw (its JSON)."""
    out, err = child.communicate(timeout=180)
    assert child.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _inside(frame: list[int], available: list[int]) -> bool:
    left, top, width, height = frame
    room_left, room_top, room_width, room_height = available
    return (room_left <= left and room_top <= top and left + width <= room_left + room_width
            and top + height <= room_top + room_height)


def _scrolls_down_only(pages: dict) -> bool:
    return pages["scroll area"] and pages["sideways"] == 0 and pages["page"][0] <= pages["viewport"][0]


# -- the tests -----------------------------------------------------------------------------------
def test_a_window_fits_when_its_least_size_does_and_is_placed_inside_the_room():
    from PySide6.QtCore import QRect, QSize

    from kernelplay.gui.window_fit import fits, placed_in

    assert fits(QSize(797, 686), QSize(1280, 720)) and fits(QSize(683, 467), QSize(683, 467))
    assert not fits(QSize(797, 686), QSize(911, 512)) and not fits(QSize(797, 686), QSize(683, 800))
    room = QRect(0, 0, 683, 467)
    assert placed_in(QRect(0, 0, 1282, 802), room) == room  # too large: as large as the room
    assert placed_in(QRect(-20, 300, 400, 300), room) == QRect(0, 167, 400, 300)  # moved in, no smaller
    assert placed_in(QRect(100, 50, 400, 300), room) == QRect(100, 50, 400, 300)  # inside: left alone
    assert placed_in(QRect(900, 0, 500, 300), QRect(683, 0, 1920, 1200)) == QRect(900, 0, 500, 300)


@pytest.mark.parametrize("screen", SMALL_SCREENS)
def test_on_a_small_screen_the_window_fits_and_its_pages_scroll_down(screen, tmp_path):
    seen = _seen(_start("small_screen", SMALL_SCREENS[screen], tmp_path=tmp_path))
    shown = seen["shown"]
    assert _inside(shown["frame"], shown["available"]), shown  # was 1282×802 on the 683×467 screen
    assert shown["least"][0] <= LEAST_ROOM[0] and shown["least"][1] <= LEAST_ROOM[1], shown  # was 797×685
    assert seen["made small"] == list(LEAST_ROOM)
    assert seen["tab 0 reached"] and seen["tab 1 reached"]
    for name in ("shown", "tab 1", "tab 0", "Mistakes", "unit conv2", "unit pool1", "unit fc1", "unit scores",
                 "presentation"):
        assert _scrolls_down_only(seen[name]), (name, seen[name])
    assert seen["tab 1"]["down"] > 0  # the CNN tab is taller than the screen: it scrolls down
    # the controls beside the views, not under them: Train was 927 px down the 683 px wide page
    assert seen["Train in sight"]
    explained = seen["-106"]
    assert explained["pinned"] == [4, 4] and explained["total"] == "sum of all 9 terms: −106"
    assert explained["image in sight"] and explained["total in sight"] and "sum −106" in explained["status"]
    assert seen["problems"] == []
    after = seen["after presentation"]  # leaving presentation mode, the screen is still too small
    assert _scrolls_down_only(after) and _inside(after["frame"], after["available"]), after


def test_the_cnn_tab_built_after_the_window_puts_the_pages_in_the_scroll_area(tmp_path):
    seen = _seen(_start("tab_built_later", (1920, 1000), tmp_path=tmp_path))  # 1280×667 at 150 %
    assert not seen["shown"]["scroll area"], seen["shown"]  # the playground alone fits the screen
    later = seen["with the CNN tab"]
    assert _scrolls_down_only(later) and _inside(later["frame"], later["available"]), later


def test_a_larger_screen_gives_the_pages_back_and_a_smaller_one_takes_them_again(tmp_path):
    seen = _seen(_start("two_screens", (1024, 700), (2880, 1800), tmp_path=tmp_path))  # 683×467 and 1920×1200
    assert _scrolls_down_only(seen["small"]) and _inside(seen["small"]["frame"], seen["small"]["available"])
    large = seen["moved to the large"]
    assert large["screen"] and not large["scroll area"], large
    assert large["least"][0] > 683 and large["least"][1] > 467, large  # the pages' own least size again
    assert _inside(large["frame"], large["available"]), large
    back = seen["back on the small"]
    assert back["screen"] and _scrolls_down_only(back) and _inside(back["frame"], back["available"]), back


def test_on_a_screen_that_holds_the_pages_nothing_changes(tmp_path):
    children = {fit: _start("normal_screen" if fit else "normal_screen_without_fit", (1280, 800), scale="1",
                            tmp_path=tmp_path / str(fit)) for fit in (True, False)}
    with_fit, without_fit = (_seen(children[fit]) for fit in (True, False))
    for where, seen in with_fit.items():
        assert not seen["scroll area"] and seen["least"][1] > LEAST_ROOM[1], where
    assert with_fit == without_fit


def test_presentation_mode_on_a_large_screen_gives_the_pages_back(qtbot, monkeypatch):
    from PySide6.QtWidgets import QScrollArea

    from kernelplay.gui import main_window
    from kernelplay.gui.training.training_tab import TrainingTab
    from synthetic_digits import SMALL, bar_digits

    monkeypatch.setattr(main_window.MainWindow, "_create_training_tab", staticmethod(
        lambda: TrainingTab(data=bar_digits(), config=SMALL, backend="thread", threads=1, snapshot_interval=0.02)))
    window = main_window.MainWindow()
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    window.tabs.setCurrentWidget(window.training)
    presentation = window.classroom.presentation
    presentation.set_scale(200)
    try:
        presentation.set_active(True)
        qtbot.wait(300)
        assert isinstance(window.centralWidget(), QScrollArea)
        presentation.set_active(False)
        qtbot.wait(300)  # the window looks at its screen once the layouts have settled
        assert not isinstance(window.centralWidget(), QScrollArea) and not window.fit.is_on()
        assert window.centralWidget() is window.tabs.parentWidget()
        # laid out at once, while some sizes still followed the 200 % text, the pages grew the window to
        # 1099×974 or 1175 px wide; laid out by Qt a turn later it was 1024×739; restored again once settled
        assert (window.width(), window.height()) == (1024, 700), window.size()
    finally:
        window.training.shutdown()
        window.close()


# -- what the fresh process does --------------------------------------------------------------------
def _settle(app, seconds: float = 0.4) -> None:
    """Let the layouts settle: rows fold, the page grows, the window decides on its screen (150 ms)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _wait(app, condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the window did not get there in time"
        app.processEvents()
        time.sleep(0.005)


def _window(build_training: bool = True):
    """The main window, shown, its CNN tab on synthetic digits in a thread (fast steps), built."""
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.gui.training.training_tab import TrainingTab
    from synthetic_digits import bar_digits

    class Window(MainWindow):
        @staticmethod
        def _create_training_tab():
            return TrainingTab(data=bar_digits(), backend="thread", threads=1, snapshot_interval=0.02,
                               redraw_interval_ms=20)

    window = Window()
    window.show()
    if build_training:
        window.training  # noqa: B018 -- built now, as a click on its tab would
    return window


def _rect(rect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _pages(window) -> dict:
    """Whether the pages are in a scroll area, and how far it scrolls each way."""
    from PySide6.QtWidgets import QScrollArea

    area = window.centralWidget()
    if not isinstance(area, QScrollArea):
        return {"scroll area": False}
    return {"scroll area": True, "page": list(area.widget().size().toTuple()),
            "viewport": list(area.viewport().size().toTuple()),
            "sideways": area.horizontalScrollBar().maximum(), "down": area.verticalScrollBar().maximum()}


def _fit(window) -> dict:
    """Where the window is on its screen and how small it may be made."""
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    return {"frame": _rect(window.frameGeometry()), "available": _rect(window.screen().availableGeometry()),
            "least": [least.width(), least.height()], **_pages(window)}


def _click_tab(app, window, index: int) -> bool:
    """Scroll the page to its top and click tab ``index`` as a hand would: whether it is on show."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    area = window.centralWidget()
    if hasattr(area, "verticalScrollBar"):
        area.verticalScrollBar().setValue(0)
    bar = window.tabs.tabBar()
    centre = bar.tabRect(index).center()
    seen = window.rect().contains(bar.mapTo(window, centre))
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=centre)
    _settle(app)
    return seen and window.tabs.currentIndex() == index


def _in_sight(window, widget) -> bool:
    """Whether ``widget`` is whole in the view of the page's scroll area."""
    from PySide6.QtCore import QPoint, QRect

    view = window.centralWidget().viewport()
    return view.rect().contains(QRect(widget.mapTo(view, QPoint(0, 0)), widget.size()))


def _bring_into_sight(app, widget) -> bool:
    """Scroll every scroll area ``widget`` is in (the innermost first) to it, as a reader would: whether
    it is then whole in each of their views."""
    from PySide6.QtWidgets import QScrollArea

    areas, parent = [], widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            areas.append(parent)
        parent = parent.parentWidget()
    for area in areas:
        area.ensureWidgetVisible(widget, 0, 0)
        _settle(app, 0.05)
    for area in areas:
        view = area.viewport()
        if not view.rect().contains(widget.rect().translated(widget.mapTo(view, widget.rect().topLeft()))):
            return False
    return True


def _explain_minus_106(app, window) -> dict:
    """The lecture's patch under emboss, its centre pixel clicked: the sum, and whether it can be read."""
    import numpy as np
    from PySide6.QtCore import QPoint, QRect, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLabel

    from hovering import pixel_centre
    from lecture_example import EMBOSS_PATCH

    image = np.full((9, 9), 100, dtype=np.uint8)
    image[3:6, 3:6] = EMBOSS_PATCH
    playground = window.playground
    playground.set_image(image, "lecture")
    playground.kernel_editor.set_preset("emboss")
    _wait(app, playground.is_up_to_date)
    view = playground.images.input_view
    in_sight = _bring_into_sight(app, view)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel_centre(view, 4, 4))
    panel = playground.step_panel
    _wait(app, lambda: panel.explanation() is not None)
    _settle(app)
    total = next(label for label in panel.findChildren(QLabel) if label.isVisible() and "−106" in label.text())
    status = playground.hover_label  # in the status bar, under the pages: always in sight
    status_seen = status.isVisible() and window.rect().contains(QRect(status.mapTo(window, QPoint(0, 0)), status.size()))
    return {"image in sight": in_sight, "pinned": playground.pinned_pixel(), "total": panel.total_text(),
            "total in sight": _bring_into_sight(app, total), "status": status.text() if status_seen else ""}


def _problems(window, *, network_page: bool = True) -> list[str]:
    """What screen_check finds cut or out of place, but the images' titles, cut by design (and, off
    the CNN tab's Network page, its hidden diagram and kernels)."""
    from screen_check import cut_texts, outside_parents, overlapping_ticks, small_fonts, squeezed_plots, window_problems

    checks = [window_problems] if network_page else [cut_texts, outside_parents, squeezed_plots, overlapping_ticks,
                                                     small_fonts]
    return [problem for check in checks for problem in check(window) if CUT_BY_DESIGN not in problem]


def small_screen(app) -> dict:
    """Both tabs, the −106 example, the CNN tab's Mistakes page and unit pane, presentation mode in
    and out, and the window made as small as :data:`LEAST_ROOM`."""
    from test_screen_sizes import UNITS, matrix_problems, open_unit, pane_problems

    window = _window()
    tab = window.training
    _wait(app, lambda: tab.latest_snapshot() is not None)
    _settle(app)
    seen = {"shown": _fit(window), "problems": []}
    for index in (1, 0):
        seen[f"tab {index} reached"] = _click_tab(app, window, index)
        seen[f"tab {index}"] = _pages(window)
        if index == 1:  # the page at its top, as the tab opens
            seen["Train in sight"] = _in_sight(window, tab.training_controls.play_button)
        seen["problems"] += [f"tab {index}: {problem}" for problem in _problems(window)]
    seen["-106"] = _explain_minus_106(app, window)
    window.tabs.setCurrentWidget(tab)
    mistakes = tab.time_travel.mistakes
    tab.time_travel.show_page("Mistakes")
    mistakes.evaluate_button.click()
    _wait(app, lambda: mistakes.evaluation is not None)
    _settle(app)
    seen["problems"] += [f"Mistakes: {p}" for p in _problems(window, network_page=False) + matrix_problems(mistakes)]
    seen["Mistakes"] = _pages(window)
    tab.time_travel.show_page("Network")
    for unit in UNITS:
        open_unit(app, tab.units, unit)
        _settle(app)
        seen["problems"] += [f"unit {unit[0]}: {p}" for p in _problems(window) + pane_problems(tab.units)]
        seen[f"unit {unit[0]}"] = _pages(window)
    tab.units.close()
    presentation = window.classroom.presentation
    presentation.set_active(True)
    _settle(app)
    seen["presentation"] = _pages(window)
    presentation.set_active(False)
    _settle(app)
    seen["after presentation"] = _fit(window)
    window.resize(*LEAST_ROOM)
    _settle(app)
    seen["made small"] = [window.width(), window.height()]
    tab.shutdown()
    window.close()
    return seen


def tab_built_later(app) -> dict:
    """A screen that holds the playground but not the CNN tab (1280×666): the window comes up as
    before, and its pages go in the scroll area once the CNN tab is built."""
    window = _window(build_training=False)
    seen = {"shown": _fit(window)}
    tab = window.training
    _wait(app, lambda: tab.latest_snapshot() is not None)
    _settle(app)
    seen["with the CNN tab"] = _fit(window)
    tab.shutdown()
    window.close()
    return seen


def two_screens(app) -> dict:
    """The window moved from a small screen to a large one and back."""
    small, large = app.screens()
    window = _window()
    tab = window.training
    _wait(app, lambda: tab.latest_snapshot() is not None)
    _settle(app)
    seen = {"small": _fit(window)}
    window.move(large.availableGeometry().topLeft())
    _settle(app)
    seen["moved to the large"] = {"screen": window.screen() is large, **_fit(window)}
    window.resize(1000, 600)
    _settle(app)
    window.move(small.availableGeometry().topLeft())  # most of it on the small screen
    _settle(app)
    seen["back on the small"] = {"screen": window.screen() is small, **_fit(window)}
    tab.shutdown()
    window.close()
    return seen


def _geometries(window) -> list:
    """Every widget on show in the pages: its kind and its rectangle in the window (not the status
    bar's, whose line says how many ms the filter took)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QWidget

    pages = window.centralWidget()
    return [[type(widget).__name__, *_rect(widget.rect().translated(widget.mapTo(window, QPoint(0, 0))))]
            for widget in [pages, *pages.findChildren(QWidget)] if widget.isVisible()]


def normal_screen(app, *, without_fit: bool = False) -> dict:
    """Both tabs at 1280×800 and 1024×700: where every widget is, whether the pages scroll, how
    small the window may be. ``without_fit``: the window as it was before it fitted its screen."""
    if without_fit:
        try:
            from kernelplay.gui import window_fit
        except ImportError:  # a kernelplay from before (to see this file fail there)
            pass
        else:
            window_fit.WindowFit.decide = lambda self, **options: None
    window = _window()
    tab = window.training
    _wait(app, lambda: tab.latest_snapshot() is not None)
    seen = {}
    for size in ((1280, 800), (1024, 700)):
        window.resize(*size)
        for index in (1, 0):
            window.tabs.setCurrentIndex(index)
            _settle(app)
            seen[f"{size[0]}x{size[1]} tab {index}"] = {**_fit(window), "widgets": _geometries(window)}
    tab.shutdown()
    window.close()
    return seen


SCENARIOS = {"small_screen": small_screen, "tab_built_later": tab_built_later, "two_screens": two_screens,
             "normal_screen": normal_screen,
             "normal_screen_without_fit": lambda app: normal_screen(app, without_fit=True)}

if __name__ == "__main__":  # one scenario, on the screens Qt was given: prints what it saw as JSON
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from settling import child_application

    application = child_application()
    print(json.dumps(SCENARIOS[sys.argv[1]](application)))
