"""``kernelplay train``: train the CNN headless and report held-out accuracy."""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("train", help="train the digit CNN without the GUI")
    parser.add_argument("--epochs", type=float, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default=None)
    parser.add_argument("--data", default=None)
    return parser


def run(args: argparse.Namespace) -> int:
    print("kernelplay train: not implemented yet")
    return 1
