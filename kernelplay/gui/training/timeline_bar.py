"""The timeline under the views: a slider over the run's checkpoints, its right end the live network.
One row; two (the buttons under the slider) where the text is too large for one, as in presentation
mode."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from kernelplay.gui.theme import keep_ink

__all__ = ["TimelineBar", "short_count"]

TIMELINE_TIP = ("Drag back through the run: every view — kernels, feature maps, scores, the confusion matrix — "
                "shows the network as it was at that step, and a line marks it on the curves. Checkpoints are "
                "dense early, when the network changes fast, and sparser later. Drag to the right end to "
                "return to the live network.")
_WIDEST_LABEL = "step 888,888 · 888k digits"


def short_count(value: int) -> str:
    """A count in at most 5 characters: 8,640 · 45.1k · 312k · 1.23M."""
    if value < 10_000:
        return f"{value:,}"
    if value < 999_500:  # 999,999 would round to "1e+03k"
        return f"{value / 1e3:.3g}k"
    return f"{value / 1e6:.3g}M"


class TimelineBar(QWidget):
    """Slider positions ``0 … n-1`` are the checkpoints (oldest first), ``n`` is live.

    Signals (from the user only, never from :meth:`set_checkpoints`): ``step_chosen(step)`` while
    the slider is dragged over a checkpoint, ``live_chosen()`` at its right end or on *Live*,
    ``resume_clicked(step)`` on *Resume from here…*.
    """

    step_chosen = Signal(int)
    live_chosen = Signal()
    resume_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Timeline")
        self.points: list[tuple[int, int]] = []  # (step, digits seen) of each checkpoint
        self.viewed_step: int | None = None
        self.caption = QLabel("Timeline")
        self.caption.setToolTip(TIMELINE_TIP)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setAccessibleName("Timeline")
        self.slider.setToolTip(TIMELINE_TIP)
        self.slider.setPageStep(1)
        self.slider.setMinimumWidth(80)
        self.step_label = QLabel()
        self.live_button = QPushButton("Live")
        self.live_button.setToolTip("Back to the network being trained now.")
        self.resume_button = QPushButton("Resume from here…")
        self.resume_button.setToolTip("Train on from this step: the later checkpoints and curve points are "
                                      "dropped (you will be asked first).")
        self._top, self._bottom = QHBoxLayout(), QHBoxLayout()
        self._top.addWidget(self.caption)
        self._top.addWidget(self.slider, 1)
        self._top.addWidget(self.step_label)
        self._bottom.addStretch(1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(self._top)
        rows.addLayout(self._bottom)
        self.one_row = False
        self._fit_label()
        self._arrange(one_row=True)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.live_button.clicked.connect(self.live_chosen)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self._refresh()

    # --- one row or two ---------------------------------------------------------------------------------

    def _fit_label(self) -> None:
        """The step label as wide as its widest text at the font in use (it grows in presentation mode)."""
        self.step_label.setMinimumWidth(int(QFontMetricsF(self.step_label.font()).horizontalAdvance(_WIDEST_LABEL)) + 4)

    def _widths(self) -> tuple[int, int]:
        """(one row, two rows): the least width of each arrangement."""
        gap = self._top.spacing()
        top = sum(w.minimumSizeHint().expandedTo(w.minimumSize()).width() + gap
                  for w in (self.caption, self.slider, self.step_label))
        buttons = sum(w.minimumSizeHint().width() + gap for w in (self.live_button, self.resume_button))
        return top + buttons, max(top, buttons)

    def _arrange(self, one_row: bool) -> None:
        if one_row == self.one_row:
            return
        self.one_row = one_row
        target = self._top if one_row else self._bottom
        for button in (self.live_button, self.resume_button):
            target.addWidget(button)  # taken out of the other row
        self.updateGeometry()  # one row's height, or two

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self._widths()[1], hint.height())  # narrower than that: two rows

    def sizeHint(self) -> QSize:
        # one row, however it is arranged now: a width that followed the arrangement made the row
        # under the pages fold and unfold at each change of the page's height (presentation mode)
        return QSize(self._widths()[0], super().sizeHint().height())

    def resizeEvent(self, event) -> None:
        self._arrange(one_row=event.size().width() >= self._widths()[0])
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fit_label()
            self._arrange(one_row=self.width() >= self._widths()[0])
        super().changeEvent(event)

    @property
    def live(self) -> bool:
        return self.viewed_step is None

    def set_checkpoints(self, points: list[tuple[int, int]], viewed_step: int | None) -> None:
        """The checkpoints held and the step on show (None: live); the handle follows that step."""
        self.points = [tuple(p) for p in points]
        self.viewed_step = viewed_step
        self._refresh()

    def position_of(self, step: int) -> int:
        """The slider position of the checkpoint at or before ``step`` (0 before the first)."""
        return max(sum(s <= step for s, _ in self.points) - 1, 0)

    def _refresh(self) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self.points))
        self.slider.setValue(len(self.points) if self.live else self.position_of(self.viewed_step))
        self.slider.blockSignals(False)
        self.slider.setEnabled(len(self.points) > 1)
        self.live_button.setEnabled(not self.live)
        self.resume_button.setEnabled(not self.live)
        if self.live or not self.points:
            count = len(self.points)
            self.step_label.setText("<b>live</b>" + (f" · {count:,} checkpoint{'' if count == 1 else 's'}" if count else ""))
            keep_ink(self.step_label, None)
        else:
            step, seen = self.points[self.position_of(self.viewed_step)]
            self.step_label.setText(f"<b>step {step:,}</b> · {short_count(seen)} digits")
            keep_ink(self.step_label, "past")  # orange: not the live network

    @Slot(int)
    def _on_slider_moved(self, position: int) -> None:
        if position >= len(self.points):
            self.viewed_step = None
            self._refresh()
            self.live_chosen.emit()
        else:
            self.viewed_step = self.points[position][0]
            self._refresh()
            self.step_chosen.emit(self.viewed_step)

    @Slot()
    def _on_resume_clicked(self) -> None:
        if self.viewed_step is not None:
            self.resume_clicked.emit(self.points[self.position_of(self.viewed_step)][0])
