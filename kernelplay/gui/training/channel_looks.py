"""What a channel looks for: the held-out digits that excite a conv or pool map most, each with the
receptive field of its strongest unit outlined, their average and the average of those fields.

:class:`TopActivatingJob` runs :func:`~kernelplay.nn.top_activating.top_activating` in a thread of
its own on a copy of the network (~110 ms for a conv2 channel over 2,000 digits, on one core), so
the window never waits for it; of the requests made while one runs, only the newest is done next.
:class:`ChannelLooks` draws the result; a click on a digit makes it the probe.
"""
from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from kernelplay.gui.qt_arrays import array_to_qimage
from kernelplay.gui.text_scale import px, scaled_font
from kernelplay.gui.theme import keep_ink
from kernelplay.gui.training.page_layout import DownScrollArea
from kernelplay.gui.training.unit_grids import MARK_COLOUR
from kernelplay.nn.network import Network
from kernelplay.nn.top_activating import TopActivating, top_activating

__all__ = ["TopActivatingJob", "ChannelLooks", "DigitTiles"]

COUNT = 9  # digits shown: a 3×3 block
CAPTION_PX = 12  # the tiles' captions at the design font
TILE_SIDES = (40.0, 110.0)  # a tile's side, at least and at most (at the design font: the most grows with the text)
TILE_GAP = 8


class TopActivatingJob(QObject):
    """:meth:`request` computes ``top_activating`` off the GUI thread; ``finished(key, result)``
    follows on the GUI thread (``key`` says what was asked: stage, channel, the step of the weights).
    ``busy`` while one runs; requests made meanwhile wait, and only the newest of them is run."""

    finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self.seconds: list[float] = []  # the time of each computation, for the measurement of its cost
        self._waiting: tuple | None = None
        self._lock = threading.Lock()

    def request(self, network: Network, digits: np.ndarray, stage: str, channel: int, key) -> None:
        """``network`` must be the job's own (a copy): it is read in another thread."""
        with self._lock:
            if self.busy:
                self._waiting = (network, digits, stage, channel, key)
                return
            self.busy = True
        self._start(network, digits, stage, channel, key)

    def _start(self, network, digits, stage, channel, key) -> None:
        threading.Thread(target=self._run, args=(network, digits, stage, channel, key),
                         name="kernelplay-top-activating", daemon=True).start()

    def _run(self, network, digits, stage, channel, key) -> None:
        start = time.perf_counter()
        result = top_activating(network, digits, stage, channel, COUNT)
        self.seconds.append(time.perf_counter() - start)
        with self._lock:
            following, self._waiting = self._waiting, None
            self.busy = following is not None
        try:
            self.finished.emit(key, result)  # queued to the GUI thread, where this object lives
        except RuntimeError:  # the tab was closed meanwhile
            return
        if following is not None:
            self._start(*following)


class DigitTiles(QWidget):
    """Grey 28×28 tiles in a grid, each with a box outlined and a caption under it, at the text size
    (on two lines, broken after its ":", where one is wider than its tile); a click on a tile says
    which (``tile_clicked(index)``)."""

    tile_clicked = Signal(int)

    def __init__(self, columns: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.tiles: list[tuple[np.ndarray, tuple | None, str]] = []  # (image (h, w) in [0, 1], box, caption)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_tiles(self, tiles: list[tuple[np.ndarray, tuple | None, str]]) -> None:
        self.tiles = tiles
        self.updateGeometry()
        self.update()

    def caption_font(self) -> QFont:
        return scaled_font(CAPTION_PX, self)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the captions and the tiles grow
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def _side(self, width: float) -> float:
        return max(TILE_SIDES[0], min(px(TILE_SIDES[1], self), (width - TILE_GAP * self.columns) / self.columns))

    def _broken(self, width: float) -> bool:
        """Whether the captions go on two lines: where one is wider than its tile (and the gap)."""
        room = self._side(width) + TILE_GAP
        metrics = QFontMetricsF(self.caption_font())
        return any(metrics.horizontalAdvance(text) > room for _, _, text in self.tiles)

    def caption_lines(self, caption: str, width: float | None = None) -> list[str]:
        """``caption`` as drawn under a tile of the strip at ``width``: one line, or two."""
        first, colon, rest = caption.partition(": ")
        if colon and self._broken(self.width() if width is None else width):
            return [first + colon.rstrip(), rest]
        return [caption]

    def _line(self, width: float | None = None) -> float:
        lines = 2 if self._broken(self.width() if width is None else width) else 1
        return lines * QFontMetricsF(self.caption_font()).lineSpacing() + 2

    def tile_rect(self, index: int, width: float | None = None) -> QRectF:
        side = self._side(self.width() if width is None else width)
        row, col = divmod(index, self.columns)
        return QRectF(col * (side + TILE_GAP), row * (side + self._line(width) + 6), side, side)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rows = -(-len(self.tiles) // self.columns)
        return int(rows * (self._side(width) + self._line(width) + 6))

    def sizeHint(self) -> QSize:
        return QSize(300, self.heightForWidth(300))

    def minimumSizeHint(self) -> QSize:
        return QSize(3 * 48, 0)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        font = self.caption_font()
        painter.setFont(font)
        line = QFontMetricsF(font).lineSpacing()
        ink = self.palette().color(self.foregroundRole())
        for i, (image, box, caption) in enumerate(self.tiles):
            rect = self.tile_rect(i)
            grey = np.clip(np.rint(np.asarray(image, dtype=np.float64) * 255), 0, 255).astype(np.uint8)
            painter.drawImage(rect, array_to_qimage(grey))
            if box is not None:
                h, w = grey.shape
                top, left, bottom, right = box
                scale_y, scale_x = rect.height() / h, rect.width() / w
                painter.setPen(QPen(MARK_COLOUR, 2))
                painter.drawRect(QRectF(rect.left() + left * scale_x, rect.top() + top * scale_y,
                                        (right - left) * scale_x, (bottom - top) * scale_y))
            painter.setPen(ink)
            for n, text in enumerate(self.caption_lines(caption)):
                painter.drawText(QRectF(rect.left() - TILE_GAP / 2, rect.bottom() + 2 + n * line, rect.width() + TILE_GAP,
                                        line), Qt.AlignmentFlag.AlignHCenter, text)
        painter.end()

    def mousePressEvent(self, event) -> None:
        for i in range(len(self.tiles)):
            if self.tile_rect(i).contains(QPointF(event.position())):
                self.tile_clicked.emit(i)
                return
        super().mousePressEvent(event)


class ChannelLooks(QWidget):
    """The top digits of a channel (:class:`~kernelplay.nn.top_activating.TopActivating`), their
    average and field average. ``digit_chosen(held-out index, row, col)``: a digit clicked, with its
    strongest unit."""

    digit_chosen = Signal(int, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("What the channel looks for")
        self.result: TopActivating | None = None
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        keep_ink(self.status, "muted")
        self.digits = DigitTiles()
        self.digits.setToolTip("Click a digit to make it the probe and explain its strongest unit.")
        self.digits.tile_clicked.connect(self._on_tile_clicked)
        self.averages_caption = QLabel()
        self.averages_caption.setWordWrap(True)
        self.averages = DigitTiles(columns=2)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(6, 4, 6, 4)
        for widget in (self.caption, self.status, self.digits, self.averages_caption, self.averages):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = DownScrollArea(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def show_result(self, result: TopActivating | None, images: np.ndarray, labels: np.ndarray,
                    field_size: int) -> None:
        """Draw ``result`` (None: nothing yet). ``images`` ``(N, 28, 28)`` in [0, 1] and ``labels``
        are the digits the result indexes; ``field_size`` the receptive field's side."""
        self.result = result
        if result is None:
            self.caption.setText("")
            self.digits.set_tiles([])
            self.averages.set_tiles([])
            self.averages_caption.setText("")
            return
        name = f"{result.stage} map {result.channel}"
        self.caption.setText(f"The {len(result)} held-out digits (of {len(images):,}) on which <b>{name}</b> fires "
                             f"most, strongest first; outlined, the {field_size}×{field_size} part of the digit its "
                             "strongest unit sees (its receptive field). Click one to make it the probe.")
        self.digits.set_tiles([(images[hit.index], tuple(hit.box), f"#{hit.index} ({int(labels[hit.index])}): "
                                f"{hit.value:.2f}") for hit in result])
        self.averages_caption.setText("Their average, and the average of their receptive fields laid on top "
                                      "of each other — the pattern the channel responds to:")
        top = max(float(result.field_average.max()), 1e-9)
        self.averages.set_tiles([(result.average, None, "average"), (result.field_average / top, None, "fields' average")])

    def _on_tile_clicked(self, index: int) -> None:
        if self.result is not None and index < len(self.result):
            hit = self.result.hits[index]
            self.digit_chosen.emit(hit.index, *hit.unit)
