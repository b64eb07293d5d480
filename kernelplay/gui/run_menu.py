"""The window's menu items for the training tab's files — File ▸ Save Training Run…, Open Training
Run…, Export ▸ Kernel Animation / Curves / Confusion Matrix — with their file dialogs; and
right-click ▸ Save image… on every view of both tabs."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from kernelplay.gui.export_menu import add_save_image_actions

__all__ = ["add_run_menu_items", "add_save_image_menus", "RUN_FILTER", "ANIMATION_FILTER", "CSV_FILTER"]

RUN_FILTER = "kernelplay training run (*.npz);;All files (*)"
ANIMATION_FILTER = "Animated GIF (*.gif);;Animated PNG (*.png)"
CSV_FILTER = "CSV table (*.csv)"


def _ask(window, title: str, proposed: str, filters: str, suffix: str, save: bool = True) -> str:
    """A path from a file dialog ("" when cancelled), given ``suffix`` when it has none of its own."""
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    path, chosen = ask(window, title, proposed if save else "", filters)
    if path and save and not Path(path).suffix:
        path += ".png" if "PNG" in chosen else suffix
    return path


def add_run_menu_items(window, file_menu: QMenu) -> None:
    """Add the training run and export items to ``file_menu``; each calls the window's method of
    the same name with the chosen path (``save_training_run``, ``open_training_run``,
    ``export_kernel_animation``, ``export_curves_csv``, ``export_confusion_csv``)."""

    def item(menu: QMenu, text: str, tip: str, method: str, title: str, proposed: str, filters: str,
             suffix: str, save: bool = True) -> None:
        def triggered() -> None:
            path = _ask(window, title, proposed, filters, suffix, save)
            if path:
                getattr(window, method)(path)

        menu.addAction(text, triggered).setStatusTip(tip)

    item(file_menu, "Save &Training Run…", "Save the training run: its checkpoints, curves and settings",
         "save_training_run", "Save Training Run", "training-run.npz", RUN_FILTER, ".npz")
    item(file_menu, "Open Training R&un…", "Go on from a saved training run, its timeline restored",
         "open_training_run", "Open Training Run", "", RUN_FILTER, ".npz", save=False)
    export = file_menu.addMenu("&Export")
    item(export, "&Kernel Animation…", "The conv1 kernels over the run as an animated GIF",
         "export_kernel_animation", "Export Kernel Animation", "kernels.gif", ANIMATION_FILTER, ".gif")
    item(export, "&Curves as CSV…", "Step, digits seen, loss, accuracies and learning rate, a row per point",
         "export_curves_csv", "Export Curves", "curves.csv", CSV_FILTER, ".csv")
    item(export, "Confusion &Matrix as CSV…", "The confusion matrix on the Mistakes page",
         "export_confusion_csv", "Export Confusion Matrix", "confusion-matrix.csv", CSV_FILTER, ".csv")


def add_save_image_menus(window, training: QWidget | None = None) -> list[QWidget]:
    """Right-click ▸ Save image… on every view of the playground (a PNG named for it), or of
    ``training`` when given (the window adds those when it has built that tab); returns the views."""
    playground = window.playground
    views = {"input": playground.images.input_view, "output": playground.images.output_view,
             "step-panel": playground.step_panel, "scan": playground.scan_view}
    if training is not None:
        mistakes = training.time_travel.mistakes
        views = {"feature-maps": training.feature_maps, "scores": training.scores_view,
                 "kernels": training.filter_grid, "curves": training.curves, "network": training.diagram,
                 "confusion-matrix": mistakes.matrix_view, "digits": mistakes.gallery}
    for name, view in views.items():
        add_save_image_actions(view, name, window.show_message)
    return list(views.values())
