"""The multiply-sum of one output pixel, step by step: window × kernel = products, Σ, mapping.

:class:`StepPanel` draws a :class:`~kernelplay.imaging.explain.PixelExplanation` and computes
nothing the core already did: the running total it builds term by term is the explanation's
``running_sums``, and the final value is its ``shown``.
"""
from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedLayout,
    QStyle,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from kernelplay.common.colormaps import diverging_rgb, symmetric_limit, text_colour_on
from kernelplay.common.text import MINUS, format_number
from kernelplay.imaging.explain import PixelExplanation
from kernelplay.gui.playground.transport import PlayTimer, show_playing, transport_button

DECIMALS = 3  # up to three decimals: enough to check the sums by hand, few enough to read

# The same cyan as the current-term outline on the big images (image_panels._TERM_PEN).
TERM_COLOUR = QColor(0, 200, 255)
TERM_BACKGROUND = "#c4efff"
PENDING_COLOUR = "#8c8c8c"
CAPTION_STYLE = "font-size: 14px; color: #666666;"
HINT = "Hover over a pixel of either image to see how its value is computed.\nClick to pin it, then step through the sum."
PLAY_INTERVAL_MS = 550  # one term every ~half second: slow enough to read each product

BORDER_NAMES = {
    "zero": "zero padding",
    "replicate": "replicate edge",
    "reflect": "reflect",
    "wrap": "wrap around",
    "valid": "valid (no padding)",
}
# What a padding cell holds, as a short tag in the cell and a sentence under the grids.
PADDING_TAGS = {"zero": "pad", "replicate": "copy", "reflect": "mirror", "wrap": "wrap"}
PADDING_SENTENCES = {
    "zero": "outside the image: filled with 0 (zero padding)",
    "replicate": "outside the image: a copy of the nearest edge pixel (replicate)",
    "reflect": "outside the image: mirrored across the edge (reflect)",
    "wrap": "outside the image: taken from the opposite edge (wrap around)",
}
MAPPING_NAMES = {"clamp": "clamp 0…255", "abs": "absolute value", "offset": "offset +128", "stretch": "stretch"}
# The keys of each step action while the panel has focus, as the buttons' tooltips name them.
KEY_HELP = {
    "back": "Shift+← or ,",
    "forward": "Shift+→ or .",
    "play": "Space",
    "reset": "Home",
    "all": "End",
}


def _number(value: float, decimals: int = DECIMALS) -> str:
    """A number as the panel writes it: no ".0", up to ``decimals`` decimals, a true minus sign."""
    return format_number(float(value), decimals)


def _signed(value: float) -> str:
    """A number inside a product: negatives in brackets, ``(−2)``."""
    text = _number(value)
    return f"({text})" if text.startswith(MINUS) else text


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _GridsView(QWidget):
    """Three k×k grids painted side by side: input window × kernel = products.

    Cells scale with the widget; when three grids in a row would be too small (5×5 in a narrow
    column) the products move under the other two.
    """

    cell_clicked = Signal(int)  # a term's index in reading order

    GAP = 34  # room for the "×" and "=" between grids, px
    TITLE = 24  # the caption above each grid, px
    MAX_CELL = 76

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._explanation: PixelExplanation | None = None
        self._current = -1
        self._cells: list[QRectF] = []  # (grid, term) → rectangle, for clicks
        self._narrow = True
        self.painted: dict[str, list[str]] = {}  # grid title → cell texts as last painted (for tests)
        self._font_cache: dict[tuple[str, int], QFont] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(300, 170)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(440, 240)

    def show_state(self, explanation: PixelExplanation | None, current: int) -> None:
        self._explanation, self._current = explanation, current
        self._update_minimum_height()
        self.update()

    def set_narrow(self, narrow: bool) -> None:
        """In a narrow column, ask for the height of two rows of comfortably large cells."""
        self._narrow = narrow
        if narrow:
            self.setMinimumWidth(300)
            self.setMaximumWidth(16777215)  # QWIDGETSIZE_MAX
        self._update_minimum_height()

    def _update_minimum_height(self) -> None:
        e = self._explanation
        if e is None or not self._narrow:
            height = 170
        else:
            k = e.size
            cell = min(54.0, (self.width() - 8 - self.GAP) / (2 * k))
            height = int(2 * k * cell + 2 * self.TITLE + 18 + self._legend_height())
        if height != self.minimumHeight():
            self.setMinimumHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._update_minimum_height()

    def fit_width_to_height(self, height: float, max_width: float) -> None:
        """Side by side with the text, take only the width that ``height`` lets the cells use."""
        k = self._explanation.size if self._explanation is not None else 3
        cell = min(self.MAX_CELL, (height - 4 - self.TITLE - self._legend_height()) / k)
        cell = max(24.0, min(cell, (max_width - 2 * self.GAP - 12) / (3 * k)))
        self.setFixedWidth(int(3 * k * cell + 2 * self.GAP + 12))

    # -- geometry ---------------------------------------------------------------------------
    def _legend_height(self) -> float:
        e = self._explanation
        return 42.0 if e is not None and e.is_padding.any() else 0.0

    def _layout(self) -> tuple[float, list[QPointF], bool]:
        """Cell size, the three grids' top-left corners, and whether they sit in one row."""
        k = self._explanation.size
        width, height = self.width() - 8.0, self.height() - 4.0 - self._legend_height()
        row_cell = min((width - 2 * self.GAP) / (3 * k), (height - self.TITLE) / k)
        stacked_cell = min((width - self.GAP) / (2 * k), (height - 2 * self.TITLE - 14) / (2 * k))
        in_row = row_cell >= stacked_cell
        cell = max(8.0, min(self.MAX_CELL, row_cell if in_row else stacked_cell))
        side = cell * k
        if in_row:
            total = 3 * side + 2 * self.GAP
            left = (self.width() - total) / 2
            top = self.TITLE + 2.0  # top-aligned, like the text beside or below
            corners = [QPointF(left + i * (side + self.GAP), top) for i in range(3)]
        else:
            total = 2 * side + self.GAP
            left = (self.width() - total) / 2
            top = self.TITLE
            corners = [
                QPointF(left, top),
                QPointF(left + side + self.GAP, top),
                QPointF(left + (side + self.GAP) / 2, top + side + self.TITLE + 14),
            ]
        return cell, corners, in_row

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        e = self._explanation
        if e is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        cell, corners, in_row = self._layout()
        k, n = e.size, e.size * e.size
        added = n if self._current >= n else self._current + 1  # terms already in the sum

        window_rgb = np.repeat(np.clip(np.rint(e.window), 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        weight_rgb = diverging_rgb(e.weights)
        products = e.products.reshape(k, k)
        product_rgb = diverging_rgb(products, symmetric_limit(products))
        kernel_title = "kernel" if e.divisor == 1 else f"kernel (÷ {_number(e.divisor)} later)"
        if e.flipped:
            kernel_title += ", flipped"
        grids = [
            ("input window", e.window, window_rgb, e.is_padding, np.ones(n, bool)),
            (kernel_title, e.weights, weight_rgb, None, np.ones(n, bool)),
            ("products", products, product_rgb, None, np.arange(n) < added),
        ]
        self._cells = []
        self.painted = {}
        palette_text = self.palette().color(self.foregroundRole())
        title_font = QFont(self.font())
        title_font.setPixelSize(14)
        for (title, values, rgb, padding, done), corner in zip(grids, corners):
            painter.setFont(title_font)
            painter.setPen(palette_text)
            painter.drawText(
                QRectF(corner.x() - 30, corner.y() - self.TITLE, cell * k + 60, self.TITLE - 4),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                title,
            )
            texts = self._paint_grid(painter, corner, cell, values, rgb, padding, done, e.border)
            self.painted[title.split(" (")[0].split(",")[0]] = texts
        # The operators between the grids.
        op_font = QFont(self.font())
        op_font.setPixelSize(int(min(30, max(16, cell * 0.6))))
        op_font.setBold(True)
        painter.setFont(op_font)
        painter.setPen(palette_text)
        side = cell * k
        if in_row:
            for i, op in enumerate(("×", "=")):
                x = corners[i].x() + side
                painter.drawText(QRectF(x, corners[0].y(), self.GAP, side), Qt.AlignmentFlag.AlignCenter, op)
        else:
            x = corners[0].x() + side
            painter.drawText(QRectF(x, corners[0].y(), self.GAP, side), Qt.AlignmentFlag.AlignCenter, "×")
            painter.drawText(
                QRectF(corners[2].x() - self.GAP, corners[2].y(), self.GAP, side), Qt.AlignmentFlag.AlignCenter, "="
            )
        if 0 <= self._current < n:
            r, c = divmod(self._current, k)
            for corner in corners:
                self._paint_highlight(painter, QRectF(corner.x() + c * cell, corner.y() + r * cell, cell, cell))
        if e.is_padding.any():
            self._paint_legend(painter, e.border, corners, cell, in_row)
        painter.end()

    def _paint_grid(self, painter, corner, cell, values, rgb, padding, done, border) -> list[str]:
        """Paint one grid; returns the cell texts as drawn ("copy: 12" for a tagged padding cell)."""
        k = values.shape[0]
        # Fractional values (luminance, /16 kernels) get fewer decimals in the cells when all three
        # would need a tiny font; the equation below keeps them all. Hover a cell for the exact value.
        legible = min(15, int(cell * 0.32))
        for decimals in (3, 2, 1, 0):
            texts = [_number(float(v), decimals) for v in values.ravel()]
            font = self._fitting_font(texts, cell)
            if font.pixelSize() >= legible:
                break
        tag_font = QFont(self.font())
        tag_font.setPixelSize(max(10, int(cell * 0.21)))

        grid_pen = QPen(QColor(120, 120, 120), 1)
        for i, text in enumerate(texts):
            r, c = divmod(i, k)
            rect = QRectF(corner.x() + c * cell, corner.y() + r * cell, cell, cell)
            self._cells.append(rect)
            colour = QColor(*(int(v) for v in rgb[r, c]))
            ink = QColor(*text_colour_on(tuple(int(v) for v in rgb[r, c])))
            is_pad = padding is not None and padding[r, c]
            if not done[i]:  # a product not yet in the running total: a faint placeholder
                colour, ink = QColor(236, 236, 236), QColor(PENDING_COLOUR)
            painter.fillRect(rect, colour)
            if is_pad:
                hatch = QColor(ink)
                hatch.setAlpha(45)
                painter.fillRect(rect, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
                painter.setPen(QPen(QColor(230, 120, 0), 2, Qt.PenStyle.DashLine))
                painter.drawRect(rect.adjusted(2, 2, -2, -2))
                if cell >= 40:
                    painter.setFont(tag_font)
                    painter.setPen(ink)
                    painter.drawText(
                        rect.adjusted(3, 1, -3, -1), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                        PADDING_TAGS.get(border, ""),
                    )
            else:
                painter.setPen(grid_pen)
                painter.drawRect(rect)
            painter.setPen(ink)
            painter.setFont(font)
            # A padding cell's tag sits at its top: nudge the value down to clear it.
            text_rect = rect.adjusted(0, cell * 0.16, 0, 0) if is_pad and cell >= 40 else rect
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setPen(QPen(QColor(90, 90, 90), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(corner.x(), corner.y(), cell * k, cell * k))
        if padding is not None and cell >= 40:
            tag = PADDING_TAGS.get(border, "")
            return [f"{tag}: {t}" if p else t for t, p in zip(texts, padding.ravel())]
        return texts

    def _fitting_font(self, texts: list[str], cell: float) -> QFont:
        """The largest bold font (up to ~40% of the cell) in which every text fits the cell."""
        longest = max(texts, key=len)
        key = (longest, int(cell))
        if key in self._font_cache:
            return self._font_cache[key]
        font = QFont(self.font())
        font.setBold(True)
        size = int(min(24, cell * 0.4))
        while size > 8:
            font.setPixelSize(size)
            if QFontMetricsF(font).horizontalAdvance(longest) <= cell - 6:
                break
            size -= 1
        font.setPixelSize(size)
        if len(self._font_cache) > 256:
            self._font_cache.clear()
        self._font_cache[key] = font
        return font

    @staticmethod
    def _paint_highlight(painter: QPainter, rect: QRectF) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(20, 20, 20), 6))
        painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.setPen(QPen(TERM_COLOUR, 4))
        painter.drawRect(rect.adjusted(1, 1, -1, -1))

    def _paint_legend(self, painter: QPainter, border: str, corners, cell, in_row) -> None:
        k = self._explanation.size
        bottom = max(c.y() for c in corners) + cell * k + 6
        font = QFont(self.font())
        font.setPixelSize(13)
        painter.setFont(font)
        swatch = QRectF(8, bottom + 3, 16, 16)
        painter.fillRect(swatch, QColor(200, 200, 200))
        painter.fillRect(swatch, QBrush(QColor(0, 0, 0, 90), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QPen(QColor(230, 120, 0), 2, Qt.PenStyle.DashLine))
        painter.drawRect(swatch)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            QRectF(30, bottom, self.width() - 34, 40),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            "Hatched cells lie " + PADDING_SENTENCES.get(border, "outside the image"),
        )

    def _term_at(self, position: QPointF) -> int:
        """The term whose cell (in any of the three grids) is under ``position``, or −1."""
        if self._explanation is None:
            return -1
        n = self._explanation.size ** 2
        for index, rect in enumerate(self._cells):
            if rect.contains(position):
                return index % n
        return -1

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            term = self._term_at(QPointF(event.pos()))
            if term >= 0:
                e = self._explanation
                value, weight, product = e.window.flat[term], e.weights.flat[term], e.products[term]
                where = " (padding)" if e.is_padding.flat[term] else ""
                QToolTip.showText(
                    event.globalPos(),
                    f"term {term + 1}: {_number(value)}{where} × {_signed(weight)} = {_number(product)}"
                    "\nclick to step the sum to here",
                    self,
                )
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        term = self._term_at(event.position())
        if term >= 0:
            self.cell_clicked.emit(term)
            return
        super().mousePressEvent(event)


class _Swatch(QWidget):
    """A square of grey at the shown value, with the number written on it."""

    def __init__(self, side: int = 40, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value: int | None = None
        self.setFixedSize(side, side)

    def set_value(self, value: int | None) -> None:
        self._value = value
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._value is None:
            return
        painter = QPainter(self)
        grey = QColor(self._value, self._value, self._value)
        painter.fillRect(self.rect(), grey)
        painter.setPen(QPen(QColor(110, 110, 110), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class StepPanel(QWidget):
    """One output pixel's multiply-sum, built up term by term, then turned into a 0–255 value.

    ``current_term`` is −1 before the first term, ``i`` while term ``i`` (reading order) was the
    last one added, and ``k*k`` when the whole sum is shown (the state after a new pixel).
    """

    term_changed = Signal(int)  # current_term, as above
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._explanation: PixelExplanation | None = None
        self._current = -1
        self._wide = False
        self._player = PlayTimer(self._on_timer_ticked, PLAY_INTERVAL_MS, self)
        self._player.playing_changed.connect(self._sync_play_button)
        self._player.playing_changed.connect(self.playing_changed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self._hint = QLabel(HINT)
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet(f"color: {PENDING_COLOUR}; font-size: 15px;")
        self._header = QLabel()
        self._header.setWordWrap(True)
        self._header.setTextFormat(Qt.TextFormat.RichText)
        self._grids = _GridsView()
        self._grids.cell_clicked.connect(self.go_to_term)
        self._grids.setAccessibleName("Input window times kernel equals products")
        self._equation = QLabel()
        self._equation.setWordWrap(True)
        self._equation.setTextFormat(Qt.TextFormat.RichText)
        self._equation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._equation.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._total = QLabel()
        self._total.setTextFormat(Qt.TextFormat.RichText)
        self._stage_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self._swatch = _Swatch()
        self._final = QLabel()
        self._buttons: dict[str, QToolButton] = {}
        self._build_layout()
        self._refresh()

    # -- building ---------------------------------------------------------------------------
    def _build_layout(self) -> None:
        content = QWidget()
        self._header.setStyleSheet("font-size: 14px;")
        self._equation.setStyleSheet("font-size: 16px;")
        self._total.setStyleSheet("font-size: 17px;")

        stages = QWidget()
        grid = QGridLayout(stages)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for row, (key, name) in enumerate(
            [("sum", "weighted sum"), ("divide", "÷ divisor"), ("raw", "raw total"), ("mapping", "output mapping")]
        ):
            caption, value = QLabel(name), QLabel()
            caption.setStyleSheet(CAPTION_STYLE)
            value.setStyleSheet("font-size: 16px;")
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setWordWrap(True)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(value, row, 1)
            self._stage_labels[key] = (caption, value)
        shown_caption = QLabel("shown pixel")
        shown_caption.setStyleSheet(CAPTION_STYLE)
        final_row = QHBoxLayout()
        final_row.addWidget(self._swatch)
        final_row.addWidget(self._final)
        final_row.addStretch(1)
        grid.addWidget(shown_caption, 4, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addLayout(final_row, 4, 1)
        grid.setColumnStretch(1, 1)

        text_column = QVBoxLayout()
        text_column.setSpacing(4)
        text_column.addWidget(self._equation)
        text_column.addWidget(self._total)
        text_column.addWidget(stages)
        text_column.addStretch(1)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.addWidget(self._grids, 3)
        self._body.addLayout(text_column, 2)

        self._controls = QWidget()
        controls = QHBoxLayout(self._controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.setSpacing(4)
        caption = QLabel("Terms")
        caption.setStyleSheet(CAPTION_STYLE + " font-weight: bold;")
        caption.setToolTip("Build the sum one term at a time")
        controls.addWidget(caption)
        for key, label, icon, tip, slot in [
            ("reset", "Reset", QStyle.StandardPixmap.SP_MediaSkipBackward, "Start again from an empty sum", self.reset_steps),
            ("back", "Back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Take the last term out", self.step_back),
            ("play", "Play", QStyle.StandardPixmap.SP_MediaPlay, "Add the terms one by one", self.toggle_play),
            ("forward", "Next", QStyle.StandardPixmap.SP_MediaSeekForward, "Add the next term", self.step_forward),
            ("all", "All", QStyle.StandardPixmap.SP_MediaSkipForward, "Show the whole sum", self.show_all),
        ]:
            button = transport_button(self, label, icon, f"{tip} ({KEY_HELP[key]})", slot)
            controls.addWidget(button)
            self._buttons[key] = button
        controls.addStretch(1)

        # Narrow: the buttons under everything. Wide and short: beside the header, saving a row.
        self._top_row = QHBoxLayout()
        self._top_row.addWidget(self._header, 1)
        self._outer = QVBoxLayout(content)
        self._outer.setContentsMargins(8, 6, 8, 6)
        self._outer.setSpacing(6)
        self._outer.addLayout(self._top_row)
        self._outer.addLayout(self._body, 1)
        self._outer.addWidget(self._controls)

        # A 5×5 sum in a short column may not fit: scroll rather than squash the numbers.
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self._hint)
        self._stack.addWidget(scroll)

    def sizeHint(self) -> QSize:
        return QSize(460, 700)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Wide and short (under the images): grids left, text right. Otherwise one column.
        wide = event.size().width() >= 760 and event.size().width() >= 1.5 * event.size().height()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._body.direction() != direction:
            self._body.setDirection(direction)
            self._grids.set_narrow(not wide)
            if wide:
                self._outer.removeWidget(self._controls)
                self._top_row.addWidget(self._controls)
            else:
                self._top_row.removeWidget(self._controls)
                self._outer.addWidget(self._controls)
        self._wide = wide
        self._fit_grids()
        super().resizeEvent(event)

    # -- what the lead and the tests use ----------------------------------------------------
    def explanation(self) -> PixelExplanation | None:
        return self._explanation

    @property
    def current_term(self) -> int:
        return self._current

    def term_count(self) -> int:
        return 0 if self._explanation is None else self._explanation.products.size

    def partial_sum(self) -> float:
        """The running total as shown: 0 before the first term, the full weighted sum at the end."""
        e = self._explanation
        if e is None or self._current < 0:
            return 0.0
        return float(e.running_sums[min(self._current, e.products.size - 1)])

    def equation_text(self) -> str:
        """The equation as plain text: every term, then ``= <running total>``."""
        return self._plain_equation()

    def total_text(self) -> str:
        return _strip_tags(self._total.text())

    def final_value_text(self) -> str:
        return self._final.text()

    def cell_texts(self, grid: str) -> list[str]:
        """The texts last painted in ``grid`` ("input window", "kernel" or "products"), reading order."""
        self._grids.repaint()
        return list(self._grids.painted.get(grid, []))

    def stage_texts(self) -> dict[str, str]:
        """The stages from sum to pixel that are shown, as plain text, by name."""
        return {
            key: _strip_tags(value.text()) for key, (_, value) in self._stage_labels.items() if not value.isHidden()
        }

    def hint_text(self) -> str:
        return self._hint.text()

    def set_hint(self, text: str) -> None:
        """What the panel says while it has no pixel to explain."""
        self._hint.setText(text)

    def is_playing(self) -> bool:
        return self._player.is_playing()

    def set_play_interval(self, milliseconds: int) -> None:
        self._player.set_interval(max(30, int(milliseconds)))

    def button(self, key: str) -> QToolButton:
        """One of the step buttons: "reset", "back", "play", "forward" or "all"."""
        return self._buttons[key]

    # -- slots ------------------------------------------------------------------------------
    @Slot(object)
    def set_explanation(self, explanation: PixelExplanation | None) -> None:
        """Draw ``explanation`` (None: the hint). Mid-way through stepping a same-sized sum, the
        step is kept, so a pinned window moved by the arrow keys keeps its place in the sum."""
        previous = self._explanation
        self._explanation = explanation
        if explanation is None:
            self.pause()
            self._set_current(-1, refresh=False)
        else:
            n = explanation.products.size
            stepping = previous is not None and previous.products.size == n and self._current < n
            if not stepping and not self.is_playing():
                self._set_current(n, refresh=False)
        self._refresh()

    @Slot()
    def step_forward(self) -> None:
        self.pause()
        self._advance()

    @Slot()
    def step_back(self) -> None:
        self.pause()
        if self._explanation is not None:
            self._set_current(max(-1, min(self._current, self.term_count()) - 1))

    @Slot()
    def show_all(self) -> None:
        self.pause()
        self._set_current(self.term_count() if self._explanation is not None else -1)

    @Slot()
    def reset_steps(self) -> None:
        self.pause()
        self._set_current(-1)

    @Slot(int)
    def go_to_term(self, index: int) -> None:
        """Make term ``index`` (reading order) the last one added."""
        self.pause()
        if self._explanation is not None:
            self._set_current(max(-1, min(int(index), self.term_count())))

    @Slot()
    def play(self) -> None:
        if self._explanation is None or self.is_playing():
            return
        if self._current >= self.term_count() - 1:
            self._set_current(-1)  # from the start again
        self._player.start()

    @Slot()
    def pause(self) -> None:
        self._player.stop()

    @Slot()
    def toggle_play(self) -> None:
        if self.is_playing():
            self.pause()
        else:
            self.play()

    @Slot()
    def _on_timer_ticked(self) -> None:
        self._advance()
        if self._current >= self.term_count():
            self.pause()

    def _advance(self) -> None:
        if self._explanation is not None:
            self._set_current(min(self._current + 1, self.term_count()))

    def hideEvent(self, event: QHideEvent) -> None:
        self.pause()  # nobody is watching: don't keep a timer running
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if (key == Qt.Key.Key_Right and shift) or key in (Qt.Key.Key_Period, Qt.Key.Key_Greater):
            self.step_forward()
        elif (key == Qt.Key.Key_Left and shift) or key in (Qt.Key.Key_Comma, Qt.Key.Key_Less):
            self.step_back()
        elif key == Qt.Key.Key_Space:
            self.toggle_play()
        elif key == Qt.Key.Key_Home:
            self.reset_steps()
        elif key == Qt.Key.Key_End:
            self.show_all()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- drawing ----------------------------------------------------------------------------
    def _set_current(self, index: int, *, refresh: bool = True) -> None:
        changed = index != self._current
        self._current = index
        if refresh:
            self._refresh()
        if changed:
            self.term_changed.emit(index)

    def _fit_grids(self) -> None:
        if self._wide:
            # The body's height: the panel less the header, the buttons and the margins.
            self._grids.fit_width_to_height(self.height() - 60, self.width() * 0.55)

    @Slot(bool)
    def _sync_play_button(self, playing: bool) -> None:
        button = self._buttons["play"]
        show_playing(button, playing)
        tip = "Stop adding terms" if playing else "Add the terms one by one"
        button.setToolTip(f"{tip} ({KEY_HELP['play']})")

    def _refresh(self) -> None:
        e = self._explanation
        if e is None:
            self._stack.setCurrentIndex(0)
            self._grids.show_state(None, -1)
            return
        self._stack.setCurrentIndex(1)
        self._fit_grids()
        n = e.products.size
        self._header.setText(self._header_html(e))
        self._grids.show_state(e, self._current)
        self._restyle(self._equation, "font-size: 16px;" if n <= 9 else "font-size: 14px;")
        self._equation.setText(self._equation_html(e))
        complete = self._current >= n - 1
        if self._current < 0:
            total = "running total: <b>0</b> &nbsp;<span style='color:%s'>(no terms yet)</span>" % PENDING_COLOUR
        elif self._current < n:
            total = (
                f"running total after term {self._current + 1} of {n}: "
                f"<b>{_number(e.running_sums[self._current])}</b>"
            )
        else:
            total = f"sum of all {n} terms: <b>{_number(e.weighted_sum)}</b>"
        self._total.setText(total)
        self._fill_stages(e, complete)
        for key, enabled in (
            ("back", self._current > -1),
            ("reset", self._current > -1),
            ("forward", self._current < n),
            ("all", self._current < n),
        ):
            self._buttons[key].setEnabled(enabled)

    def _header_html(self, e: PixelExplanation) -> str:
        channel = "grey image" if e.channel is None else f"channel: <b>{e.channel}</b>"
        if e.channel == "luminance":
            channel = "<b>luminance</b>"
        where = f"<b>pixel (row {e.row}, col {e.col})</b>"
        if (e.output_row, e.output_col) != (e.row, e.col):
            where += f" → output (row {e.output_row}, col {e.output_col})"
        text = f"{where} &nbsp;·&nbsp; {channel} &nbsp;·&nbsp; {BORDER_NAMES.get(e.border, e.border)}"
        if e.flipped:
            text += " &nbsp;·&nbsp; convolution (kernel flipped)"
        return text

    def _term_texts(self, e: PixelExplanation) -> list[str]:
        return [f"{_number(v)} × {_signed(w)}" for v, w in zip(e.window.ravel(), e.weights.ravel())]

    def _plain_equation(self) -> str:
        e = self._explanation
        if e is None:
            return ""
        return " + ".join(self._term_texts(e)) + f" = {_number(self.partial_sum())}"

    def _equation_html(self, e: PixelExplanation) -> str:
        n = e.products.size
        parts = []
        for i, term in enumerate(self._term_texts(e)):
            term = _html(term).replace(" ", "&nbsp;")  # a term never breaks across lines
            if i == self._current:
                parts.append(f"<span style='background-color:{TERM_BACKGROUND}; font-weight:bold'>&nbsp;{term}&nbsp;</span>")
            elif self._current < n and i > self._current:
                parts.append(f"<span style='color:{PENDING_COLOUR}'>{term}</span>")
            else:
                parts.append(term)
        return " + ".join(parts) + f" = <b>{_number(self.partial_sum())}</b>"

    def _fill_stages(self, e: PixelExplanation, complete: bool) -> None:
        shown_sum = _number(e.weighted_sum)
        raw = _number(e.raw)
        self._stage_labels["sum"][1].setText(f"<b>{shown_sum}</b>")
        has_divisor = e.divisor != 1.0
        for widget in self._stage_labels["divide"]:
            widget.setVisible(has_divisor)
        if has_divisor:
            self._stage_labels["divide"][1].setText(f"{shown_sum} ÷ {_number(e.divisor)} = <b>{raw}</b>")
        self._stage_labels["raw"][1].setText(f"<b>{raw}</b>")
        self._stage_labels["mapping"][1].setText(self._mapping_html(e))
        self._swatch.set_value(e.shown)
        self._final.setText(str(e.shown))
        # Until every term is in, the stages describe a sum still being built: dim them.
        dim = "" if complete else f"color: {PENDING_COLOUR};"
        for _, value in self._stage_labels.values():
            self._restyle(value, f"font-size: 16px; {dim}")
        self._restyle(self._final, f"font-size: 24px; font-weight: bold; {dim}")

    @staticmethod
    def _restyle(label: QLabel, sheet: str) -> None:
        # Setting a style sheet re-polishes the widget (~0.5 ms each): only when it changes.
        if label.styleSheet() != sheet:
            label.setStyleSheet(sheet)

    @staticmethod
    def _mapping_html(e: PixelExplanation) -> str:
        raw, shown = e.raw, e.shown
        raw_text = _number(raw)
        name = MAPPING_NAMES.get(e.mapping, e.mapping)
        if e.mapping == "clamp":
            if raw < -0.5:
                step = f"{raw_text} is below 0 → <b>0</b> (clipped)"
            elif raw >= 255.5:
                step = f"{raw_text} is above 255 → <b>255</b> (clipped)"
            else:
                step = f"{raw_text} is in range" + _rounded(raw, shown)
        elif e.mapping == "abs":
            magnitude = abs(raw)
            step = f"|{raw_text}| = {_number(magnitude)}"
            step += " → <b>255</b> (clipped)" if magnitude >= 255.5 else _rounded(magnitude, shown)
        elif e.mapping == "offset":
            moved = raw + 128
            step = f"{raw_text} + 128 = {_number(moved)}"
            if moved < -0.5:
                step += " → <b>0</b> (clipped)"
            elif moved >= 255.5:
                step += " → <b>255</b> (clipped)"
            else:
                step += _rounded(moved, shown)
        else:  # stretch
            low, high = e.value_range if e.value_range is not None else (raw, raw)
            if high == low:
                step = "the output is constant → mid-grey <b>128</b>"
            else:
                scaled = (raw - low) / (high - low) * 255
                name = f"stretch {_number(low)}…{_number(high)} → 0…255"
                step = (
                    "<br>"
                    f"({raw_text} {MINUS} {_signed(low)}) ÷ {_number(high - low)} × 255"
                    f" = {_number(scaled)}" + _rounded(scaled, shown)
                )
        return f"<span style='color:#777777'>{name}:</span> {step}"


def _rounded(value: float, shown: int) -> str:
    """`` → 7``, with "(rounded)" when rounding changed the number."""
    note = "" if abs(value - round(value)) < 1e-9 else " (rounded)"
    return f" → <b>{shown}</b>{note}"


def _strip_tags(html: str) -> str:
    text = re.sub(r"<br\s*/?>", " ", html)
    text = re.sub(r"<[^>]+>", "", text)
    return text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
