"""Right-click ▸ Save image… on any view: a PNG of what the widget shows, at the resolution it is
shown at or at twice that (for a slide or a printed handout).

The image is rendered, not grabbed from the screen, so a 2× PNG has sharp text and lines (the
widget paints itself on a 2× canvas); it is written atomically, so a failed save leaves no half file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QWidget

from kernelplay.common.files import save_failure, write_atomically

__all__ = ["widget_image", "save_widget_image", "add_save_image_actions", "PNG_FILTER"]

PNG_FILTER = "PNG image (*.png)"


def widget_image(widget: QWidget, scale: float = 1.0) -> QImage:
    """What ``widget`` shows, rendered on a canvas of ``W·r·scale × H·r·scale`` pixels for a ``W×H``
    widget on a screen of device pixel ratio ``r``: ``scale`` 1 gives as many pixels as the screen
    shows, 2 twice as many each way. White under transparent parts."""
    ratio = widget.devicePixelRatioF() * scale
    image = QImage(round(widget.width() * ratio), round(widget.height() * ratio), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(ratio)  # the widget paints in its own (logical) coordinates
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        # QWidget's render (the widget and its children as on screen), not QGraphicsView's (the scene)
        QWidget.render(widget, painter, QPoint(0, 0))
    finally:
        painter.end()
    return image


def save_widget_image(widget: QWidget, path: str | Path, scale: float = 1.0) -> Path:
    """Write :func:`widget_image` to ``path`` as a PNG, atomically; returns the path
    (:class:`~kernelplay.common.files.FileSaveError` names it on failure)."""
    image = widget_image(widget, scale)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ValueError(f"could not encode the {image.width()}×{image.height()} image as PNG")
    buffer.close()
    return write_atomically(path, lambda stream: stream.write(bytes(data)))


def add_save_image_actions(widget: QWidget, name: str, report: Callable[[str], None]) -> tuple[QAction, QAction]:
    """Give ``widget`` a right-click menu with "Save image…" and "Save image at 2×…"; each asks for
    a file (``name``.png proposed) and ``report``s what happened in a sentence. Returns the actions."""

    def save(scale: float) -> None:
        path, _ = QFileDialog.getSaveFileName(widget.window(), "Save image", f"{name}.png", PNG_FILTER)
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        try:
            save_widget_image(widget, path, scale)
        except (OSError, ValueError) as error:
            report(save_failure(path, error))
            return
        report(f"Saved {Path(path).name} ({_size_text(widget, scale)}).")

    actions = []
    for text, scale in (("Save image…", 1.0), ("Save image at 2×…", 2.0)):
        action = QAction(text, widget)
        action.setStatusTip(f"Save this view as a PNG ({'twice the size shown' if scale > 1 else 'as shown'})")
        action.triggered.connect(lambda _=False, s=scale: save(s))
        widget.addAction(action)
        actions.append(action)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return actions[0], actions[1]


def _size_text(widget: QWidget, scale: float) -> str:
    ratio = widget.devicePixelRatioF() * scale
    return f"{round(widget.width() * ratio)}×{round(widget.height() * ratio)} pixels"
