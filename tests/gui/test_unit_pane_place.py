"""Opening a unit moves nothing around the unit pane: in a 1024×700 window, in presentation mode at
200 % and at 100 %, the training controls, the network diagram and the feature maps keep their
place when a class score, an FC unit or a conv pixel is opened (clicked on the scores and the maps,
as a person does), and the pane, the kernels and the probe strip keep theirs from one kind of unit
to another and while stepping through one — the pane's size does not follow its contents, which
scroll inside it. (An FC unit's pane asked 554 px at 200 %, a score's 686: the controls went under
the page; at 100 % the maps were 335, 424 or 366 px wide by the unit.)"""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea

from test_unit_pane_text import present, settle, shown_window


@pytest.fixture
def window(qtbot, qapp):
    with shown_window(qtbot, qapp) as win:
        yield win


def place(window, widget) -> tuple[int, int, int, int]:
    """``widget``'s x, y, width and height on the page (presentation mode's page scrolls: its own
    coordinates, not the window's)."""
    area = window.centralWidget()
    page = area.widget() if isinstance(area, QScrollArea) and area.widget() is not None else window
    corner = widget.mapTo(page, QPoint(0, 0))
    return corner.x(), corner.y(), widget.width(), widget.height()


def around(window) -> dict[str, tuple]:
    """The places of what is around the pane: the controls left of the views (the draw pad's height
    is the rest of the page's), the diagram over the views, the feature maps' corner."""
    tab = window.training
    places = {name: place(window, widget) for name, widget in (
        ("training controls", tab.training_controls), ("architecture", tab.architecture_editor),
        ("model files", tab.model_files), ("diagram", tab.diagram))}
    places["draw pad"] = place(window, tab.draw_pad)[:3]
    places["feature maps"] = place(window, tab.feature_maps)[:2]
    return places


def beside(window) -> dict[str, tuple]:
    """The pane, and what shares the page with it: the feature maps' size (beside the pane they
    make room for it; the scores beside them are hidden while it is open), the kernels and the
    probe strip."""
    tab = window.training
    return {"pane": place(window, tab.units.pane), "pane's least width": tab.units.pane.minimumSizeHint().width(),
            "feature maps": place(window, tab.feature_maps)[2:], "kernels": place(window, tab.filter_grid),
            "probe strip": place(window, tab.probe_strip)}


def open_unit(qtbot, qapp, window, unit):
    """Click ``unit`` — a class score's bar (the pane closed: the scores make room for it), or a unit
    on the feature maps — and wait until the pane explains it and the page holds still."""
    tab = window.training
    stage, channel, row, col = unit
    if stage == "scores":
        tab.units.close()
        settle(qapp, window)
        view = tab.scores_view
        position = view.position_of(channel)
    else:
        view = tab.feature_maps
        position = view.position_of(stage, channel, row, col)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position)
    shown = tab.units.view.explanation
    qtbot.waitUntil(lambda: shown() is not None and (shown().stage, shown().channel) == (stage, channel), timeout=5000)
    settle(qapp, window)


@pytest.mark.parametrize("percent", [200, 100])
def test_opening_a_unit_moves_nothing_around_the_pane(qtbot, qapp, window, percent):
    if percent != 100:
        present(qapp, window, percent)
    closed = around(window)
    units = window.training.units
    seen, problems = {}, []
    for unit in (("scores", 3, 0, 0), ("fc1", 5, 0, 0), ("conv2", 3, 2, 2), ("pool1", 2, 4, 4), ("scores", 7, 0, 0)):
        open_unit(qtbot, qapp, window, unit)
        seen[unit] = beside(window)
        problems += [f"{unit[0]}: the {name} moved from {closed[name]} to {now}"
                     for name, now in around(window).items() if now != closed[name]]
    fc = ("fc1", 5, 0, 0)
    open_unit(qtbot, qapp, window, fc)
    view = units.view
    qtbot.mouseClick(view.button("reset"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.button("forward"), Qt.MouseButton.LeftButton)  # the first sum, the term just added
    settle(qapp, window)
    assert view.current_step == 0
    seen["fc1 at its first step"] = beside(window)
    first = seen[("scores", 3, 0, 0)]
    for unit, places in seen.items():
        problems += [f"{unit}: the {name} is {now}, with a score open {first[name]}"
                     for name, now in places.items() if now != first[name]]
    assert problems == [], "\n".join(problems)
    if percent != 100:  # the controls stayed beside the views, left of them
        tab = window.training
        assert place(window, tab.training_controls)[0] < place(window, tab.feature_maps)[0]


def test_what_it_looks_for_takes_the_panes_place_at_250_percent(qtbot, qapp, window):
    """The pane's second page is narrower than its first, and presentation mode has a hidden page
    ignored by the layouts: the pane must not go from under the views to beside them when it shows."""
    present(qapp, window, 250)
    units = window.training.units
    open_unit(qtbot, qapp, window, ("conv2", 3, 2, 2))
    steps = beside(window)
    bar = units.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    qtbot.waitUntil(lambda: units.looks.result is not None, timeout=10000)
    settle(qapp, window)
    assert units.tabs.currentWidget() is units.looks
    assert beside(window) == steps
