"""Tab 1, the kernel playground: an image, a kernel, the filtered output, and the arithmetic."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QWidget,
)

from kernelplay.gui.playground.apply_options import COLOUR_CHANNELS, ApplyOptions
from kernelplay.gui.playground.filter_runner import FilterRunner
from kernelplay.gui.playground.image_panels import ImagePair
from kernelplay.gui.playground.kernel_editor import KernelEditor
from kernelplay.gui.playground.scan_view import ScanView
from kernelplay.gui.playground.side_column import SideColumn
from kernelplay.gui.playground.step_panel import StepPanel
from kernelplay.gui.playground.step_text import hover_line, no_output_text
from kernelplay.imaging.explain import PixelExplanation, explain_pixel
from kernelplay.imaging.images import ImageLoadError, load_image
from kernelplay.imaging.preview import FilterRequest, FilterResult
from kernelplay.imaging.scan import SCAN_MAX_SIDE, default_scan_image, output_offset

_STEP_KEYS = {Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Space, Qt.Key.Key_Comma, Qt.Key.Key_Period}


class PlaygroundTab(QWidget):
    """Open an image, edit a kernel, see the output live; hover a pixel to read its numbers."""

    image_loaded = Signal(str)  # a name for the image (file name, sample name, "pasted image")
    output_updated = Signal()
    message_posted = Signal(str)  # a sentence for the user (errors, confirmations)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: np.ndarray | None = None
        self._image_name = ""
        self._result: FilterResult | None = None
        self._serial = 0
        self._hovered: tuple[int, int] | None = None
        self._pinned: tuple[int, int] | None = None
        self._kernel_problem = ""  # the kernel editor's complaint on show, "" when none

        self.kernel_editor = KernelEditor()
        self.options = ApplyOptions()
        self.border_box, self.mapping_box = self.options.border_box, self.options.mapping_box
        self.colour_box, self.flip_box = self.options.colour_box, self.options.flip_box
        self.channel_box = self.options.channel_box
        self.images = ImagePair()
        self.step_panel = StepPanel()
        self.scan_view = ScanView()
        self.scan_source_box = QComboBox()
        self.scan_source_box.addItem("Scan the built-in digit", "digit")
        self.scan_source_box.addItem(f"Scan this image (≤ {SCAN_MAX_SIDE}×{SCAN_MAX_SIDE})", "image")
        self.scan_source_box.setToolTip(
            "The sliding window works on a small image: the 28×28 digit, or the open image cropped and scaled down."
        )
        # The window shows these two in its status bar; a long hover line is cut there, it does
        # not widen the window.
        self.hover_label = QLabel(" ")
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary_label = QLabel(" ")
        self._runner = FilterRunner(self)

        self._build_layout()
        self.kernel_editor.kernel_changed.connect(self._on_settings_changed)
        self.kernel_editor.validity_changed.connect(self._on_kernel_validity_changed)
        self.options.settings_changed.connect(self._on_settings_changed)
        self.options.channel_changed.connect(self._refresh_hover)
        self.options.channel_changed.connect(self._update_scan)
        self.images.pixel_hovered.connect(self._on_pixel_hovered)
        self.images.pixel_clicked.connect(self._on_pixel_clicked)
        self.images.arrow_pressed.connect(self._on_arrow_pressed)
        self.step_panel.term_changed.connect(self._on_term_changed)
        self.scan_source_box.currentIndexChanged.connect(self._update_scan)
        self.modes.currentChanged.connect(self._on_mode_changed)
        self._runner.result_ready.connect(self._on_result_ready)
        self._runner.failed.connect(self.message_posted)

    def _build_layout(self) -> None:
        side_panel = SideColumn(self.kernel_editor, self.options)

        self.view_splitter = QSplitter(Qt.Orientation.Vertical)
        self.view_splitter.addWidget(self.images)
        self.view_splitter.addWidget(self.step_panel)
        # Half and half: at 1024×700 the sum, its stages and the shown pixel need the room more
        # than a photo (which, wider than high, leaves its view's height unused anyway).
        self.view_splitter.setChildrenCollapsible(False)  # larger text must not fold the sum away
        self.view_splitter.setStretchFactor(0, 1)
        self.view_splitter.setStretchFactor(1, 1)
        self.view_splitter.setSizes([1000, 1000])

        self.modes = QTabWidget()
        self.modes.addTab(self.view_splitter, "Whole image")
        self.modes.addTab(self.scan_view, "Sliding window")
        self.modes.setTabToolTip(0, "The whole image filtered at once; hover a pixel to see its sum.")
        self.modes.setTabToolTip(1, "Watch the window slide over a small image and the output fill in.")
        self.modes.setCornerWidget(self.scan_source_box)
        self.scan_source_box.setVisible(False)  # it chooses what the sliding window scans: only there
        body = QHBoxLayout(self)
        body.addWidget(side_panel)
        body.addWidget(self.modes, 1)

    # -- the image -----------------------------------------------------------------------
    def image(self) -> np.ndarray | None:
        return None if self._image is None else self._image.copy()

    def image_name(self) -> str:
        return self._image_name

    def open_path(self, path: str | Path) -> bool:
        """Load an image file; on failure say why and keep the current image. Returns success."""
        try:
            pixels = load_image(path)
        except ImageLoadError as error:
            self.message_posted.emit(str(error))
            return False
        self.set_image(pixels, Path(path).name, copy=False)  # nobody else holds the loaded array
        return True

    def set_image(self, pixels: np.ndarray, name: str, *, copy: bool = True) -> None:
        """Show uint8 pixels, (H, W) grey or (H, W, 3) RGB, as the new input.

        The tab keeps a copy, which the filter thread, the input view and the sliding window all
        read; ``copy=False`` hands it ``pixels`` themselves instead (no longer to be written to
        by the caller): a 50 MP image is 143 MiB.
        """
        if copy:
            pixels = np.array(pixels, dtype=np.uint8, order="C")
        else:
            pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
        pixels.flags.writeable = False  # shared with the filter thread and drawn as it is
        self._image = pixels
        self._image_name = name
        self._pinned = self._hovered = None
        self.images.set_pin(None)
        self.options.set_colour_image(self._image.ndim == 3)
        self.images.clear_outlines()
        self.images.set_input(self._image)
        self._result = None
        self._request_output()
        self._update_scan()
        self.images.zoom_to_fit()
        self.image_loaded.emit(name)

    # -- the output ----------------------------------------------------------------------
    def settings(self) -> dict:
        """The tab's current choices (border, mapping, colour mode, flip)."""
        return self.options.settings()

    def result(self) -> FilterResult | None:
        """The newest shown result (mapped pixels, clipped counts; the raw sum at a pixel). Its
        pixels are None while a large output is filtered again (see :meth:`_let_go_of_large_output`)."""
        return self._result

    def output_pixels(self) -> np.ndarray | None:
        """The shown output, read-only (no copy: 143 MiB at 50 MP; each result is a new array), or
        None before any, or while a large one is filtered again (:meth:`why_no_output` says which)."""
        if self._result is None or self._result.mapped.pixels is None:
            return None
        pixels = self._result.mapped.pixels.view()
        pixels.flags.writeable = False
        return pixels

    def why_no_output(self) -> str:
        """Why :meth:`output_pixels` is None, as a sentence for the user."""
        if self._result is None:
            return "There is no output yet."
        if self._runner.busy():
            return "The output is being filtered again: it can be saved or copied once it shows."
        return "The last filter failed, so there is no output: change the kernel or a setting to try again."

    def is_up_to_date(self) -> bool:
        """True once the shown output reflects the latest image, kernel and settings."""
        return self._result is not None and self._result.request.serial == self._serial

    def _request_output(self) -> None:
        if self._image is None:
            return
        self._let_go_of_large_output()
        self._serial += 1
        settings = self.settings()
        self._runner.submit(
            FilterRequest(
                image=self._image,
                kernel=self.kernel_editor.kernel(),
                border=settings["border"],
                flip=settings["flip"],
                luminance=settings["luminance"],
                mapping=settings["mapping"],
                serial=self._serial,
            )
        )

    def _let_go_of_large_output(self) -> None:
        """Before a large output (beyond the views' DISPLAY_COPY_PIXELS) is filtered again, let
        go of the last one: else the input, the last output and the next one are held at once (3×
        the image). The output view draws a stand-in; the tab keeps what was computed, enough to
        compute any of its numbers again (FilterResult.pixel_at); saving waits for the next one."""
        if self.images.output_view.let_go_of_pixels() and self._result is not None:
            self._result = self._result.without_pixels()

    @Slot()
    def _on_settings_changed(self) -> None:
        self._request_output()
        self._update_scan()

    @Slot(int)
    def _on_mode_changed(self, index: int) -> None:
        self.scan_source_box.setVisible(self.modes.widget(index) is self.scan_view)

    @Slot()
    def _update_scan(self) -> None:
        """Give the sliding window the tab's kernel, settings and image in one call (a real change
        restarts its scan; a hidden view only records it)."""
        settings = self.settings()
        changes = {"kernel": self.kernel_editor.kernel(), "border": settings["border"], "mapping": settings["mapping"],
                   "flip": settings["flip"], "channel": self.options.inspected_channel()}
        source = self.scan_source_box.currentData()
        if source == "image" and self._image is not None:
            changes["image"] = self._image
        elif source == "digit":
            changes["image"] = default_scan_image()
        self.scan_view.configure(**changes)

    @Slot(object)
    def _on_result_ready(self, result: FilterResult) -> None:
        if result.request.image is not self._image:
            return  # computed for an image that has since been replaced
        self._result = result
        offset = output_offset(result.request.border, result.request.kernel.shape[0])
        self.images.set_output(result.mapped.pixels, offset)
        if result.request.serial != self._serial:  # a newer request is being filtered
            self._let_go_of_large_output()
        self._update_summary()
        self._refresh_hover()
        self.output_updated.emit()

    @Slot(str)
    def _on_kernel_validity_changed(self, problem: str) -> None:
        """Say what is wrong with the kernel once, and take it back as soon as it is right."""
        if problem != self._kernel_problem:
            shown, self._kernel_problem = self._kernel_problem, problem
            if problem or shown:
                self.message_posted.emit(problem)  # "" hides the message

    def _update_summary(self) -> None:
        result = self._result
        height, width = result.request.image.shape[:2]
        channels = "RGB" if result.request.image.ndim == 3 else "grey"
        mapped = result.mapped
        self.summary_label.setText(
            f"{width}×{height} {channels}  ·  "
            f"clipped: {mapped.clipped_low:,} below 0, {mapped.clipped_high:,} above 255  ·  "
            f"{result.seconds * 1000:.0f} ms"
        )

    # -- hover and pin -------------------------------------------------------------------
    @Slot(int, int)
    def _on_pixel_hovered(self, row: int, col: int) -> None:
        self._hovered = (row, col) if row >= 0 else None
        if self._pinned is None:
            self._refresh_hover()

    @Slot(int, int)
    def _on_pixel_clicked(self, row: int, col: int) -> None:
        """A click pins its pixel; a click on the pinned pixel releases it (the images count a
        click within a few screen pixels of it as on it, however far out they are zoomed)."""
        self._set_pin(None if self._pinned == (row, col) else (row, col))

    def pin_pixel(self, row: int, col: int, zoom: float | None = None) -> None:
        """Pin input pixel (row, col) on the whole image (zoomed to ``zoom`` around it if given)."""
        self.modes.setCurrentWidget(self.view_splitter)
        self._set_pin((row, col))
        if zoom is not None:
            self.images.zoom_on(row, col, zoom)

    def release_pin(self) -> None:
        """Let the window follow the mouse again (Esc)."""
        self._set_pin(None)

    def _set_pin(self, pixel: tuple[int, int] | None) -> None:
        self._pinned = pixel
        self.images.set_pin(pixel)
        self._refresh_hover()

    def pinned_pixel(self) -> tuple[int, int] | None:
        """The pixel the step view stays on while the mouse moves, or None."""
        return self._pinned

    def focused_pixel(self) -> tuple[int, int] | None:
        """The pinned pixel if any, else the hovered one (input coordinates)."""
        return self._pinned or self._hovered

    @Slot()
    def _refresh_hover(self) -> None:
        pixel = self.focused_pixel()
        if pixel is None or self._image is None:
            self.hover_label.setText(" ")
            self.images.clear_outlines()
            self.step_panel.set_explanation(None)
            return
        row, col = pixel
        k = self.kernel_editor.kernel().shape[0]
        self.images.outline_window(row, col, k)
        index = self._output_index(row, col)
        outside_valid = self._result is not None and index is None
        # The preview keeps no raw sums (4× the image): the core computes this one again.
        output = None if index is None else (self._result.raw_at(*index), self._result.pixel_at(*index))
        pinned = self._pinned is not None
        self.hover_label.setText(hover_line(row, col, self._image[row, col], output, outside_valid=outside_valid, pinned=pinned))
        reason = no_output_text(row, col, self._result.request.kernel.shape[0], self._image.shape) if outside_valid else ""
        self.step_panel.set_explanation(
            self.explain(row, col), output_pixel=None if output is None else tuple(np.atleast_1d(output[1])),
            pinned=pinned, reason=reason,
        )

    def inspected_channel(self) -> str | None:
        """The channel of the shown output the step view explains: "R", "G" or "B" (as chosen)
        when each channel was filtered, "luminance" in that mode, None for a grey image."""
        result = self._result
        if result is None or result.request.image.ndim == 2:
            return None
        if result.request.luminance:
            return "luminance"
        chosen = self.options.inspected_channel()
        return chosen if chosen in COLOUR_CHANNELS else "R"  # the output shown still has channels

    def explain(self, row: int, col: int) -> PixelExplanation | None:
        """The multiply-sum behind the shown output at input pixel (row, col), or None where
        there is none (no output yet, or outside a "valid" output)."""
        result = self._result
        if result is None or self._output_index(row, col) is None:
            return None
        request = result.request
        return explain_pixel(
            request.image, request.kernel, row, col, border=request.border, channel=self.inspected_channel(),
            mapping=request.mapping, flip=request.flip, value_range=result.value_range,
        )

    def _output_index(self, row: int, col: int) -> tuple[int, int] | None:
        """The output pixel whose window is centred on input pixel (row, col), or None where
        there is none (no output yet, or outside a "valid" output)."""
        result = self._result
        if result is None:
            return None
        offset = output_offset(result.request.border, result.request.kernel.shape[0])
        out_row, out_col = row - offset, col - offset
        height, width = result.request.output_shape[:2]
        if not (0 <= out_row < height and 0 <= out_col < width):
            return None
        return out_row, out_col

    @Slot(int)
    def _on_term_changed(self, term: int) -> None:
        """Outline the input pixel of the current term on both images."""
        explanation = self.step_panel.explanation()
        if explanation is None or not 0 <= term < explanation.products.size:
            self.images.outline_term(None, None)
            return
        k = explanation.size
        window_row, window_col = divmod(term, k)
        self.images.outline_term(explanation.row - k // 2 + window_row, explanation.col - k // 2 + window_col)

    @Slot(int, int, bool)
    def _on_arrow_pressed(self, row_step: int, col_step: int, shift: bool) -> None:
        """Arrows move the pinned window one pixel; Shift+←/→ step through the sum's terms."""
        if shift:
            if col_step > 0:
                self.step_panel.step_forward()
            elif col_step < 0:
                self.step_panel.step_back()
            return
        if self._image is None:
            return
        height, width = self._image.shape[:2]
        row, col = self.focused_pixel() or (height // 2, width // 2)
        self._set_pin((min(max(row + row_step, 0), height - 1), min(max(col + col_step, 0), width - 1)))

    def keyPressEvent(self, event) -> None:
        """Keys the image views leave alone (Home, End, Space, “,” and “.”) drive the step view;
        Esc releases a pinned pixel."""
        if event.key() in _STEP_KEYS:
            self.step_panel.keyPressEvent(event)
        elif event.key() == Qt.Key.Key_Escape and self._pinned is not None:
            self.release_pin()
        else:
            super().keyPressEvent(event)

    def shutdown(self) -> None:
        """Stop the filter thread (the window calls this when it closes)."""
        self._runner.stop()
