"""Both tabs at the sizes of real screens — 1024×700 (a classroom projector), 1280×800, 1920×1080 —
each at QT_SCALE_FACTOR 1, 1.5 and 2, while the network trains: no text cut, no widget outside its
parent, no plot squeezed, no tick labels on each other, no font under 11 px, and the window can
shrink to 1024×700; the CNN tab's Mistakes page and its unit pane (a conv pixel, a pool unit, an FC
unit, a score) too, the confusion matrix's counts and the pane's contents whole. And the CNN tab in
presentation mode at 200 %, at 1024×700 and 1280×800: no sideways scrolling, every title whole, its
network diagram in sight and whole, its text and the plots' titles twice as large; the Mistakes
page and the unit pane there too, the pane in sight when it opens.

QT_SCALE_FACTOR is read once, when Qt starts, so scales 1.5 and 2 run in child processes (this
file run as a script) while scale 1 runs here; all three at once. Sizes are the window's in logical
pixels: at scale 2, 1024×700 is a 2048×1400 device-pixel window, fonts and all scaled alike, so what
changes is the rounding of text and lines. Set KERNELPLAY_SCREENSHOTS to a folder to keep a PNG of
each tab at each size and scale.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from settling import STILL_PASSES, settle

SIZES = [(1024, 700), (1280, 800), (1920, 1080)]
SCALES = ("1.5", "2")
SMALLEST_WINDOW = (1024, 700)
HERE = Path(__file__).resolve().parent
UNITS = (("conv2", 3, 2, 2), ("pool1", 1, 2, 2), ("fc1", 5, 0, 0), ("scores", 3, 0, 0))  # a pixel of each kind


def _wait(app, condition, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.005)


def _window_training_bar_digits():
    """The main window with its training tab on synthetic bar digits in a thread (fast steps)."""
    from kernelplay.gui.main_window import MainWindow
    from kernelplay.gui.training.training_tab import TrainingTab
    from synthetic_digits import bar_digits

    class Window(MainWindow):
        @staticmethod
        def _create_training_tab():
            return TrainingTab(data=bar_digits(), backend="thread", threads=1, snapshot_interval=0.02,
                               redraw_interval_ms=20)

    return Window()


def matrix_problems(page) -> list[str]:
    """The Mistakes page's confusion matrix squeezed below the width its counts need, a count wider
    than its cell, the most-confused pairs over the matrix, or no whole digit in the gallery."""
    from PySide6.QtGui import QFontMetricsF

    view, problems = page.matrix_view, []
    least = view.minimumSizeHint().width()
    if view.width() < least:
        problems.append(f"the confusion matrix is {view.width()} px wide, its counts need {least}")
    widest = max(QFontMetricsF(view.font()).horizontalAdvance(text) for row in view.texts for text in row)
    if view.cell_rect(0, 0).width() < widest + 4:
        problems.append(f"the matrix's cells are {view.cell_rect(0, 0).width():.0f} px, its counts {widest:.0f}")
    if page.pairs_label.geometry().top() < view.geometry().bottom():
        problems.append(f"the most-confused pairs at {page.pairs_label.geometry()} are over the matrix at {view.geometry()}")
    tile = page.gallery.visualRect(page.gallery.model().index(0, 0))
    if page.gallery.viewport().width() < tile.width():
        problems.append(f"the gallery is {page.gallery.viewport().width()} px wide, a digit {tile.width()}")
    return problems


def pane_problems(units) -> list[str]:
    """The unit pane's contents cut at the right: wider than the scroll area showing them (it scrolls
    down only), or squeezed below the width their tables, rows and numbers need."""
    from PySide6.QtWidgets import QScrollArea

    problems = []
    for area in units.tabs.findChildren(QScrollArea):
        content = area.widget()
        if not area.isVisible() or content is None:
            continue
        need, room = content.minimumSizeHint().width(), area.viewport().width()
        if content.width() > room or content.width() < need:
            problems.append(f"the unit pane's {type(content).__name__} is {content.width()} px wide in {room} px "
                            f"(it needs {need}): cut at the right")
    return problems


def open_unit(app, units, unit) -> None:
    """Explain ``unit`` in the pane, as a click on it does, and wait for its explanation."""
    units.select(*unit)
    _wait(app, lambda: units.view.explanation() is not None and units.view.explanation().stage == unit[0])


def catch_up_layouts() -> None:
    """Let the layouts catch up with the last change (while training, a new explanation may have
    widened a table a moment ago), without letting in the next snapshot."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(STILL_PASSES):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def check_sizes(app, screenshots: str | None = None) -> list[str]:
    """Show the main window, train a few steps, and check both tabs at every size: the problems
    found, each naming the size, the tab and the widget."""
    from kernelplay.nn.config import MAX_CHANNELS, MAX_STAGES
    from screen_check import window_problems

    window = _window_training_bar_digits()
    window.show()
    tab = window.training
    problems = []
    smallest = window.minimumSizeHint().expandedTo(window.minimumSize())
    if smallest.width() > SMALLEST_WINDOW[0] or smallest.height() > SMALLEST_WINDOW[1]:
        problems.append(f"the window cannot shrink below {smallest.width()}×{smallest.height()}")
    try:
        _wait(app, lambda: tab.latest_snapshot() is not None)
        tab.training_controls.batch_size_box.setCurrentText("8")  # quick steps: curves and maps soon drawn
        tab.training_controls.play_button.click()
        _wait(app, lambda: tab.latest_snapshot().step >= 3 and len(tab.session.history) >= 2)
        tab.architecture_editor.channel_boxes[0].setValue(8)  # its note grows "press Reset to apply"
        window.show_message("Saved the model after step 12 to /home/teacher/kernelplay/models/digits-after-lesson-3.npz")
        mistakes = tab.time_travel.mistakes
        mistakes.evaluate_button.click()
        _wait(app, lambda: mistakes.evaluation is not None)
        scale = os.environ.get("QT_SCALE_FACTOR", "1")

        def settle() -> None:
            for _ in range(5):  # layouts settle over a few passes of the event loop
                app.processEvents()

        for width, height in SIZES:
            window.resize(width, height)
            settle()
            if (window.width(), window.height()) != (width, height):
                problems.append(f"asked for {width}×{height}, the window is {window.width()}×{window.height()}")
            for index in range(window.tabs.count()):
                window.tabs.setCurrentIndex(index)
                settle()
                where = f"{width}×{height} at ×{scale}, {window.tabs.tabText(index)}"
                problems += [f"{where}: {problem}" for problem in window_problems(window)]
                if screenshots:
                    window.grab().save(str(Path(screenshots) / f"{width}x{height}-x{scale}-tab{index}.png"))
            tab.time_travel.show_page("Mistakes")
            settle()
            where = f"{width}×{height} at ×{scale}, Mistakes"
            problems += [f"{where}: {problem}" for problem in window_problems(window) + matrix_problems(mistakes)]
            tab.time_travel.show_page("Network")
            for unit in UNITS:
                open_unit(app, tab.units, unit)
                settle()
                catch_up_layouts()
                where = f"{width}×{height} at ×{scale}, unit {unit[0]}"
                problems += [f"{where}: {problem}" for problem in window_problems(window) + pane_problems(tab.units)]
                if screenshots:
                    window.grab().save(str(Path(screenshots) / f"{width}x{height}-x{scale}-{unit[0]}.png"))
            tab.units.close()
        # the widest network there is, in the smallest window: ten diagram boxes, three kernel mosaics
        editor = tab.architecture_editor
        editor.stages_box.setValue(MAX_STAGES)
        for box in editor.channel_boxes:
            box.setValue(MAX_CHANNELS)
        tab.training_controls.reset_button.click()
        _wait(app, lambda: tab.latest_snapshot().config == editor.config())
        window.resize(*SMALLEST_WINDOW)
        window.tabs.setCurrentWidget(tab)
        for _ in range(5):
            app.processEvents()
        where = f"{SMALLEST_WINDOW[0]}×{SMALLEST_WINDOW[1]} at ×{scale}, {MAX_STAGES} stages of {MAX_CHANNELS}"
        problems += [f"{where}: {problem}" for problem in window_problems(window)]
        if screenshots:
            window.grab().save(str(Path(screenshots) / f"widest-network-x{scale}.png"))
    finally:
        tab.shutdown()
        window.close()
    return problems


PRESENTATION_SIZES = [(1280, 800), (1024, 700)]  # the page fits their width: it scrolls down, never sideways
TITLE_POINTS = 9  # the plots' titles at 100 %


def sideways_scroll(window) -> list[str]:
    """The page wider than the window, so that presentation mode's scroll area scrolls it sideways."""
    area = window.centralWidget()
    page, room, bar = area.widget().width(), area.viewport().width(), area.horizontalScrollBar().maximum()
    if bar > 0 or page > room:
        return [f"the page is {page} px wide in a {room} px window: it scrolls sideways ({bar} px)"]
    return []


def cut_titles(titles: dict) -> list[str]:
    """pyqtgraph titles (``{what: [LabelItem, …]}``) whose text is wider than its label or reaches
    beyond what its view shows (a column of maps squeezed, or the scene wider than the view)."""
    problems = []
    for name, labels in titles.items():
        for label in labels:
            if not label.isVisible() or label.scene() is None:
                continue
            text = label.item.sceneBoundingRect()
            view = label.scene().views()[0]
            seen = view.mapToScene(view.viewport().rect()).boundingRect()
            if label.size().width() < label.item.boundingRect().width() - 1:
                problems.append(f"a title of the {name} is squeezed: {label.size().width():.0f} px of "
                                f"{label.item.boundingRect().width():.0f}: {label.text[:30]!r}")
            elif not seen.adjusted(-1, -1, 1, 1).contains(text):
                problems.append(f"a title of the {name} is cut by its view: {text} not in {seen}: {label.text[:30]!r}")
    return problems


def low_diagram_boxes(diagram) -> list[str]:
    """Boxes of the network diagram lower than the two lines they say (more rows than its height holds)."""
    from PySide6.QtGui import QFontMetricsF

    need = 2 * QFontMetricsF(diagram.font()).lineSpacing()
    return [f"diagram box {title!r} is {rect.height():.0f} px high, its two lines {need:.0f}"
            for rect, title, _ in diagram.labels() if rect.height() < need]


def check_presentation(app, percent: int = 200, screenshots: str | None = None) -> list[str]:
    """The CNN tab in presentation mode at ``percent`` in windows of :data:`PRESENTATION_SIZES`:
    the page no wider than the window (its rows fold, the maps and kernels take rows, the page
    grows down instead), each box of the network diagram inside it with its words inside the box,
    its text and the plots' titles at ``percent`` of their size — also titles made while the mode
    is on (a new architecture's maps and kernels, each snapshot's verdict) — and each title whole in
    its view, no plot squeezed, the diagram in sight whole; no text of the controls' fields, boxes
    and buttons wider than its room. At each size the Mistakes page (its matrix never narrower than
    its counts need) and the unit pane on each kind of unit (its contents whole, its top in sight
    when it opens) fit too. Then the widest network at the smallest size, and back out of the mode:
    the window at 100 % as before."""
    import pyqtgraph as pg
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QFontInfo
    from PySide6.QtWidgets import QApplication, QSplitter

    from kernelplay.nn.config import MAX_CHANNELS, MAX_STAGES
    from screen_check import cut_texts, diagram_problems, squeezed_plots, window_problems

    window = _window_training_bar_digits()
    window.show()
    tab = window.training
    window.tabs.setCurrentWidget(tab)
    problems = []
    base_px = QFontInfo(QApplication.font()).pixelSize()
    presentation = window.classroom.presentation
    splitter = next(s for s in tab.findChildren(QSplitter) if s.orientation() == Qt.Orientation.Vertical)

    def titles() -> dict:
        return {"feature maps": list(tab.feature_maps.titles.values()),
                "kernels": list(tab.filter_grid.titles.values()),
                "scores": [tab.scores_view.getPlotItem().titleLabel],
                "curves": [v.getPlotItem().titleLabel for v in tab.curves.findChildren(pg.PlotWidget)]}

    def page_problems(where: str) -> list[str]:
        found = sideways_scroll(window) + diagram_problems(tab.diagram) + low_diagram_boxes(tab.diagram)
        found += cut_titles(titles()) + squeezed_plots(tab)
        for controls in (tab.training_controls, tab.architecture_editor):  # each field's text whole
            found += cut_texts(controls)
        return [f"{where}: {problem}" for problem in found]

    def pages_problems(where: str, size) -> list[str]:
        """The Mistakes page, then the unit pane open on each kind of unit, as the window is now."""
        found = []
        travel, units = tab.time_travel, tab.units
        travel.show_page("Mistakes")
        settle(app, window)
        found += [f"{where}, Mistakes: {problem}"
                  for problem in sideways_scroll(window) + cut_texts(travel.mistakes) + matrix_problems(travel.mistakes)]
        if screenshots:
            window.grab().save(str(Path(screenshots) / f"presentation-{percent}-{size[0]}x{size[1]}-mistakes.png"))
        travel.show_page("Network")
        viewport = window.centralWidget().viewport()
        for unit in UNITS:
            open_unit(app, units, unit)
            settle(app, window)
            top = units.pane.mapTo(viewport, units.pane.rect().topLeft()).y()
            in_sight = [] if 0 <= top < viewport.height() // 2 else [f"the pane opened out of sight: its top at {top} px"]
            found += page_problems(f"{where}, unit {unit[0]}")
            found += [f"{where}, unit {unit[0]}: {problem}" for problem in pane_problems(units) + cut_texts(units.pane) + in_sight]
            if screenshots:
                window.grab().save(str(Path(screenshots) / f"presentation-{percent}-{size[0]}x{size[1]}-{unit[0]}.png"))
        units.close()
        window.centralWidget().verticalScrollBar().setValue(0)  # back at the top, where the diagram is
        return found

    try:
        _wait(app, lambda: tab.latest_snapshot() is not None)
        window.resize(*SMALLEST_WINDOW)
        settle(app, window)
        users_split = splitter.sizes()
        presentation.set_scale(percent)
        presentation.set_active(True)
        editor = tab.architecture_editor  # a new network while the mode is on: its maps and kernels anew
        editor.channel_boxes[0].setValue(12)
        tab.training_controls.reset_button.click()
        _wait(app, lambda: tab.latest_snapshot().config == editor.config())
        tab.training_controls.step_button.click()  # a new verdict over the scores
        _wait(app, lambda: tab.latest_snapshot().step >= 1)
        mistakes = tab.time_travel.mistakes  # a confusion matrix with counts
        mistakes.evaluate_button.click()
        _wait(app, lambda: mistakes.evaluation is not None)
        for size in PRESENTATION_SIZES:
            window.setWindowState(Qt.WindowState.WindowNoState)  # full screen offscreen is its own size
            window.resize(*size)
            settle(app, window)
            where = f"{size[0]}×{size[1]} at {percent} %"
            viewport = window.centralWidget().viewport()  # the pages scroll in presentation mode
            seen = QRect(tab.diagram.mapTo(viewport, tab.diagram.rect().topLeft()), tab.diagram.size())
            if not viewport.rect().contains(seen):
                problems.append(f"{where}: the diagram at {seen} is not all in sight in {viewport.rect()}")
            problems += page_problems(where)
            title_px = QFontInfo(tab.diagram.font()).pixelSize()
            if title_px < percent / 100 * base_px - 1:
                problems.append(f"{where}: the diagram's text is {title_px} px, at 100 % {base_px} px")
            for name, labels in titles().items():
                for label in labels:
                    if label.opts.get("size") != f"{TITLE_POINTS * percent / 100:g}pt":
                        problems.append(f"{where}: a title of the {name} is {label.opts.get('size')}: "
                                        f"{label.text[:30]!r}")
                    needed = label.item.boundingRect().height()
                    if label.isVisible() and label.size().height() < needed - 1:  # a plot's title row
                        problems.append(f"{where}: a title of the {name} is cut: {label.size().height():.0f} px "
                                        f"of {needed:.0f}: {label.text[:30]!r}")
            if screenshots:
                window.grab().save(str(Path(screenshots) / f"presentation-{percent}-{size[0]}x{size[1]}.png"))
            problems += pages_problems(where, size)
        # the widest network there is: ten diagram boxes (three rows), seven columns of maps, three of kernels
        editor.stages_box.setValue(MAX_STAGES)
        for box in editor.channel_boxes:
            box.setValue(MAX_CHANNELS)
        tab.training_controls.reset_button.click()
        _wait(app, lambda: tab.latest_snapshot().config == editor.config())
        settle(app, window)
        problems += page_problems(f"{SMALLEST_WINDOW[0]}×{SMALLEST_WINDOW[1]} at {percent} %, "
                                  f"{MAX_STAGES} stages of {MAX_CHANNELS}")
        if screenshots:
            window.grab().save(str(Path(screenshots) / f"presentation-{percent}-widest.png"))
        presentation.set_active(False)  # back to the window as it was: rows, the user's split
        settle(app, window)
        window.resize(*SMALLEST_WINDOW)
        settle(app, window)
        where = f"{window.width()}×{window.height()} back at 100 %"
        problems += [f"{where}: {problem}" for problem in window_problems(window)]
        if abs(splitter.sizes()[0] / sum(splitter.sizes()) - users_split[0] / sum(users_split)) > 0.01:
            problems.append(f"{where}: the maps and kernels share {splitter.sizes()}, before {users_split}")
    finally:
        presentation.set_active(False)
        tab.shutdown()
        window.close()
    return problems


def test_the_cnn_tab_in_presentation_mode_at_200_percent(qapp):
    problems = check_presentation(qapp, 200, os.environ.get("KERNELPLAY_SCREENSHOTS"))
    assert problems == [], "\n".join(problems)


def _run_scale(scale: str, settings: Path) -> subprocess.Popen:
    from offscreen_screen import roomy_platform  # (this file runs as a script there, without tests/ on its path)

    env = dict(os.environ, QT_SCALE_FACTOR=scale, QT_QPA_PLATFORM=roomy_platform(float(scale)),  # its windows fit it
               KERNELPLAY_TEST_SETTINGS=str(settings))
    return subprocess.Popen([sys.executable, __file__], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_both_tabs_fit_and_read_at_every_size_and_scale(qapp, tmp_path):
    children = {scale: _run_scale(scale, tmp_path / f"settings-{scale}") for scale in SCALES}
    problems = check_sizes(qapp, os.environ.get("KERNELPLAY_SCREENSHOTS"))
    for scale, child in children.items():
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, f"scale {scale}:\n{err[-3000:]}"
        problems += json.loads(out.strip().splitlines()[-1])
    assert problems == [], "\n".join(problems)


if __name__ == "__main__":  # one scale factor, in a process of its own: prints the problems as JSON
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from settling import child_application

    application = child_application()
    print(json.dumps(check_sizes(application, os.environ.get("KERNELPLAY_SCREENSHOTS"))))
