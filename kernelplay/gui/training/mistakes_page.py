"""The training tab's Mistakes page: the confusion matrix of the held-out digits (per-class accuracy
beside it, the most-confused pairs under it) and a gallery of the digits with their top-3 guesses —
all of them, the mistakes only, or the digits of the cell clicked. A digit clicked becomes the probe."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kernelplay.nn.datasets import Digits
from kernelplay.nn.evaluation import Evaluation
from kernelplay.gui.training.confusion_view import ConfusionMatrixView
from kernelplay.gui.training.digit_gallery import DigitGallery
from kernelplay.gui.training.page_layout import FoldingRow

__all__ = ["MistakesPage", "ALL", "MISTAKES"]

ALL, MISTAKES = "all", "mistakes"  # what the gallery shows, besides a cell (true, predicted)
NO_EVALUATION = ("No held-out evaluation yet. One comes at the end of each epoch (each pass over the training "
                 "digits); press Evaluate now to count one with the weights as they are.")
PAIRS_SHOWN = 5


class MistakesPage(QWidget):
    """``probe_chosen(index into the held-out set)`` when a digit is clicked; ``evaluate_clicked``."""

    probe_chosen = Signal(int)
    evaluate_clicked = Signal()

    def __init__(self, heldout: Digits, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Mistakes")
        self.heldout = heldout
        self.evaluation: Evaluation | None = None
        self.step: int | None = None  # the step the shown evaluation belongs to
        self.choice: str | tuple[int, int] = ALL
        self.probe: int | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.evaluate_button = QPushButton("Evaluate now")
        self.evaluate_button.setToolTip("Count the held-out digits with the weights as they are now.")
        self.matrix_view = ConfusionMatrixView()
        self.matrix_view.set_placeholder(NO_EVALUATION)
        self.pairs_label = QLabel()
        self.pairs_label.setWordWrap(True)
        self.pairs_label.setTextFormat(Qt.TextFormat.RichText)
        self.pairs_label.setToolTip("The mistakes the network makes most often. Click one to see those digits.")
        self.gallery_title = QLabel()
        self.gallery_title.setWordWrap(True)
        self.mistakes_box = QCheckBox("Mistakes only")
        self.mistakes_box.setToolTip("Show only the digits the network reads wrong, the most confident first.")
        self.all_button = QPushButton("All digits")
        self.all_button.setToolTip("Show every held-out digit again.")
        self.gallery = DigitGallery(heldout)
        self._build()
        self.matrix_view.cell_clicked.connect(self.show_cell)
        self.pairs_label.linkActivated.connect(self._on_pair_link)
        self.mistakes_box.toggled.connect(self._on_mistakes_toggled)
        self.all_button.clicked.connect(lambda: self._choose(ALL))
        self.evaluate_button.clicked.connect(self.evaluate_clicked)
        self.gallery.digit_clicked.connect(self._on_digit_clicked)
        self.show_evaluation(None, None)

    def _build(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.evaluate_button, 0, Qt.AlignmentFlag.AlignTop)
        matrix_side = QWidget()
        matrix_column = QVBoxLayout(matrix_side)
        matrix_column.setContentsMargins(0, 0, 0, 0)
        matrix_column.addWidget(self.matrix_view)
        matrix_column.addWidget(self.pairs_label)
        matrix_column.addStretch(1)
        gallery_header = QHBoxLayout()
        gallery_header.addWidget(self.mistakes_box)
        gallery_header.addStretch(1)
        gallery_header.addWidget(self.all_button)
        gallery_side = QWidget()
        gallery_column = QVBoxLayout(gallery_side)
        gallery_column.setContentsMargins(0, 0, 0, 0)
        gallery_column.addWidget(self.gallery_title)
        gallery_column.addLayout(gallery_header)
        gallery_column.addWidget(self.gallery, 1)
        # the gallery under the matrix where the page scrolls (presentation mode) and both do not fit
        row = FoldingRow()
        row.add(matrix_side, 1)
        row.add(gallery_side, 1)
        page = QVBoxLayout(self)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(header)
        page.addWidget(row, 1)

    # --- what it shows --------------------------------------------------------------------------------

    def show_evaluation(self, evaluation: Evaluation | None, step: int | None, *, counting: int | None = None) -> None:
        """Show ``evaluation`` (the held-out digits' scores at ``step``); with ``counting``, the
        evaluation of that step is on its way: the one given (older, or None) is shown dimmed."""
        same_choice = self.evaluation is not None and evaluation is not None
        if evaluation is None:
            self.choice = ALL
            self.mistakes_box.setChecked(False)
            self.matrix_view.select(None)
        self.evaluation, self.step = evaluation, step
        self.matrix_view.set_evaluation(evaluation, dimmed=counting is not None)
        if evaluation is None:
            self.matrix_view.set_placeholder(NO_EVALUATION if counting is None else
                                             f"Counting the held-out digits at step {counting:,}…")
        self.title.setText(self._title_text(counting))
        self.pairs_label.setText(self._pairs_text())
        self._show_gallery(keep_scroll=same_choice)

    def _title_text(self, counting: int | None) -> str:
        if counting is not None:
            return f"<b>Held-out digits</b> — counting them at step {counting:,}…"
        e = self.evaluation
        if e is None:
            return "<b>Held-out digits</b>: what the network reads them as"
        return (f"<b>Held-out digits at step {self.step:,}</b>: {100 * e.accuracy:.1f} % read right "
                f"({e.correct:,} of {len(e):,})")

    def _pairs_text(self) -> str:
        if self.evaluation is None:
            return ""
        pairs = self.evaluation.most_confused(PAIRS_SHOWN)
        if not pairs:
            return "<b>No mistakes.</b>"
        colour = self.palette().color(QPalette.ColorRole.Link).name()  # a label's links keep their first colour
        links = " · ".join(f"<a href='{p.true},{p.predicted}' style='color: {colour}'>{p}</a>" for p in pairs)
        return f"<b>Most confused:</b> {links}"

    def show_cell(self, true: int, predicted: int) -> None:
        """Show the digits of one cell of the matrix in the gallery (as a click on it does)."""
        self._choose((true, predicted))

    def set_probe(self, index: int | None) -> None:
        """Mark held-out digit ``index`` as the probe (None: the probe is a drawn digit)."""
        self.probe = index
        self.gallery.mark(index)

    def shown_cell(self) -> tuple[int, int] | None:
        return self.choice if isinstance(self.choice, tuple) else None

    def _choose(self, choice) -> None:
        self.choice = choice
        self.mistakes_box.blockSignals(True)
        self.mistakes_box.setChecked(choice == MISTAKES)
        self.mistakes_box.blockSignals(False)
        self.matrix_view.select(self.shown_cell())
        self._show_gallery(keep_scroll=False)

    def _show_gallery(self, *, keep_scroll: bool) -> None:
        e, n = self.evaluation, len(self.heldout)
        self.all_button.setVisible(self.choice != ALL)
        if e is None or self.choice == ALL:
            indices = np.arange(n)
            self.gallery_title.setText(f"<b>All {n:,} held-out digits</b>"
                                       + (", each with its top-3 guesses" if e is not None else ""))
        elif self.choice == MISTAKES:
            wrong = e.mistakes()
            indices = wrong[np.argsort(-e.scores[wrong, e.predicted[wrong]], kind="stable")]
            self.gallery_title.setText(f"<b>The {len(indices):,} mistakes</b>, the most confident first")
        else:
            true, predicted = self.choice
            indices = e.cell(true, predicted)
            what = f"{true}s read right" if true == predicted else f"{true}s read as {predicted}"
            self.gallery_title.setText(f"<b>The {len(indices):,} {what}</b>, the most confident first")
        self.gallery.show_digits(e, indices, keep_scroll=keep_scroll)
        self.gallery.mark(self.probe)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.pairs_label.setText(self._pairs_text())
        super().changeEvent(event)

    # --- from the user --------------------------------------------------------------------------------

    @Slot(bool)
    def _on_mistakes_toggled(self, checked: bool) -> None:
        self._choose(MISTAKES if checked else ALL)

    @Slot(str)
    def _on_pair_link(self, link: str) -> None:
        true, predicted = (int(d) for d in link.split(","))
        self.show_cell(true, predicted)

    @Slot(int)
    def _on_digit_clicked(self, index: int) -> None:
        self.set_probe(index)
        self.probe_chosen.emit(index)
