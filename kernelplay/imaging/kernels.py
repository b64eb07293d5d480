"""Kernels: the preset menu, parsing typed kernels, fractions, and the small JSON kernel file.

A kernel is a square float64 array, 3×3 or 5×5, read as cross-correlation weights: the top-left
weight multiplies the top-left pixel of the window.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np

from kernelplay.common.files import parse_json, read_user_file, write_atomically
from kernelplay.common.text import MINUS, shortened

KERNEL_SIZES = (3, 5)
KERNEL_FILE_VERSION = 1
MAX_KERNEL_FILE_BYTES = 1_000_000  # thousands of kernels; a larger file is not one of ours
# A typed weight or divisor is at most a million either way, and a divisor at least a millionth:
# then no kernel value exceeds 1e12 and a 5×5 sum over 0..255 stays near 1e16, far inside float32.
MAX_WEIGHT = 1_000_000.0
MIN_DIVISOR = 1e-6
MAX_KERNEL_VALUE = MAX_WEIGHT / MIN_DIVISOR


def _frozen(rows, divisor: float = 1.0) -> np.ndarray:
    kernel = np.array(rows, dtype=np.float64) / divisor
    kernel.setflags(write=False)
    return kernel


_BINOMIAL_5 = np.array([1, 4, 6, 4, 1], dtype=np.float64)

# Insertion order is the order of the preset menu.
PRESETS: dict[str, np.ndarray] = {
    "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "blur": _frozen([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),
    "sharpen": _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "emboss": _frozen([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "outline": _frozen([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    "top sobel": _frozen([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    "bottom sobel": _frozen([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "left sobel": _frozen([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    "right sobel": _frozen([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "box blur": _frozen(np.ones((3, 3)), 9),
    "gaussian 5x5": _frozen(np.outer(_BINOMIAL_5, _BINOMIAL_5), 256),
    "laplacian": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "unsharp mask 5x5": _frozen(
        [[1, 4, 6, 4, 1], [4, 16, 24, 16, 4], [6, 24, -476, 24, 6], [4, 16, 24, 16, 4], [1, 4, 6, 4, 1]], -256
    ),
}


# One sentence per preset: what it does to an image and why (the editor shows it under the preset
# box and as the box's tooltip). Cross-correlation: a positive weight on the left favours pixels
# brighter on the left.
PRESET_NOTES: dict[str, str] = {
    "identity": "Copies the image unchanged: only the centre pixel counts, with weight 1 — a start to edit from.",
    "blur": "Averages each pixel with its neighbours, the nearest counting most, so noise and fine detail "
            "are smoothed away.",
    "sharpen": "Adds each pixel's difference from its four neighbours, so edges and small details stand out more.",
    "emboss": "Subtracts the upper-left neighbours from the lower-right ones, so a change of brightness along "
              "that diagonal looks like a side-lit relief.",
    "outline": "Compares each pixel with all eight neighbours: flat areas give 0 (black) and only edges and "
               "outlines light up.",
    "top sobel": "Responds to a brightness change from top to bottom (bright above, dark below): it finds "
                 "horizontal edges.",
    "bottom sobel": "Responds to a brightness change from bottom to top (dark above, bright below): it finds "
                    "horizontal edges.",
    "left sobel": "Responds to a brightness change from left to right where the left side is brighter: it finds "
                  "vertical edges.",
    "right sobel": "Responds to a brightness change from left to right where the right side is brighter: it finds "
                   "vertical edges.",
    "box blur": "Averages each pixel with its eight neighbours, all weighted the same: a plain blur that can "
                "leave faint square traces.",
    "gaussian 5x5": "A wider, smoother blur: the weights fall off like a bell curve over 5×5 pixels, so the "
                    "blur leaves no square traces.",
    "laplacian": "Compares each pixel with its four neighbours: 0 on flat areas and even slopes, large (of "
                 "either sign) at edges and fine detail.",
    "unsharp mask 5x5": "Sharpens by subtracting a blurred copy from the image: what the blur would remove "
                        "is added back stronger.",
}


class KernelFileError(ValueError):
    """A kernel file could not be read: missing, not JSON, or not shaped like kernels."""


def check_kernel_values(array: np.ndarray) -> np.ndarray:
    """``array`` unless a value is NaN or beyond ±:data:`MAX_KERNEL_VALUE`, infinity included (``ValueError``)."""
    if np.iscomplexobj(array):
        raise ValueError("a kernel's weights must be real numbers")
    largest = float(np.max(np.abs(array))) if array.size else 0.0  # NaN or inf when any weight is
    if math.isnan(largest):
        raise ValueError("a kernel's weights must be finite numbers")
    if largest > MAX_KERNEL_VALUE:
        shown = f"{largest:.3g}" if math.isfinite(largest) else "infinity (or a number beyond 1.8e308)"
        raise ValueError(f"a kernel's weights may be at most {MAX_KERNEL_VALUE:.0e} either way, not {shown}")
    return array


def check_kernel(kernel) -> np.ndarray:
    """``kernel`` as a float64 array, or ``ValueError`` unless it is a 3×3 or 5×5 square of finite
    values within ±:data:`MAX_KERNEL_VALUE`."""
    try:
        array = np.asarray(kernel, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError("a kernel must be a square grid of numbers") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] not in KERNEL_SIZES:
        raise ValueError(f"a kernel must be 3×3 or 5×5, not {'×'.join(map(str, array.shape)) or 'a single number'}")
    return check_kernel_values(array)


def parse_weight(text: str) -> float:
    """One typed weight: ``2``, ``-0.5``, ``−1`` (true minus), ``0,5`` (decimal comma) or ``1/16``.

    Raises ``ValueError`` saying why the text is not a finite number within ±:data:`MAX_WEIGHT`.
    """
    cleaned = text.strip().replace(MINUS, "-")  # accept a true minus sign as typed or pasted
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        if "/" in cleaned:
            numerator, _, denominator = cleaned.partition("/")
            value = float(numerator) / float(denominator)
        else:
            value = float(cleaned)
    except ZeroDivisionError:
        raise ValueError(f"{text.strip()!r} divides by zero") from None
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number (try e.g. 2, -0.5 or 1/16)") from None
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    if abs(value) > MAX_WEIGHT:
        raise ValueError(f"{text.strip()!r} is too large: a weight may be at most {MAX_WEIGHT:,.0f} either way")
    return value


def check_divisor(divisor: float) -> float:
    """``divisor`` unless it is 0 or outside ±[:data:`MIN_DIVISOR`, :data:`MAX_WEIGHT`] (``ValueError``)."""
    if divisor == 0:
        raise ValueError("the divisor must not be 0 (nothing can be divided by it)")
    if not MIN_DIVISOR <= abs(divisor) <= MAX_WEIGHT:
        raise ValueError(f"the divisor must lie between {MIN_DIVISOR:g} and {MAX_WEIGHT:,.0f} (either sign)")
    return divisor


def _parse_cell(cell: str, row: int, col: int) -> float:
    try:
        return parse_weight(cell)
    except ValueError as error:
        raise ValueError(f"row {row + 1}, column {col + 1}: {error}") from None


def parse_kernel(text: str) -> np.ndarray:
    """A kernel from text: rows separated by ``;`` (or new lines), cells by ``,`` or spaces.

    ``"1,2,1; 2,4,2; 1,2,1"`` and ``"1/16 2/16 1/16; …"`` both work. The result is 3×3 or 5×5;
    anything else raises ``ValueError`` naming the offending row or cell.
    """
    lines = [line.strip() for line in text.replace("\n", ";").split(";")]
    while lines and not lines[-1]:
        lines.pop()  # a trailing ';' is harmless
    if not lines or not any(lines):
        raise ValueError("the kernel is empty: type rows like '1,2,1; 2,4,2; 1,2,1'")
    rows = []
    for r, line in enumerate(lines):
        if not line:
            raise ValueError(f"row {r + 1} is empty")
        cells = line.replace(",", " ").split()
        rows.append([_parse_cell(cell, r, c) for c, cell in enumerate(cells)])
    size = len(rows)
    if size not in KERNEL_SIZES:
        raise ValueError(f"a kernel needs 3 or 5 rows, this one has {size}")
    for r, row in enumerate(rows):
        if len(row) != size:
            raise ValueError(f"row {r + 1} has {len(row)} numbers, but a {size}×{size} kernel needs {size}")
    return np.array(rows, dtype=np.float64)


def kernel_as_fraction(kernel, max_divisor: int = 1024) -> tuple[np.ndarray, float]:
    """``(numerators, divisor)`` with ``numerators / divisor == kernel``, smallest divisor first.

    Blur gives ``(…, 16.0)``, box blur ``(ones, 9.0)``, emboss ``(emboss, 1.0)``. The divisor is
    positive. When no divisor up to ``max_divisor`` makes every weight a whole number (within 1e-6),
    the kernel comes back as it is with divisor 1.0.
    """
    array = np.asarray(kernel, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        return array.copy(), 1.0
    divisor = 1
    for weight in array.ravel():
        # The least common multiple of each weight's denominator is the smallest divisor that works.
        denominator = Fraction(float(weight)).limit_denominator(max_divisor).denominator
        divisor = math.lcm(divisor, denominator)
        if divisor > max_divisor:
            return array.copy(), 1.0
    numerators = np.round(array * divisor)
    if not np.allclose(numerators / divisor, array, rtol=0, atol=1e-6):
        return array.copy(), 1.0
    return numerators + 0.0, float(divisor)  # + 0.0 turns -0.0 into 0.0


def save_kernels(path, kernels: dict[str, np.ndarray]) -> None:
    """Write named kernels to a small JSON file, replacing it atomically (never half-written)."""
    path = Path(path)
    content = {}
    for name, kernel in kernels.items():
        try:
            content[str(name)] = check_kernel(kernel).tolist()
        except ValueError as error:
            raise ValueError(f"kernel {name!r}: {error}") from None
    text = json.dumps({"kernels": content, "version": KERNEL_FILE_VERSION}, indent=2)
    write_atomically(path, lambda stream: stream.write((text + "\n").encode("utf-8")))


def load_kernels(path) -> dict[str, np.ndarray]:
    """Read a file written by :func:`save_kernels`; for any other bytes ``KernelFileError`` says
    what is wrong, after reading at most :data:`MAX_KERNEL_FILE_BYTES`."""
    path = Path(path)
    data = read_user_file(path, "kernel file", KernelFileError, MAX_KERNEL_FILE_BYTES)
    try:
        content = parse_json(data)
    except ValueError as error:
        raise KernelFileError(f"{path.name} is not a kernel file: {error}") from None
    if not isinstance(content, dict) or not isinstance(content.get("kernels"), dict):
        raise KernelFileError(f"{path.name} is not a kernel file (it has no \"kernels\" section)")
    version = content.get("version", KERNEL_FILE_VERSION)
    if type(version) is not int:
        raise KernelFileError(f"{path.name} gives its version as {shortened(json.dumps(version), 20)}, which is not a "
                              f"version number; this kernelplay reads version {KERNEL_FILE_VERSION} kernel files")
    if version != KERNEL_FILE_VERSION:
        raise KernelFileError(f"{path.name} is a version {version} kernel file; this kernelplay reads version {KERNEL_FILE_VERSION}")
    kernels = {}
    for name, rows in content["kernels"].items():
        try:
            kernels[name] = check_kernel(rows)
        except ValueError as error:
            raise KernelFileError(f"{path.name}: kernel {shortened(repr(name), 40)} is unusable: {error}") from None
    return kernels
