"""The sliding window: a small image scanned position by position, the output filling in.

:class:`ScanView` runs the scan the core describes (:mod:`kernelplay.imaging.scan`): at every
position it asks :func:`explain_pixel` for the multiply-sum, writes the shown value into the
output, and hands the explanation to a :class:`StepPanel` below.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kernelplay.imaging.explain import PixelExplanation, explain_pixel
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filtering import apply_kernel
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS
from kernelplay.imaging.kernels import PRESETS
from kernelplay.imaging.scan import (
    channel_plane,
    default_scan_image,
    fit_for_scan,
    output_shape,
    padded_plane,
    padding_for,
    scan_positions,
    size_formula,
    strided_output,
)
from kernelplay.gui.playground.step_panel import StepPanel
from kernelplay.gui.playground.transport import PlayTimer, show_playing, transport_button
from kernelplay.gui.qt_arrays import array_to_qimage

WINDOW_COLOUR = QColor(255, 200, 0)  # the same yellow as the window outline on the big images
RING_FADE = 0.45  # how much of the padding ring's own value shows through the background
SPEED_RANGE = (1, 60)  # positions per second
DEFAULT_SPEED = 8
EMPTY = -1  # an output pixel the window has not reached yet


class _ScanCanvas(QWidget):
    """The padded input with the window on it, and the output beside it, drawn as cell grids."""

    cell_clicked = Signal(str, int, int)  # "input" or "output", row, col (input: image coordinates)

    GAP_CELLS = 3  # space between input and output, in cells
    CAPTION = 24
    MAX_CELL = 26.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 220)
        self._input_image = None  # QImage of the padded plane, ring faded
        self._output_image = None
        self._padding = 0
        self._image_shape = (0, 0)
        self._output_shape = (0, 0)
        self._k = 3
        self._window: tuple[int, int] | None = None  # centre (row, col) in image coordinates
        self._window_is_next = False  # drawn dashed: the window about to be placed
        self._output_cell: tuple[int, int] | None = None
        self._captions = ("", "")

    def sizeHint(self) -> QSize:
        return QSize(900, 420)

    def set_input(self, padded_rgb: np.ndarray, padding: int, image_shape, k: int, caption: str) -> None:
        self._input_image = array_to_qimage(padded_rgb)
        self._padding, self._image_shape, self._k = padding, image_shape, k
        self._captions = (caption, self._captions[1])
        self.update()

    def set_output(self, rgb: np.ndarray, caption: str) -> None:
        self._output_image = array_to_qimage(rgb)
        self._output_shape = rgb.shape[:2]
        self._captions = (self._captions[0], caption)
        self.update()

    def set_window(self, centre: tuple[int, int] | None, output_cell: tuple[int, int] | None, is_next: bool) -> None:
        self._window, self._output_cell, self._window_is_next = centre, output_cell, is_next
        self.update()

    # -- geometry ---------------------------------------------------------------------------
    def _geometry(self) -> tuple[float, QPointF, QPointF]:
        """Cell size and the top-left corners of the padded input and of the output."""
        in_rows = self._image_shape[0] + 2 * self._padding
        in_cols = self._image_shape[1] + 2 * self._padding
        out_rows, out_cols = self._output_shape
        cols = in_cols + self.GAP_CELLS + max(out_cols, 1)
        rows = max(in_rows, out_rows, 1)
        cell = min(self.MAX_CELL, (self.width() - 16) / cols, (self.height() - self.CAPTION - 8) / rows)
        cell = max(1.0, cell)
        left = (self.width() - cols * cell) / 2
        top = self.CAPTION + max(0.0, (self.height() - self.CAPTION - rows * cell) / 2)
        input_corner = QPointF(left, top + (rows - in_rows) * cell / 2)
        output_corner = QPointF(left + (in_cols + self.GAP_CELLS) * cell, top + (rows - out_rows) * cell / 2)
        return cell, input_corner, output_corner

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        if self._input_image is None:
            return
        painter = QPainter(self)
        cell, in_corner, out_corner = self._geometry()
        p, (height, width) = self._padding, self._image_shape
        in_rect = QRectF(in_corner.x(), in_corner.y(), (width + 2 * p) * cell, (height + 2 * p) * cell)
        painter.drawImage(in_rect, self._input_image)  # nearest-neighbour: no smooth transform set
        self._paint_grid(painter, in_rect, height + 2 * p, width + 2 * p, cell)
        image_rect = QRectF(in_corner.x() + p * cell, in_corner.y() + p * cell, width * cell, height * cell)
        if p:
            ring = QPainterPath()
            ring.addRect(in_rect)
            ring.addRect(image_rect)  # odd-even fill: only the ring
            painter.fillPath(ring, QBrush(QColor(0, 0, 0, 45), Qt.BrushStyle.BDiagPattern))
            painter.setPen(QPen(QColor(230, 120, 0), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(in_rect)
        painter.setPen(QPen(QColor(40, 40, 40), 2))
        painter.drawRect(image_rect)

        out_rows, out_cols = self._output_shape
        out_rect = QRectF(out_corner.x(), out_corner.y(), out_cols * cell, out_rows * cell)
        if self._output_image is not None and out_rows and out_cols:
            # Cells the window has not reached are transparent over a light hatch: never mistaken
            # for white pixels.
            painter.fillRect(out_rect, QColor(246, 246, 246))
            painter.fillRect(out_rect, QBrush(QColor(200, 200, 200), Qt.BrushStyle.BDiagPattern))
            painter.drawImage(out_rect, self._output_image)
            self._paint_grid(painter, out_rect, out_rows, out_cols, cell)
            painter.setPen(QPen(QColor(40, 40, 40), 2))
            painter.drawRect(out_rect)

        caption_font = QFont(self.font())
        caption_font.setPixelSize(14)
        painter.setFont(caption_font)
        painter.setPen(self.palette().color(self.foregroundRole()))
        for rect, text in ((in_rect, self._captions[0]), (out_rect, self._captions[1])):
            painter.drawText(
                QRectF(rect.x() - 60, rect.y() - self.CAPTION, rect.width() + 120, self.CAPTION - 4),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                text,
            )

        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._window is not None:
            row, col = self._window
            r = self._k // 2
            window_rect = QRectF(
                in_corner.x() + (col - r + p) * cell, in_corner.y() + (row - r + p) * cell, self._k * cell, self._k * cell
            )
            style = Qt.PenStyle.DashLine if self._window_is_next else Qt.PenStyle.SolidLine
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if not self._window_is_next:
                shade = QColor(WINDOW_COLOUR)
                shade.setAlpha(60)
                painter.fillRect(window_rect, shade)
            painter.setPen(QPen(QColor(0, 0, 0, 160), 5))
            painter.drawRect(window_rect)
            painter.setPen(QPen(WINDOW_COLOUR, 3, style))
            painter.drawRect(window_rect)
            if self._output_cell is not None and not self._window_is_next:
                orow, ocol = self._output_cell
                target = QRectF(out_corner.x() + ocol * cell, out_corner.y() + orow * cell, cell, cell)
                link = QColor(WINDOW_COLOUR)
                link.setAlpha(150)
                painter.setPen(QPen(link, 1.5))
                painter.drawLine(window_rect.center(), target.center())
                painter.setPen(QPen(QColor(0, 0, 0, 160), 4))
                painter.drawRect(target.adjusted(-1, -1, 1, 1))
                painter.setPen(QPen(WINDOW_COLOUR, 2.5))
                painter.drawRect(target.adjusted(-1, -1, 1, 1))
        painter.end()

    @staticmethod
    def _paint_grid(painter: QPainter, rect: QRectF, rows: int, cols: int, cell: float) -> None:
        if cell < 6:  # grid lines closer than this would hide the pixels
            return
        painter.setPen(QPen(QColor(128, 128, 128, 110), 1))
        for r in range(1, rows):
            y = rect.y() + r * cell
            painter.drawLine(QPointF(rect.x(), y), QPointF(rect.right(), y))
        for c in range(1, cols):
            x = rect.x() + c * cell
            painter.drawLine(QPointF(x, rect.y()), QPointF(x, rect.bottom()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._input_image is None:
            return
        cell, in_corner, out_corner = self._geometry()
        pos = event.position()
        out_row = int((pos.y() - out_corner.y()) // cell)
        out_col = int((pos.x() - out_corner.x()) // cell)
        if 0 <= out_row < self._output_shape[0] and 0 <= out_col < self._output_shape[1]:
            self.cell_clicked.emit("output", out_row, out_col)
            return
        row = int((pos.y() - in_corner.y()) // cell) - self._padding
        col = int((pos.x() - in_corner.x()) // cell) - self._padding
        if 0 <= row < self._image_shape[0] and 0 <= col < self._image_shape[1]:
            self.cell_clicked.emit("input", row, col)


class ScanView(QWidget):
    """Slide the kernel's window across a small image in reading order and watch the output fill.

    Every setter resets the scan. ``position_changed(row, col)`` gives the window's centre in
    input coordinates whenever it moves (−1, −1 after a reset).
    """

    position_changed = Signal(int, int)
    playing_changed = Signal(bool)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = default_scan_image()
        self._kernel = np.array(PRESETS["emboss"], dtype=np.float64)
        self._border = "zero"
        self._mapping = "clamp"
        self._channel: str | None = None
        self._effective_channel: str | None = None  # what explain_pixel gets: None for grey images
        self._flip = False
        self._stride = 1
        self._positions: list[tuple[int, int]] = []
        self._output = np.zeros((0, 0), dtype=np.int16)
        self._done = 0  # positions already visited; the current one is _done − 1
        self._value_range: tuple[float, float] | None = None

        self._player = PlayTimer(self._on_timer_ticked, 1000 // DEFAULT_SPEED, self)
        self._player.playing_changed.connect(self._sync_play_button)
        self._player.playing_changed.connect(self.playing_changed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.canvas = _ScanCanvas()
        self.canvas.cell_clicked.connect(self._on_cell_clicked)
        self.canvas.setAccessibleName("Input with the sliding window, and the output filling in")
        self.step_panel = StepPanel()
        self._buttons: dict[str, QToolButton] = {}
        self._speed = QSlider(Qt.Orientation.Horizontal)
        self._speed_label = QLabel()
        self._stride_group = QButtonGroup(self)
        self._formula = QLabel()
        self._status = QLabel()
        self._build_layout()
        self._speed.setValue(DEFAULT_SPEED)
        self.reset()

    # -- building ---------------------------------------------------------------------------
    def _build_layout(self) -> None:
        controls = QHBoxLayout()
        controls.setSpacing(4)
        caption = QLabel("Window")
        caption.setStyleSheet("font-size: 14px; font-weight: bold; color: #666666;")
        controls.addWidget(caption)
        for key, label, icon, tip, slot in [
            ("play", "Play", QStyle.StandardPixmap.SP_MediaPlay, "Slide the window on its own (Space)", self.toggle_play),
            ("back", "Back", QStyle.StandardPixmap.SP_MediaSeekBackward, "Undo the last position (←)", self.step_back),
            ("step", "Step", QStyle.StandardPixmap.SP_MediaSeekForward, "Move the window one position (→)", self.step),
            ("reset", "Reset", QStyle.StandardPixmap.SP_MediaSkipBackward, "Clear the output and start again (Home)", self.reset),
            ("finish", "Finish", QStyle.StandardPixmap.SP_MediaSkipForward, "Fill in the whole output (End)", self.finish),
        ]:
            button = transport_button(self, label, icon, tip, slot)
            controls.addWidget(button)
            self._buttons[key] = button
        controls.addSpacing(16)
        speed_caption = QLabel("Speed")
        self._speed.setRange(*SPEED_RANGE)
        self._speed.setFixedWidth(160)
        self._speed.setToolTip("Window positions per second while playing")
        self._speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._speed.valueChanged.connect(self._on_speed_changed)
        self._speed_label.setMinimumWidth(48)
        controls.addWidget(speed_caption)
        controls.addWidget(self._speed)
        controls.addWidget(self._speed_label)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Stride"))
        for stride in (1, 2):
            radio = QRadioButton(str(stride))
            radio.setToolTip(f"Move the window {stride} pixel{'s' if stride > 1 else ''} at a time")
            radio.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._stride_group.addButton(radio, stride)
            controls.addWidget(radio)
        self._stride_group.button(1).setChecked(True)
        self._stride_group.idClicked.connect(self.set_stride)
        controls.addStretch(1)

        self._formula.setTextFormat(Qt.TextFormat.RichText)
        self._formula.setStyleSheet("font-size: 15px;")
        self._formula.setToolTip("Output size = (H + 2p − k) / s + 1, rounded down: H input pixels, "
                                 "p padding on each side, k the kernel's size, s the stride")
        self._status.setStyleSheet("font-size: 14px;")
        info = QHBoxLayout()
        info.addWidget(self._formula)
        info.addStretch(1)
        info.addWidget(self._status)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.canvas, 6)
        layout.addLayout(controls)
        layout.addLayout(info)
        layout.addWidget(self.step_panel, 4)
        self.step_panel.setMinimumHeight(290)
        self.step_panel.set_hint("Press Play or Step to slide the window.\nEach position's multiply-sum is worked out here.")

    # -- setters the playground wires -------------------------------------------------------
    def set_image(self, image: np.ndarray) -> None:
        """Scan ``image`` (grey or RGB), centre-cropped and downscaled to at most 64×64."""
        self._image = fit_for_scan(image)
        self.reset()

    def set_kernel(self, kernel) -> None:
        kernel = np.array(kernel, dtype=np.float64)
        if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
            raise ValueError(f"expected a square kernel of odd size, got shape {kernel.shape}")
        self._kernel = kernel
        self.reset()

    def set_border(self, mode: str) -> None:
        if mode not in BORDER_MODES:
            raise ValueError(f"unknown border mode {mode!r}; choose one of {', '.join(BORDER_MODES)}")
        self._border = mode
        self.reset()

    def set_mapping(self, mode: str) -> None:
        if mode not in OUTPUT_MAPPINGS:
            raise ValueError(f"unknown output mapping {mode!r}; choose one of {', '.join(OUTPUT_MAPPINGS)}")
        self._mapping = mode
        self.reset()

    def set_channel(self, channel: str | None) -> None:
        """"R", "G", "B" or "luminance" for colour images (None: luminance); ignored for grey ones."""
        self._channel = channel
        self.reset()

    def set_flip(self, flip: bool) -> None:
        self._flip = bool(flip)
        self.reset()

    @Slot(int)
    def set_stride(self, stride: int) -> None:
        if stride not in (1, 2):
            raise ValueError(f"the scan's stride is 1 or 2, got {stride}")
        self._stride = stride
        if self._stride_group.checkedId() != stride:
            self._stride_group.button(stride).setChecked(True)
        self.reset()

    def set_speed(self, positions_per_second: int) -> None:
        self._speed.setValue(int(positions_per_second))

    # -- what tests and the lead read -------------------------------------------------------
    def image(self) -> np.ndarray:
        return self._image.copy()

    def output_pixels(self) -> np.ndarray:
        """The output so far, int16: 0..255 where the window has been, −1 (EMPTY) elsewhere."""
        return self._output.copy()

    def positions_done(self) -> int:
        return self._done

    def position_count(self) -> int:
        return len(self._positions)

    def current_position(self) -> tuple[int, int] | None:
        """The window's centre (row, col) in input coordinates, or None before the first step."""
        return self._positions[self._done - 1] if self._done else None

    def formula_text(self) -> str:
        return self._formula.text().replace("<b>", "").replace("</b>", "").replace("&nbsp;", " ")

    def is_playing(self) -> bool:
        return self._player.is_playing()

    def button(self, key: str) -> QToolButton:
        """"play", "back", "step", "reset" or "finish"."""
        return self._buttons[key]

    def stride_button(self, stride: int) -> QRadioButton:
        return self._stride_group.button(stride)

    def speed(self) -> int:
        return self._speed.value()

    # -- running the scan -------------------------------------------------------------------
    @Slot()
    def reset(self) -> None:
        """Clear the output and put the window back before the first position."""
        self.pause()
        k = self._kernel.shape[0]
        channel = None if self._image.ndim == 2 else (self._channel or "luminance")
        self._effective_channel = channel
        plane = channel_plane(self._image, channel)
        self._positions = scan_positions(plane.shape, k, self._border, self._stride)
        rows, cols = output_shape(plane.shape, k, self._border, self._stride)
        self._output = np.full((rows, cols), EMPTY, dtype=np.int16)
        self._done = 0
        self._value_range = None
        if self._mapping == "stretch" and self._positions:
            # The stretch range is the whole (strided) output's, as if the scan had finished.
            raw = strided_output(apply_kernel(plane, self._kernel, border=self._border, flip=self._flip), self._stride)
            self._value_range = (float(raw.min()), float(raw.max()))

        values, ring = padded_plane(plane, k, self._border)
        grey = np.clip(np.rint(values), 0, 255)
        faded = np.where(ring, grey * RING_FADE + 235 * (1 - RING_FADE), grey).astype(np.uint8)
        name = {None: "", "luminance": " · luminance"}.get(channel, f" · channel {channel}")
        height, width = plane.shape
        caption = f"input {width}×{height}{name}"
        if self._border != "valid":
            caption += f" + padding ring ({self._border})"
        self.canvas.set_input(np.repeat(faded[..., None], 3, axis=2), padding_for(self._border, k), plane.shape, k, caption)
        self._formula.setText(self._formula_html(plane.shape, k))
        self._show_position()
        self.position_changed.emit(-1, -1)

    @Slot()
    def step(self) -> None:
        """Move the window to the next position and fill in its output pixel."""
        self.pause()
        self._advance()

    @Slot()
    def step_back(self) -> None:
        self.pause()
        self.seek(self._done - 1)

    @Slot()
    def finish(self) -> None:
        self.pause()
        self.seek(len(self._positions))

    def seek(self, done: int) -> None:
        """Show the scan after ``done`` positions (earlier pixels filled, later ones empty)."""
        done = max(0, min(int(done), len(self._positions)))
        if done == self._done:
            return
        if done < self._done:
            flat = self._output.reshape(-1)
            flat[done:] = EMPTY
            self._done = done
            explanation = self._explain(done - 1) if done else None
        else:
            explanation = None
            for index in range(self._done, done):
                explanation = self._explain(index)
                self._output.reshape(-1)[index] = explanation.shown
            self._done = done
        self._show_position(explanation)
        centre = self.current_position() or (-1, -1)
        self.position_changed.emit(*centre)

    @Slot()
    def play(self) -> None:
        if self.is_playing() or not self._positions:
            return
        if self._done >= len(self._positions):
            self.reset()
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

    def _advance(self) -> None:
        if self._done >= len(self._positions):
            return
        self.seek(self._done + 1)
        if self._done == len(self._positions):
            self.pause()
            self.finished.emit()

    @Slot()
    def _on_timer_ticked(self) -> None:
        self._advance()

    @Slot(int)
    def _on_speed_changed(self, value: int) -> None:
        self._player.set_interval(max(1, round(1000 / value)))
        self._speed_label.setText(f"{value} / s")

    @Slot(str, int, int)
    def _on_cell_clicked(self, where: str, row: int, col: int) -> None:
        """Clicking an output pixel, or a window centre on the input, runs the scan to there."""
        self.pause()
        if where == "output":
            self.seek(row * self._output.shape[1] + col + 1)
        elif (row, col) in self._positions:
            self.seek(self._positions.index((row, col)) + 1)

    def _explain(self, index: int) -> PixelExplanation:
        row, col = self._positions[index]
        return explain_pixel(
            self._image,
            self._kernel,
            row,
            col,
            border=self._border,
            channel=self._effective_channel,
            mapping=self._mapping,
            flip=self._flip,
            value_range=self._value_range,
        )

    def _show_position(self, explanation: PixelExplanation | None = None) -> None:
        out_rows, out_cols = self._output.shape
        filled = self._output >= 0
        rgba = np.zeros((out_rows, out_cols, 4), dtype=np.uint8)  # transparent: not reached yet
        rgba[filled, :3] = self._output[filled, None].astype(np.uint8)
        rgba[filled, 3] = 255
        self.canvas.set_output(rgba, f"output {out_cols}×{out_rows}")
        total = len(self._positions)
        if self._done:
            index = self._done - 1
            centre = self._positions[index]
            out_cell = divmod(index, out_cols)
            self.canvas.set_window(centre, out_cell, is_next=False)
            self._status.setText(
                f"position {self._done} of {total}: window centred on (row {centre[0]}, col {centre[1]})"
                f" → output (row {out_cell[0]}, col {out_cell[1]})"
            )
            self.step_panel.set_explanation(explanation if explanation is not None else self._explain(index))
        else:
            self.canvas.set_window(self._positions[0] if total else None, None, is_next=True)
            self._status.setText(
                f"{total} positions: press Play or Step" if total else "the image is smaller than the kernel"
            )
            self.step_panel.set_explanation(None)
        self._buttons["back"].setEnabled(self._done > 0)
        self._buttons["reset"].setEnabled(self._done > 0)
        self._buttons["step"].setEnabled(self._done < total)
        self._buttons["finish"].setEnabled(self._done < total)

    @Slot(bool)
    def _sync_play_button(self, playing: bool) -> None:
        show_playing(self._buttons["play"], playing)

    def _formula_html(self, shape, k: int) -> str:
        height, width = shape[:2]
        rows = size_formula(height, k, self._border, self._stride)
        if height == width:
            return f"output size: <b>{rows}</b>"
        cols = size_formula(width, k, self._border, self._stride)
        return f"output rows: <b>{rows}</b> &nbsp;·&nbsp; columns: <b>{cols}</b>"

    def hideEvent(self, event: QHideEvent) -> None:
        self.pause()  # nobody is watching: don't keep a timer running
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        actions = {
            Qt.Key.Key_Space: self.toggle_play,
            Qt.Key.Key_Right: self.step,
            Qt.Key.Key_Left: self.step_back,
            Qt.Key.Key_Home: self.reset,
            Qt.Key.Key_End: self.finish,
        }
        if key in actions and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            actions[key]()
            event.accept()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Comma, Qt.Key.Key_Period):
            self.step_panel.keyPressEvent(event)  # Shift+←/→ (or , .) step the terms of the sum
        else:
            super().keyPressEvent(event)
