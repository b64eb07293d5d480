"""Reading and writing images as numpy arrays.

Every image in kernelplay is a uint8 array, ``(H, W, 3)`` RGB or ``(H, W)`` grey, row 0 at the
top. :func:`load_image` turns whatever Pillow can open into that form, or raises
:class:`ImageLoadError` with a message meant for the person who chose the file.
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kernelplay.common.files import open_user_file, write_atomically
from kernelplay.common.threads import run_in_slices

# Larger images are refused before they are decoded: 50 MP of RGB is 150 MB as uint8 and 600 MB
# once filtered to float32. Pillow's own limit (Image.MAX_IMAGE_PIXELS) is higher, so ours acts first.
MAX_PIXELS = 50_000_000

SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".bmp": "BMP"}

# ITU-R BT.601 luma weights for R, G, B.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)
CHANNELS = ("R", "G", "B", "luminance")  # what a colour image offers one-channel views of

_WHITE = 255


class ImageLoadError(ValueError):
    """An image could not be loaded; ``str(error)`` is a sentence to show the user."""


def _open_failure(reason: str) -> ImageLoadError:
    """:func:`~kernelplay.common.files.open_user_file`'s message written as this module's sentences are."""
    return ImageLoadError(f"{reason[0].upper()}{reason[1:]}.")


def load_image(path) -> np.ndarray:
    """The image at ``path`` as uint8 ``(H, W, 3)`` RGB or ``(H, W)`` grey.

    EXIF orientation is applied; palette images become RGB; transparency is composited on white;
    16-bit images keep their top 8 bits; CMYK becomes RGB; grey+alpha becomes grey on white; an
    animation gives its first frame. Raises :class:`ImageLoadError` for a missing file, a folder,
    a symbolic link loop, a file that is not an image, truncated or corrupt data, or more than
    :data:`MAX_PIXELS` pixels.
    """
    path = Path(path).expanduser()
    with open_user_file(path, "image file", _open_failure) as stream:
        return _decode(stream, path.name)


def image_from_bytes(data: bytes) -> np.ndarray:
    """Like :func:`load_image`, for the bytes of an image file (clipboard, drag and drop)."""
    if not data:
        raise ImageLoadError("There is no image data to read.")
    return _decode(io.BytesIO(data), "The data")


def _decode(stream, name: str) -> np.ndarray:
    with warnings.catch_warnings():
        # Our size check below replaces Pillow's DecompressionBombWarning.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        # Pillow warns about damaged TIFF/EXIF blocks; the damage that matters raises below.
        warnings.filterwarnings("ignore", category=UserWarning, module="PIL")
        try:
            image = Image.open(stream)
        except UnidentifiedImageError:
            raise ImageLoadError(f"{name} is not an image kernelplay can read (or the file is damaged).") from None
        except Image.DecompressionBombError:
            raise ImageLoadError(
                f"{name} is too large to open: kernelplay accepts at most {MAX_PIXELS:,} pixels."
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageLoadError(f"{name} is damaged (its header cannot be read), so it cannot be shown.") from None
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageLoadError(
                f"{name} is too large to open: it is {width:,} × {height:,} = {width * height:,} pixels, "
                f"and kernelplay accepts at most {MAX_PIXELS:,}."
            )
        try:
            image.load()  # decode everything now, so damage shows up here and not later
        except (OSError, SyntaxError, ValueError, EOFError, IndexError):
            raise ImageLoadError(f"{name} is damaged or incomplete (truncated), so it cannot be shown.") from None
    try:
        ImageOps.exif_transpose(image, in_place=True)  # not in place, it copies even an upright image
    except Exception:  # a malformed EXIF block should not cost the user their picture
        pass
    return _to_array(image)


def _on_white(image: Image.Image, mode: str) -> Image.Image:
    """Composite an image with alpha onto white, returning ``mode`` ("L" or "RGB")."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (_WHITE, _WHITE, _WHITE, 255))
    return Image.alpha_composite(background, rgba).convert(mode)


def _top_eight_bits(strip: Image.Image) -> np.ndarray:
    # 16-bit grey: keep the top 8 bits (0..65535 → 0..255).
    return (np.asarray(strip).astype(np.uint16) >> 8).astype(np.uint8)


def _integer_grey(strip: Image.Image) -> np.ndarray:
    # 32-bit integer grey: Pillow reads 16-bit PNGs and TIFFs this way, so treat it as 16-bit.
    return (np.clip(np.asarray(strip, dtype=np.int64), 0, 65535) >> 8).astype(np.uint8)


def _float_grey(scale: float):
    def convert(strip: Image.Image) -> np.ndarray:
        values = np.nan_to_num(np.asarray(strip, dtype=np.float64)) * scale
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return convert


# Pillow holds a decoded RGB image at 4 bytes a pixel (1.33× the uint8 array), and numpy reads a
# Pillow image through tobytes() (a copy) before making its own: converted whole, loading a 50 MP
# PNG peaked at 3.7× the uint8 image, the whole process. A strip of about this many bytes at a time
# into the one result array: 2.8×, Pillow's image, the result and the interpreter with its
# libraries (benchmarks/bench_filter.py --memory-only).
_STRIP_BYTES = 1 << 20


def _strips(image: Image.Image):
    """``(top, strip)`` for strips of rows of ``image`` from the top (one for an empty image)."""
    width, height = image.size
    rows = max(1, _STRIP_BYTES // max(1, 4 * width))
    for top in range(0, max(height, 1), rows):
        yield top, image.crop((0, top, width, min(top + rows, height)))


def _strip_converter(image: Image.Image):
    """The function turning a strip of ``image`` into uint8 ``(rows, W)`` or ``(rows, W, 3)``:
    each conversion works pixel by pixel, so strips convert as the whole image would."""
    mode = image.mode
    if mode in ("L", "RGB"):
        return np.asarray
    if mode == "1":
        return lambda strip: np.asarray(strip.convert("L"))
    if mode in ("LA", "La"):
        return lambda strip: np.asarray(_on_white(strip, "L"))
    if mode in ("RGBA", "RGBa", "PA") or (mode == "P" and "transparency" in image.info):
        return lambda strip: np.asarray(_on_white(strip, "RGB"))
    if mode.startswith("I;16"):
        return _top_eight_bits
    if mode == "I":
        return _integer_grey
    if mode == "F":
        # Float grey: 0..1 if that is its range (the whole image's), otherwise 0..255.
        largest = max((np.nan_to_num(np.asarray(strip, dtype=np.float64)).max(initial=-np.inf)
                       for _, strip in _strips(image)), default=-np.inf)
        return _float_grey(255.0 if largest <= 1.0 else 1.0)
    # P, CMYK, YCbCr, LAB, HSV, …
    return lambda strip: np.asarray(strip.convert("RGB"))


def _to_array(image: Image.Image) -> np.ndarray:
    convert = _strip_converter(image)
    result = None
    for top, strip in _strips(image):
        pixels = convert(strip)
        if result is None:
            result = np.empty((image.size[1],) + pixels.shape[1:], dtype=np.uint8)
        result[top: top + pixels.shape[0]] = pixels
    return result


def luminance(image: np.ndarray) -> np.ndarray:
    """The ITU-R BT.601 luma ``0.299 R + 0.587 G + 0.114 B`` as float32 ``(H, W)`` in 0..255.

    A grey ``(H, W)`` image comes back unchanged as float32.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image.astype(np.float32)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W) or (H, W, 3) image, got shape {image.shape}")
    result = np.empty(image.shape[:2], dtype=np.float32)
    rows_per_band = max(1, 131_072 // max(1, image.shape[1]))

    def run(first_row: int, last_row: int) -> None:
        # Bands stay in cache.
        scratch = np.empty((min(rows_per_band, last_row - first_row), image.shape[1]), dtype=np.float32)
        for top in range(first_row, last_row, rows_per_band):
            bottom = min(top + rows_per_band, last_row)
            luminance_into(image[top:bottom], result[top:bottom], scratch[: bottom - top])

    run_in_slices(run, image.shape[0], result.size)
    return result


def luminance_into(rows: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
    """:func:`luminance` of ``(n, W, 3)`` ``rows`` into float32 ``out`` ``(n, W)``, on this thread;
    ``scratch`` is float32 ``(n, W)``. The filter computes the luminance a band at a time with it."""
    red, green, blue = (np.float32(w) for w in LUMA_WEIGHTS)
    # (R·0.299 + G·0.587) + B·0.114 in float32, in that order for every pixel, so a k×k window
    # (explain_pixel) and a band of the filter get exactly the values the whole image gets.
    np.multiply(rows[..., 0], red, out=out)
    np.multiply(rows[..., 1], green, out=scratch)
    out += scratch
    np.multiply(rows[..., 2], blue, out=scratch)
    out += scratch


def channel_plane(image: np.ndarray, channel: str | None) -> np.ndarray:
    """The ``(H, W)`` plane ``channel`` picks of an image: ``"R"``, ``"G"`` or ``"B"`` as stored,
    ``"luminance"`` as float32 (:func:`luminance`); a grey image is its own plane (``channel`` None).
    """
    image = np.asarray(image)
    if image.ndim == 2:
        if channel not in (None, "luminance"):
            raise ValueError(f"a grey image has no channel {channel!r}; leave channel as None")
        return image
    if channel == "luminance":
        return luminance(image)
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
    return image[..., "RGB".index(channel)]


def save_image(path, pixels: np.ndarray) -> None:
    """Save uint8 ``(H, W)`` or ``(H, W, 3)`` pixels as PNG, JPEG or BMP, chosen by the suffix.

    The file is written to a temporary file in the same folder and then moved into place, so a
    failure never leaves a half-written image behind.
    """
    path = Path(path)
    image_format = SAVE_FORMATS.get(path.suffix.lower())
    if image_format is None:
        supported = ", ".join(SAVE_FORMATS)
        raise ValueError(f"cannot save as {path.suffix or 'a file without a suffix'!r}: use one of {supported}")
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise ValueError(f"expected uint8 pixels of shape (H, W) or (H, W, 3), got {pixels.dtype} {pixels.shape}")
    image = Image.fromarray(np.ascontiguousarray(pixels))
    options = {"quality": 95} if image_format == "JPEG" else {}
    write_atomically(path, lambda stream: image.save(stream, format=image_format, **options))
