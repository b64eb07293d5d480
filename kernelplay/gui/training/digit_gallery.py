"""Held-out digits as ConvNetJS shows its test set: each digit with the network's top-3 guesses as
bars — green for the true digit, red for a wrong first guess, grey otherwise. A list view in icon
mode: only the tiles in sight are painted, so all 2,000 (or MNIST's 10,000) digits scroll smoothly."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QItemSelectionModel, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from kernelplay.nn.datasets import Digits
from kernelplay.nn.evaluation import Evaluation
from kernelplay.gui.qt_arrays import array_to_qpixmap
from kernelplay.gui.theme import blend

__all__ = ["DigitGallery", "DigitGalleryModel", "INDEX_ROLE"]

INDEX_ROLE = Qt.ItemDataRole.UserRole  # the digit's index in the held-out set
_ZOOM = 2  # a 28×28 digit drawn 56×56
_PAD = 4
_RIGHT, _WRONG = QColor("#2e9e4f"), QColor("#d43d3d")  # read on white and on the dark palette's Base
_PIXMAP_CACHE = 4096  # digits kept drawn; more than a screen shows many times over
_ROWS_ASKED = 3  # rows of tiles the gallery asks for: its height where it is under the matrix


class DigitGalleryModel(QAbstractListModel):
    """The digits ``indices`` (into ``digits``) with their scores from ``evaluation``."""

    def __init__(self, digits: Digits, parent=None) -> None:
        super().__init__(parent)
        self.digits = digits
        self.evaluation: Evaluation | None = None
        self.indices = np.zeros(0, np.intp)
        self._guesses = self._scores = np.zeros((0, 3))
        self._pixmaps: dict[int, QPixmap] = {}

    def show(self, evaluation: Evaluation | None, indices: np.ndarray) -> None:
        self.beginResetModel()
        self.evaluation = evaluation
        self.indices = np.asarray(indices, dtype=np.intp)
        if evaluation is not None:
            self._guesses, self._scores = evaluation.top_guesses(3)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.indices)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        i = int(self.indices[index.row()])
        if role == INDEX_ROLE:
            return i
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.describe(i)
        return None

    def describe(self, i: int) -> str:
        label = int(self.digits.labels[i])
        if self.evaluation is None:
            return f"held-out digit #{i}, a {label}"
        guesses = ", ".join(f"{g} ({100 * s:.0f} %)" for g, s in zip(self._guesses[i], self._scores[i]))
        verdict = "right" if self._guesses[i][0] == label else "wrong"
        return f"held-out digit #{i}, a {label}: read as {guesses} — {verdict}. Click to make it the probe."

    def guesses(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self._guesses[i], self._scores[i]

    def pixmap(self, i: int) -> QPixmap:
        pixmap = self._pixmaps.get(i)
        if pixmap is None:
            if len(self._pixmaps) >= _PIXMAP_CACHE:
                self._pixmaps.clear()
            image = np.repeat(np.repeat(self.digits.images[i], _ZOOM, axis=0), _ZOOM, axis=1)
            pixmap = self._pixmaps[i] = array_to_qpixmap(image)
        return pixmap


class _TileDelegate(QStyledItemDelegate):
    """The digit on the left; on the right three rows: the guess, a bar as long as its score."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return self.parent().tile

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        model: DigitGalleryModel = index.model()
        i = index.data(INDEX_ROLE)
        rect = QRectF(option.rect).adjusted(1, 1, -1, -1)
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        ground, ink = option.palette.color(QPalette.ColorRole.Base), option.palette.color(QPalette.ColorRole.Text)
        highlight = option.palette.color(QPalette.ColorRole.Highlight)
        painter.fillRect(rect, blend(ground, highlight, 0.3) if selected else ground)
        other = blend(ground, ink, 0.3)  # a guess neither right nor wrong first: grey on either ground
        side = 28 * _ZOOM
        painter.drawPixmap(int(rect.left() + _PAD), int(rect.top() + (rect.height() - side) / 2), model.pixmap(i))
        if model.evaluation is not None:
            label = int(model.digits.labels[i])
            guesses, scores = model.guesses(i)
            metrics = QFontMetricsF(option.font)
            x = rect.left() + _PAD + side + _PAD
            digit_width = metrics.horizontalAdvance("0") + 3
            bar_room = rect.right() - _PAD - x - digit_width
            row_height = (rect.height() - 2 * _PAD) / 3
            for row, (guess, score) in enumerate(zip(guesses, scores)):
                top = rect.top() + _PAD + row * row_height
                colour = _RIGHT if guess == label else _WRONG if row == 0 else other
                painter.setPen(ink)
                painter.drawText(QRectF(x, top, digit_width, row_height), Qt.AlignmentFlag.AlignVCenter, str(guess))
                bar = QRectF(x + digit_width, top + 3, max(bar_room * float(score), 1.0), row_height - 6)
                painter.fillRect(bar, colour)
            if guesses[0] != label:
                painter.setPen(QPen(_WRONG, 2))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
        if selected:
            painter.setPen(QPen(option.palette.highlight().color(), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()


def tile_size(metrics: QFontMetricsF) -> QSize:
    """A digit and room beside it for three guesses: a digit and a bar of up to 44 px each."""
    side = 28 * _ZOOM
    row = max(metrics.height(), side / 3)
    return QSize(int(_PAD + side + _PAD + metrics.horizontalAdvance("0") + 3 + 44 + _PAD + 2),
                 int(max(side, 3 * row) + 2 * _PAD + 2))


class DigitGallery(QListView):
    """A wrapping grid of digit tiles; ``digit_clicked(index into the held-out set)``."""

    digit_clicked = Signal(int)

    def __init__(self, digits: Digits, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Held-out digits and their top-3 guesses")
        self.gallery_model = DigitGalleryModel(digits, self)
        self.setModel(self.gallery_model)
        self.setItemDelegate(_TileDelegate(self))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(2)
        self.tile = tile_size(QFontMetricsF(self.font()))  # widened to share out the view's width
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(tile_size(QFontMetricsF(self.font())).height() // 3)
        self.clicked.connect(lambda index: self.digit_clicked.emit(int(index.data(INDEX_ROLE))))

    def sizeHint(self) -> QSize:
        # where the page scrolls (presentation mode) and the gallery is under the matrix, it is as
        # tall as it asks: a list view's own 192 px were two rows at 200 %
        rows = _ROWS_ASKED * (tile_size(QFontMetricsF(self.font())).height() + 2 * self.spacing())
        return QSize(super().sizeHint().width(), rows + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:
        smallest = tile_size(QFontMetricsF(self.font()))
        room = self.viewport().width() - 2 * self.spacing() - 1
        columns = max(1, room // (smallest.width() + 2 * self.spacing()))
        width = max(smallest.width(), room // columns - 2 * self.spacing())
        if width != self.tile.width():  # longer bars, and no empty strip at the right
            self.tile = QSize(width, smallest.height())
            self.scheduleDelayedItemsLayout()
        super().resizeEvent(event)

    def keyPressEvent(self, event) -> None:
        current = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and current.isValid():
            self.digit_clicked.emit(int(current.data(INDEX_ROLE)))
        else:
            super().keyPressEvent(event)

    def shown_indices(self) -> list[int]:
        """The held-out indices on show, in order."""
        return self.gallery_model.indices.tolist()

    def show_digits(self, evaluation: Evaluation | None, indices: np.ndarray, *, keep_scroll: bool = False) -> None:
        """Show ``indices`` (into the held-out set) with their scores in ``evaluation``; with
        ``keep_scroll`` (a newer evaluation of the same choice) the view stays where it was."""
        scroll = self.verticalScrollBar().value()
        self.gallery_model.show(evaluation, indices)
        if keep_scroll:
            self.verticalScrollBar().setValue(scroll)
        else:
            self.scrollToTop()

    def mark(self, index: int | None) -> None:
        """Select the tile of held-out digit ``index`` (the probe), if it is on show; the view stays
        where it is (a current index would scroll to it)."""
        rows = np.flatnonzero(self.gallery_model.indices == index) if index is not None else []
        if len(rows):
            self.selectionModel().select(self.gallery_model.index(int(rows[0])),
                                         QItemSelectionModel.SelectionFlag.ClearAndSelect)
        else:
            self.clearSelection()

    def marked(self) -> int | None:
        """The held-out index of the selected tile, or None."""
        rows = self.selectionModel().selectedIndexes()
        return int(rows[0].data(INDEX_ROLE)) if rows else None

    def tile_rect(self, index: int):
        """Where held-out digit ``index``'s tile is drawn (viewport pixels), for tests and tips."""
        row = int(np.flatnonzero(self.gallery_model.indices == index)[0])
        model_index = self.gallery_model.index(row)
        self.scrollTo(model_index)
        return self.visualRect(model_index)
