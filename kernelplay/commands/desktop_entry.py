"""``kernelplay --install-desktop-entry``: put kernelplay and its icon into a Linux desktop's launcher.

Following the freedesktop.org specifications: a desktop entry ``kernelplay.desktop`` in
``$XDG_DATA_HOME/applications`` (``~/.local/share/applications`` when unset) and the icon in the
hicolor theme beside it, ``$XDG_DATA_HOME/icons/hicolor/256x256/apps/kernelplay.png``. ``Exec``
names the ``kernelplay`` script of the interpreter running this (so a virtual environment or a pipx
install is the one launched), or ``python -m kernelplay`` where there is no script. Both files are
written atomically; ``--remove-desktop-entry`` deletes them. No Qt.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from kernelplay.common.files import write_atomically
from kernelplay.common.resources import icon_path

__all__ = ["install", "remove", "data_home", "launch_command", "desktop_entry", "exec_quote", "run"]

APP_ID = "kernelplay"  # the entry's file name, the icon's name and the window's desktop file name (gui/app.py)
ICON_SIZE = "256x256"  # assets/icons/kernelplay.png
# characters that oblige an Exec argument to be quoted (Desktop Entry Specification, "The Exec key")
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not an absolute path (as the spec says)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local" / "share"


def entry_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "applications" / f"{APP_ID}.desktop"


def installed_icon_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "icons" / "hicolor" / ICON_SIZE / "apps" / f"{APP_ID}.png"


def launch_command() -> list[str]:
    """The command that starts this kernelplay: the script beside the running interpreter (a
    virtual environment's ``bin/kernelplay``), else that interpreter with ``-m kernelplay``."""
    script = Path(sys.executable).parent / APP_ID  # not resolved: a venv's python is a link out of it
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", APP_ID]


def exec_quote(argument: str) -> str:
    """One argument of an Exec line: quoted when it holds a reserved character, with ``"`` `` ` ``
    ``$`` and ``\\`` escaped inside the quotes, ``%`` doubled, and backslashes doubled once more for
    the desktop file's own string escapes."""
    if any(c in _RESERVED for c in argument):
        argument = '"' + "".join("\\" + c if c in '"`$\\' else c for c in argument) + '"'
    return argument.replace("%", "%%").replace("\\", "\\\\")


def desktop_entry(command: list[str], icon: Path) -> str:
    """The text of kernelplay.desktop; ``%f``: a file dropped on the launcher opens in the playground."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=kernelplay",
        "GenericName=CNN playground",
        "Comment=Learn how convolutional neural networks see: image kernels and a CNN that learns digits",
        "Exec=" + " ".join(exec_quote(part) for part in command) + " %f",
        f"Icon={icon}",
        "Terminal=false",
        "Categories=Education;ComputerScience;",
        "Keywords=CNN;convolution;kernel;filter;neural network;machine learning;",
        f"StartupWMClass={APP_ID}",
        "",
    ])


def install(home: Path | None = None) -> tuple[Path, Path]:
    """Write the icon and the desktop entry (folders made as needed); returns their paths."""
    icon, entry = installed_icon_path(home), entry_path(home)
    data = icon_path(APP_ID).read_bytes()
    for path, content in ((icon, data), (entry, desktop_entry(launch_command(), icon).encode("utf-8"))):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda stream, c=content: stream.write(c))
    return entry, icon


def remove(home: Path | None = None) -> list[Path]:
    """Delete the desktop entry and the icon; returns those that were there."""
    removed = []
    for path in (entry_path(home), installed_icon_path(home)):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def run(remove_entry: bool = False) -> int:
    """The command line's end of it: a sentence on what was done, exit code 0 (2 when refused)."""
    if sys.platform in ("win32", "darwin"):
        print("kernelplay: the desktop entry is for Linux desktops; on Windows or macOS start kernelplay "
              "from its virtual environment (see the README's set-up).", file=sys.stderr)
        return 2
    if remove_entry:
        removed = remove()
        print("Removed " + " and ".join(map(str, removed)) if removed else "There was no kernelplay desktop entry.")
        return 0
    try:
        entry, icon = install()
    except OSError as error:
        print(f"kernelplay: error: {error}", file=sys.stderr)
        return 2
    print(f"Added kernelplay to the desktop's launcher: {entry} (runs {' '.join(launch_command())}), icon {icon}.")
    return 0
