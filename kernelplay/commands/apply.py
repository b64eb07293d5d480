"""``kernelplay apply IN OUT --kernel …``: filter one image from the command line, no window."""
from __future__ import annotations

import argparse
import sys

_EXIT_USAGE = 2


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
        help="a preset name (e.g. 'blur', 'emboss') or the weights as 'a,b,c;d,e,f;g,h,i'",
    )
    parser.add_argument("--border", default="zero", help="zero, replicate, reflect, wrap or valid (default: zero)")
    parser.add_argument("--output", dest="mapping", default="clamp",
                        help="how raw sums become 0..255: clamp, abs, offset or stretch (default: clamp)")
    parser.add_argument("--luminance", action="store_true", help="filter the luminance of a colour image")
    parser.add_argument("--flip", action="store_true", help="flip the kernel (true convolution)")
    return parser


def run(args: argparse.Namespace) -> int:
    print("kernelplay apply: not implemented yet", file=sys.stderr)
    return _EXIT_USAGE
