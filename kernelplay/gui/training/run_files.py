"""The training tab's files beyond a model: the whole run (checkpoints, curves, settings) saved and
opened again, the conv1 kernels' evolution as an animation, the curves and the confusion matrix as
CSV. The worker writes the run and the animation (it holds the checkpoints); the CSVs are written
here from what the tab holds. Every outcome is a sentence on ``message_posted`` (failures come as the
session's ``failed``)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from kernelplay.common.files import FileSaveError, save_failure
from kernelplay.nn.exports import write_confusion_csv, write_curves_csv
from kernelplay.nn.snapshot import Snapshot

__all__ = ["RunFiles"]


class RunFiles(QObject):
    """``tab``: the training tab (its session, controls and architecture editor); ``mistakes``: the
    page whose confusion matrix :meth:`export_confusion_csv` writes."""

    message_posted = Signal(str)

    def __init__(self, tab, mistakes) -> None:
        super().__init__(tab)
        self.tab, self.session, self.mistakes = tab, tab.session, mistakes
        self._show_next_config = False  # a run was loaded: its architecture goes into the editor
        self.session.run_saved.connect(self._on_run_saved)
        self.session.run_loaded.connect(self._on_run_loaded)
        self.session.animation_exported.connect(self._on_animation_exported)
        self.session.snapshot_received.connect(self._on_snapshot_received)

    def save_run(self, path: str | Path) -> None:
        """Write the run to ``path`` (the worker does; a message follows)."""
        self.session.save_run(path)

    def open_run(self, path: str | Path) -> None:
        """Go on from the run in ``path``: its timeline, curves and settings come back."""
        self.session.load_run(path)

    def export_kernel_animation(self, path: str | Path) -> None:
        """The conv1 kernels over the checkpoints, as a ``.gif`` (or ``.png`` APNG)."""
        self.session.export_kernel_animation(path)

    def export_curves_csv(self, path: str | Path) -> bool:
        """Write the curves as they are now: step, digits seen, loss, running accuracy, held-out
        accuracy, learning rate — a row per point."""
        curves = self.session.curves()
        try:
            write_curves_csv(path, curves)
        except FileSaveError as error:
            self.message_posted.emit(save_failure(path, error))
            return False
        self.message_posted.emit(f"Saved {len(curves.samples):,} points of the curves to {Path(path).name}.")
        return True

    def export_confusion_csv(self, path: str | Path) -> bool:
        """Write the confusion matrix on show on the Mistakes page (rows = true digit)."""
        evaluation = self.mistakes.evaluation
        if evaluation is None:
            self.message_posted.emit("There is no confusion matrix yet: evaluate the held-out digits first "
                                     "(Mistakes page ▸ Evaluate now).")
            return False
        try:
            write_confusion_csv(path, evaluation.matrix)
        except FileSaveError as error:
            self.message_posted.emit(save_failure(path, error))
            return False
        self.message_posted.emit(f"Saved the confusion matrix at step {self.mistakes.step:,} to {Path(path).name}.")
        return True

    @Slot(str)
    def _on_run_saved(self, path: str) -> None:
        count = len(self.session.checkpoints)
        self.message_posted.emit(f"Saved the training run ({count:,} checkpoints, the curves and the settings) "
                                 f"to {path}.")

    @Slot(str, object)
    def _on_run_loaded(self, path: str, settings: dict) -> None:
        self.tab.training_controls.show_settings(settings)
        if self.session.latest is not None:
            self.tab.architecture_editor.show_config(self.session.latest.config)
        self._show_next_config = True  # in case the loaded network's first snapshot is still to come
        self.message_posted.emit(f"Opened the training run {Path(path).name}: drag the timeline to look back.")

    @Slot(object)
    def _on_snapshot_received(self, snapshot: Snapshot) -> None:
        if self._show_next_config:
            self._show_next_config = False
            self.tab.architecture_editor.show_config(snapshot.config)

    @Slot(str, int)
    def _on_animation_exported(self, path: str, frames: int) -> None:
        self.message_posted.emit(f"Saved the kernels' evolution ({frames:,} frames) to {path}.")
