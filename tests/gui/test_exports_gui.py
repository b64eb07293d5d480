"""What a teacher takes away, through the window: a training run saved and opened again (timeline,
curves and settings back), right-click ▸ Save image… on the views (PNG at 1× and 2×), the kernels'
animation (a GIF with a frame per checkpoint), the curves and the confusion matrix as CSV."""
import csv

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from synthetic_digits import SMALL, bar_digits
from kernelplay.gui.main_window import MainWindow
from kernelplay.gui.training.training_tab import TrainingTab
from training_tabs import step_to

TIMEOUT = 10_000


class Window(MainWindow):
    @staticmethod
    def _create_training_tab():
        return TrainingTab(data=bar_digits(), config=SMALL, snapshot_interval=0.0, redraw_interval_ms=10, threads=1)


@pytest.fixture
def make_window(qtbot):
    windows = []

    def make():
        window = Window()
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        window.tabs.setCurrentWidget(window.training)
        qtbot.waitUntil(lambda: window.training.latest_snapshot() is not None, timeout=TIMEOUT)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def test_a_saved_run_opens_again_with_its_timeline_curves_and_settings(qtbot, make_window, tmp_path):
    first = make_window()
    tab = first.training
    tab.training_controls.learning_rate_box.setCurrentText("0.003")
    tab.training_controls.batch_size_box.setCurrentText("32")
    step_to(qtbot, tab, 4)
    with qtbot.waitSignal(tab.session.run_saved, timeout=TIMEOUT):
        first.save_training_run(tmp_path / "run.npz")
    assert "Saved the training run (5 checkpoints" in tab.reason_label.note()

    second = make_window()
    other = second.training
    step_to(qtbot, other, 1)
    with qtbot.waitSignal(other.session.run_loaded, timeout=TIMEOUT):
        second.open_training_run(tmp_path / "run.npz")
    qtbot.waitUntil(lambda: other.time_travel.timeline.points == tab.time_travel.timeline.points
                    and other.latest_snapshot().step == 4, timeout=TIMEOUT)
    assert other.session.history.steps == tab.session.history.steps == [1, 2, 3, 4]
    assert other.training_controls.learning_rate_box.currentText() == "0.003"
    assert other.training_controls.batch_size_box.currentText() == "32"
    assert "Opened the training run run.npz" in other.reason_label.note()
    # and it looks back: step 2 as the first window shows it
    for tab_ in (tab, other):
        tab_.time_travel.view_step(2)
        qtbot.waitUntil(lambda t=tab_: t.session.latest_step_view is not None, timeout=TIMEOUT)
    for name, kernels in tab.filter_grid.weights.items():
        np.testing.assert_array_equal(other.filter_grid.weights[name], kernels)


def test_save_image_writes_a_png_the_size_of_the_view_or_twice_it(qtbot, make_window, tmp_path, monkeypatch):
    window = make_window()
    tab = window.training
    step_to(qtbot, tab, 2)
    views = {"confusion-matrix": tab.time_travel.mistakes.matrix_view, "kernels": tab.filter_grid,
             "curves": tab.curves, "input": window.playground.images.input_view}
    for name, view in views.items():
        window.tabs.setCurrentWidget(window.playground if name == "input" else tab)
        tab.time_travel.show_page("Mistakes" if name == "confusion-matrix" else "Network")
        qtbot.waitUntil(view.isVisible)
        save_image, save_double = view.actions()[-2:]
        assert (save_image.text(), save_double.text()) == ("Save image…", "Save image at 2×…")
        for action, scale in ((save_image, 1), (save_double, 2)):
            path = tmp_path / f"{name}-{scale}x"  # the suffix is added
            monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, p=path: (str(p), "PNG image (*.png)"))
            action.trigger()
            with Image.open(f"{path}.png") as image:
                assert image.format == "PNG" and image.size == (scale * view.width(), scale * view.height()), name
                pixels = np.asarray(image.convert("L"))
            assert pixels.std() > 5, f"{name} at {scale}×: a blank image"
        assert f"Saved {name}-2x.png ({2 * view.width()}×{2 * view.height()} pixels)." in window.message_bar.text()
    playground = window.playground
    for view in (playground.images.output_view, playground.step_panel, playground.scan_view, tab.feature_maps,
                 tab.scores_view, tab.diagram, tab.time_travel.mistakes.gallery):
        assert [a.text() for a in view.actions()][-2:] == ["Save image…", "Save image at 2×…"]


def test_a_right_click_on_a_plot_offers_save_image(qtbot, make_window):
    window = make_window()
    tab = window.training
    menus = []

    def close_menu():
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            menus.append([a.text() for a in menu.actions()])
            menu.close()

    for view in (tab.curves.loss_plot, tab.scores_view, tab.filter_grid):
        QTimer.singleShot(200, close_menu)
        target = view.viewport() if hasattr(view, "viewport") else view
        centre = target.rect().center()
        # the menu runs its own event loop until the timer closes it
        QApplication.sendEvent(target, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, centre,
                                                         target.mapToGlobal(centre)))
    assert [m[-2:] for m in menus] == [["Save image…", "Save image at 2×…"]] * 3
    assert menus[2][0].startswith("Open") and menus[2][0].endswith("in the playground")  # a kernel's own item


def test_the_kernel_animation_and_the_csv_files(qtbot, make_window, tmp_path):
    window = make_window()
    tab = window.training
    step_to(qtbot, tab, 3)
    with qtbot.waitSignal(tab.session.animation_exported, timeout=TIMEOUT):
        window.export_kernel_animation(tmp_path / "kernels.gif")
    with Image.open(tmp_path / "kernels.gif") as gif:
        assert gif.format == "GIF" and gif.n_frames == len(tab.session.checkpoints) == 4
    assert "(4 frames)" in tab.reason_label.note()

    assert window.export_curves_csv(tmp_path / "curves.csv")
    rows = list(csv.reader((tmp_path / "curves.csv").open(encoding="utf-8")))
    assert rows[0] == ["step", "digits seen", "loss", "running accuracy", "held-out accuracy", "learning rate"]
    assert [int(r[0]) for r in rows[1:]] == [1, 2, 3] and [int(r[1]) for r in rows[1:]] == [64, 128, 192]

    assert not window.export_confusion_csv(tmp_path / "none.csv")  # no evaluation yet: it says so
    assert "no confusion matrix yet" in tab.reason_label.note() and not (tmp_path / "none.csv").exists()
    page = tab.time_travel.mistakes
    with qtbot.waitSignal(tab.session.evaluation_received, timeout=TIMEOUT):
        page.evaluate_button.click()
    assert window.export_confusion_csv(tmp_path / "confusion.csv")
    rows = list(csv.reader((tmp_path / "confusion.csv").open(encoding="utf-8")))
    assert rows[0] == ["true\\predicted", *map(str, range(10))]
    np.testing.assert_array_equal(np.array([r[1:] for r in rows[1:]], int), page.evaluation.matrix)


def test_every_save_into_a_missing_folder_is_one_sentence_naming_the_file_and_the_reason(
        qtbot, make_window, tmp_path, monkeypatch):
    window = make_window()
    tab = window.training
    step_to(qtbot, tab, 2)
    page = tab.time_travel.mistakes
    with qtbot.waitSignal(tab.session.evaluation_received, timeout=TIMEOUT):
        page.evaluate_button.click()
    gone = tmp_path / "gone"
    missing = f"the folder {gone} does not exist."

    assert not window.export_curves_csv(gone / "c.csv")
    assert window.message_bar.text() == f"Cannot save c.csv: {missing}"
    assert not window.export_confusion_csv(gone / "m.csv")
    assert window.message_bar.text() == f"Cannot save m.csv: {missing}"
    for name, save in (("run.npz", window.save_training_run), ("k.gif", window.export_kernel_animation),
                       ("model.npz", tab.save_model)):
        with qtbot.waitSignal(tab.session.failed, timeout=TIMEOUT):
            save(gone / name)
        assert window.message_bar.text() == tab.reason_label.note() == f"Cannot save {name}: {missing}"
    with qtbot.waitSignal(tab.session.failed, timeout=TIMEOUT):
        window.export_kernel_animation(tmp_path / "k.bmp")
    assert window.message_bar.text() == "Cannot save k.bmp: the name must end in .gif, .png, .apng."

    save_image = tab.curves.actions()[-2]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(gone / "curves.png"), "PNG image (*.png)"))
    save_image.trigger()
    assert window.message_bar.text() == f"Cannot save curves.png: {missing}"
    assert not gone.exists() and not list(tmp_path.iterdir())
