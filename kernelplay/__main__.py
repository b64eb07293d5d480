"""Command line: ``kernelplay [IMAGE]`` opens the app; ``kernelplay apply …``,
``kernelplay train …`` and ``kernelplay evaluate …`` run headless; ``kernelplay
--install-desktop-entry`` adds the app to a Linux desktop's launcher."""
from __future__ import annotations

import argparse
import importlib
import sys

from kernelplay import __version__

# imported when named: opening the app needs none of them (and a spawned training process
# imports this module again)
_SUBCOMMANDS = {name: f"kernelplay.commands.{name}" for name in ("apply", "train", "evaluate")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kernelplay",
        description="Learn how convolutional neural networks see. Without a subcommand, opens the app.",
        epilog="Subcommands: 'kernelplay apply --help', 'kernelplay train --help', 'kernelplay evaluate --help'.",
    )
    parser.add_argument("--version", action="version", version=f"kernelplay {__version__}")
    entry = parser.add_mutually_exclusive_group()
    entry.add_argument("--install-desktop-entry", action="store_true",
                       help="add kernelplay and its icon to the desktop's launcher (Linux: a .desktop file "
                            "under ~/.local/share/applications, or $XDG_DATA_HOME) and exit")
    entry.add_argument("--remove-desktop-entry", action="store_true", help="take them out again and exit")
    parser.add_argument("image", nargs="?", help="an image to open in the kernel playground")
    return parser


def build_subcommand_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kernelplay")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in _SUBCOMMANDS.values():
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in _SUBCOMMANDS:
        args = build_subcommand_parser().parse_args(argv)
        return importlib.import_module(_SUBCOMMANDS[args.command]).run(args)
    args = build_parser().parse_args(argv)
    if args.install_desktop_entry or args.remove_desktop_entry:
        from kernelplay.commands import desktop_entry

        return desktop_entry.run(remove_entry=args.remove_desktop_entry)
    from kernelplay.gui.app import run_app  # Qt is imported only when the GUI is asked for

    return run_app(args.image)


if __name__ == "__main__":
    sys.exit(main())
