"""``kernelplay apply IN OUT --kernel …``: filter one image from the command line, no window."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from kernelplay.common.text import MINUS
from kernelplay.imaging.borders import BORDER_MODES
from kernelplay.imaging.filter_map import filter_and_map
from kernelplay.imaging.mapping import OUTPUT_MAPPINGS, MappedOutput
from kernelplay.imaging.images import SAVE_FORMATS, load_image, save_image
from kernelplay.imaging.kernels import PRESETS, parse_kernel

_EXIT_USAGE = 2
# Typed weights contain ',' or ';' or only these characters; anything else is a (mistyped) preset name.
_LOOKS_NUMERIC = re.compile(rf"[\s\d.,;/+\-{MINUS}eE]*")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "apply",
        help="apply a kernel to an image and save the result",
        description="Apply a 3×3 or 5×5 kernel to an image and save the mapped output.",
    )
    parser.add_argument("input", metavar="IN", help="the image to filter")
    parser.add_argument("output", metavar="OUT", help="where to save the result (.png, .jpg or .bmp)")
    parser.add_argument(
        "--kernel", required=True,
        help="a preset name (e.g. 'blur', 'emboss') or the weights as 'a,b,c;d,e,f;g,h,i' "
             "(write --kernel='-1,…' when the first weight is negative)",
    )
    parser.add_argument("--border", default="zero", metavar="MODE",
                        help=f"what the window sees past the edge: {', '.join(BORDER_MODES)} (default: zero)")
    parser.add_argument("--output", dest="mapping", default="clamp", metavar="MAPPING",
                        help=f"how raw sums become 0..255: {', '.join(OUTPUT_MAPPINGS)} (default: clamp)")
    parser.add_argument("--luminance", action="store_true", help="filter the luminance of a colour image")
    parser.add_argument("--flip", action="store_true", help="flip the kernel (true convolution)")
    return parser


def _kernel_from_argument(text: str) -> tuple[np.ndarray, str]:
    """The kernel and a short label for it, from a preset name or typed weights."""
    name = text.strip().lower()
    if name in PRESETS:
        return PRESETS[name], name
    if not (";" in text or "," in text or _LOOKS_NUMERIC.fullmatch(text)):
        known = ", ".join(repr(n) for n in PRESETS)
        raise ValueError(f"unknown kernel {text!r}; known kernels: {known}; or type the weights as 'a,b,c;d,e,f;g,h,i'")
    try:
        kernel = parse_kernel(text)
    except ValueError as error:
        raise ValueError(f"bad kernel {text!r}: {error}") from None
    return kernel, f"custom {kernel.shape[0]}×{kernel.shape[1]}"


def _fail(message: str) -> int:
    print(f"kernelplay apply: error: {message}", file=sys.stderr)
    return _EXIT_USAGE


def _filter_file(args: argparse.Namespace, kernel: np.ndarray) -> MappedOutput:
    """The input file filtered and mapped to pixels. Band by band: neither the float32 raw sums (4× an
    RGB image) nor the luminance is held whole; and the image is let go here, before the pixels are
    saved, so it is never held together with the copy of the pixels Pillow makes to save them."""
    image = load_image(args.input)
    return filter_and_map(image, kernel, border=args.border, flip=args.flip, mapping=args.mapping, keep_raw=False,
                          luminance=args.luminance and image.ndim == 3).mapped


def run(args: argparse.Namespace) -> int:
    if args.border not in BORDER_MODES:
        return _fail(f"unknown border mode {args.border!r}; choose one of {', '.join(BORDER_MODES)}")
    if args.mapping not in OUTPUT_MAPPINGS:
        return _fail(f"unknown output mapping {args.mapping!r}; choose one of {', '.join(OUTPUT_MAPPINGS)}")
    try:
        kernel, label = _kernel_from_argument(args.kernel)
    except ValueError as error:
        return _fail(str(error))
    if Path(args.output).suffix.lower() not in SAVE_FORMATS:
        return _fail(f"cannot save {args.output}: the name must end in one of {', '.join(SAVE_FORMATS)}")
    try:
        mapped = _filter_file(args, kernel)
    except ValueError as error:  # ImageLoadError is one: the file's, or the settings', sentence
        return _fail(str(error))
    try:
        save_image(args.output, mapped.pixels)
    except OSError as error:  # FileSaveError: a sentence naming the output file
        return _fail(str(error))
    height, width = mapped.pixels.shape[:2]
    colour = "grey" if mapped.pixels.ndim == 2 else "RGB"
    flip = ", flipped (convolution)" if args.flip else ""
    print(
        f"{args.output}: {width}×{height} {colour}, kernel {label}{flip}, border {args.border}, "
        f"output {args.mapping}; clipped {mapped.clipped_low:,} below 0 and {mapped.clipped_high:,} above 255"
    )
    return 0
