"""numpy arrays ⇄ Qt images."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def array_to_qimage(pixels: np.ndarray) -> QImage:
    """A deep-copied ``QImage`` from uint8 pixels: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA."""
    return qimage_view(np.ascontiguousarray(pixels, dtype=np.uint8)).copy()


def qimage_view(pixels: np.ndarray) -> QImage:
    """A ``QImage`` over the buffer of C-contiguous uint8 pixels ((H, W) grey, (H, W, 3) RGB or
    (H, W, 4) RGBA), not a copy: the array's own memory is what gets drawn, so it must not change
    while the image is on screen. PySide keeps a reference to the buffer as long as the image lives.

    For large images: a copy of a 50 MP RGB input is 143 MiB, a ``QPixmap`` of it 191 MiB more.
    """
    if pixels.dtype != np.uint8 or not pixels.flags.c_contiguous:
        raise ValueError(f"expected C-contiguous uint8 pixels, got {pixels.dtype} with strides {pixels.strides}")
    if pixels.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    elif pixels.ndim == 3 and pixels.shape[2] == 3:
        fmt = QImage.Format.Format_RGB888
    elif pixels.ndim == 3 and pixels.shape[2] == 4:
        fmt = QImage.Format.Format_RGBA8888
    else:
        raise ValueError(f"expected (H, W), (H, W, 3) or (H, W, 4) pixels, got shape {pixels.shape}")
    height, width = pixels.shape[:2]
    # The row stride in bytes: Qt would otherwise round each row up to 4 bytes.
    return QImage(pixels.data, width, height, pixels.strides[0], fmt)


def qpixmap_view(pixels: np.ndarray) -> QPixmap:
    """A ``QPixmap`` over the buffer of C-contiguous uint8 pixels, not a copy (see :func:`qimage_view`):
    keep the array alive, and unchanged, for as long as the pixmap is drawn.

    A raster pixmap holds a ``QImage``; without format conversion (to Qt's 32-bit format, 4 bytes
    a pixel) it is the array's, shared, and a ``QGraphicsPixmapItem`` can draw it as it is.
    """
    return QPixmap.fromImage(qimage_view(pixels), Qt.ImageConversionFlag.NoFormatConversion)


def array_to_qpixmap(pixels: np.ndarray) -> QPixmap:
    """A ``QPixmap`` of uint8 pixels (see ``array_to_qimage``)."""
    return QPixmap.fromImage(array_to_qimage(pixels))


def qimage_to_array(image: QImage) -> np.ndarray:
    """uint8 pixels from a ``QImage``: (H, W) for greyscale images, else (H, W, 3) RGB (alpha on white)."""
    if image.isNull():
        raise ValueError("the image is empty")
    if image.format() == QImage.Format.Format_Grayscale8:
        grey = image
        rows = np.frombuffer(grey.constBits(), dtype=np.uint8, count=grey.sizeInBytes())
        return rows.reshape(grey.height(), grey.bytesPerLine())[:, : grey.width()].copy()
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=rgba.sizeInBytes())
    pixels = rows.reshape(rgba.height(), rgba.bytesPerLine())[:, : rgba.width() * 4]
    pixels = pixels.reshape(rgba.height(), rgba.width(), 4).astype(np.float32)
    alpha = pixels[..., 3:4] / 255.0
    rgb = pixels[..., :3] * alpha + 255.0 * (1.0 - alpha)
    return np.rint(rgb).astype(np.uint8)
