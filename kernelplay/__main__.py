"""Command line: ``kernelplay [IMAGE]`` opens the app; ``kernelplay apply …``,
``kernelplay train …`` and ``kernelplay evaluate …`` run headless."""
from __future__ import annotations

import argparse
import sys

from kernelplay import __version__
from kernelplay.commands import apply as apply_command
from kernelplay.commands import evaluate as evaluate_command
from kernelplay.commands import train as train_command

_SUBCOMMANDS = {"apply": apply_command, "train": train_command, "evaluate": evaluate_command}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kernelplay",
        description="Learn how convolutional neural networks see. Without a subcommand, opens the app.",
        epilog="Subcommands: 'kernelplay apply --help', 'kernelplay train --help', 'kernelplay evaluate --help'.",
    )
    parser.add_argument("--version", action="version", version=f"kernelplay {__version__}")
    parser.add_argument("image", nargs="?", help="an image to open in the kernel playground")
    return parser


def build_subcommand_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kernelplay")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in _SUBCOMMANDS.values():
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in _SUBCOMMANDS:
        args = build_subcommand_parser().parse_args(argv)
        return _SUBCOMMANDS[args.command].run(args)
    args = build_parser().parse_args(argv)
    from kernelplay.gui.app import run_app  # Qt is imported only when the GUI is asked for

    return run_app(args.image)


if __name__ == "__main__":
    sys.exit(main())
