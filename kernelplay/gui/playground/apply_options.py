"""How the kernel is applied: border, colour mode, output mapping, flip, and which channel to inspect."""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QWidget

from kernelplay.imaging.borders import BORDER_LABELS
from kernelplay.imaging.mapping import MAPPING_LABELS

COLOUR_CHANNELS = {"R": "Red", "G": "Green", "B": "Blue"}
INSPECT_TIP = (
    "Which channel the step-by-step view explains. Each RGB channel is filtered on its own, so the "
    "sum explained is one of the output's red, green or blue values; in the luminance mode it is "
    "the one grey value."
)


def _combo(labels: dict[str, str], tooltip: str) -> QComboBox:
    box = QComboBox()
    for key, label in labels.items():
        box.addItem(label, key)
    box.setToolTip(tooltip)
    return box


class ApplyOptions(QGroupBox):
    """The "How it is applied" box. ``settings_changed`` fires when a choice changes what is
    computed; ``channel_changed`` when only the inspected channel changes.

    The Inspect box offers only what the output shows: red, green or blue when each RGB channel
    is filtered, luminance in the luminance mode, nothing to choose for a grey image.
    """

    settings_changed = Signal()
    channel_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("How it is applied", parent)
        self.border_box = _combo(BORDER_LABELS, "How the window is filled where it hangs over the image's edge.")
        self.mapping_box = _combo(
            MAPPING_LABELS, "How a raw sum (which can be negative or above 255) becomes a 0–255 pixel."
        )
        self.colour_box = _combo(
            {"rgb": "Each RGB channel", "luminance": "Luminance (grey)"},
            "Filter each colour channel separately, or the image's brightness (ITU-R BT.601).",
        )
        self.flip_box = QCheckBox("Convolution (flip kernel)")
        self.flip_box.setToolTip(
            "Off: the top-left weight multiplies the top-left pixel (cross-correlation, what CNNs do).\n"
            "On: the kernel is rotated 180° first — convolution as mathematicians define it."
        )
        self.channel_box = _combo(COLOUR_CHANNELS, INSPECT_TIP)
        self._colour_image = True
        self._colour_channel = "R"  # the last colour channel chosen, kept across mode changes

        form = QFormLayout(self)
        form.addRow("Border", self.border_box)
        form.addRow("Colour", self.colour_box)
        form.addRow("Output", self.mapping_box)
        form.addRow(self.flip_box)
        form.addRow("Inspect", self.channel_box)

        for box in (self.border_box, self.mapping_box, self.colour_box):
            box.currentIndexChanged.connect(self._on_setting_changed)
        self.flip_box.toggled.connect(self._on_setting_changed)
        self.channel_box.currentIndexChanged.connect(self._on_channel_chosen)

    def settings(self) -> dict:
        """The current choices (border, mapping, colour mode, flip)."""
        return {
            "border": self.border_box.currentData(),
            "mapping": self.mapping_box.currentData(),
            "luminance": self.colour_box.currentData() == "luminance",
            "flip": self.flip_box.isChecked(),
        }

    def inspected_channel(self) -> str | None:
        """What the step view explains: "R", "G" or "B", "luminance", or None for a grey image."""
        return self.channel_box.currentData()

    def set_colour_image(self, colour: bool) -> None:
        """A grey image has neither a colour mode nor channels to choose."""
        self._colour_image = colour
        self.colour_box.setEnabled(colour)
        self._offer_channels()

    @Slot()
    def _on_setting_changed(self) -> None:
        self._offer_channels()
        self.settings_changed.emit()

    @Slot()
    def _on_channel_chosen(self) -> None:
        if self.channel_box.currentData() in COLOUR_CHANNELS:
            self._colour_channel = self.channel_box.currentData()
        self.channel_changed.emit()

    def _offer_channels(self) -> None:
        """Fill the Inspect box with the channels the output has (signals held: one change)."""
        if not self._colour_image:
            choices = {None: "Grey (one channel)"}
        elif self.settings()["luminance"]:
            choices = {"luminance": "Luminance"}
        else:
            choices = COLOUR_CHANNELS
        offered = [self.channel_box.itemData(i) for i in range(self.channel_box.count())]
        if offered == list(choices):
            return
        before = self.channel_box.currentData()
        self.channel_box.blockSignals(True)
        self.channel_box.clear()
        for key, label in choices.items():
            self.channel_box.addItem(label, key)
        self.channel_box.setCurrentIndex(max(0, self.channel_box.findData(self._colour_channel)))
        self.channel_box.setEnabled(len(choices) > 1)
        self.channel_box.blockSignals(False)
        if self.channel_box.currentData() != before:
            self.channel_changed.emit()
