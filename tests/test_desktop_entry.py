"""kernelplay --install-desktop-entry: a freedesktop.org entry and its icon under $XDG_DATA_HOME,
Exec naming this interpreter's kernelplay, written atomically, and taken out again on request."""
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kernelplay.commands import desktop_entry
from kernelplay.common.resources import icon_path

REPO = Path(__file__).resolve().parents[1]
linux_only = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="freedesktop.org launchers are Linux's")


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return dict(parser["Desktop Entry"])


def unquote_exec(line: str) -> list[str]:
    """An Exec value as a launcher reads it (the Desktop Entry Specification's rules, written out):
    the string escape \\\\ first, then arguments split at spaces outside double quotes, where \\
    escapes " ` $ and \\; %% is %, and the field code %f is dropped."""
    value = line.replace("\\\\", "\\")
    args, current, quoted, chars = [], None, False, iter(value)
    for c in chars:
        if quoted and c == "\\":
            current += next(chars)
        elif c == '"':
            quoted, current = not quoted, current or ""
        elif c == " " and not quoted:
            if current is not None:
                args.append(current)
            current = None
        else:
            current = (current or "") + c
    if current is not None:
        args.append(current)
    return [arg.replace("%%", "%") for arg in args if arg != "%f"]


@linux_only
def test_the_entry_and_icon_go_under_xdg_data_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    from kernelplay.__main__ import main

    assert main(["--install-desktop-entry"]) == 0
    entry = tmp_path / "applications" / "kernelplay.desktop"
    icon = tmp_path / "icons" / "hicolor" / "256x256" / "apps" / "kernelplay.png"
    assert icon.read_bytes() == icon_path("kernelplay").read_bytes()
    fields = read_entry(entry)
    assert fields["Type"] == "Application" and fields["Name"] == "kernelplay" and fields["Icon"] == str(icon)
    assert fields["Terminal"] == "false" and "Education" in fields["Categories"].split(";")
    assert fields["Exec"].endswith(" %f")
    if shutil.which("desktop-file-validate"):  # desktop-file-utils, when installed
        checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0 and checked.stdout == "", checked.stdout
    assert unquote_exec(fields["Exec"]) == desktop_entry.launch_command()
    assert str(entry) in capsys.readouterr().out
    assert sorted(p.name for p in entry.parent.iterdir()) == ["kernelplay.desktop"]  # no temporary left

    assert main(["--install-desktop-entry"]) == 0  # again: replaced, not doubled
    assert sorted(p.name for p in entry.parent.iterdir()) == ["kernelplay.desktop"]
    assert main(["--remove-desktop-entry"]) == 0
    assert not entry.exists() and not icon.exists()
    assert main(["--remove-desktop-entry"]) == 0
    assert "no kernelplay desktop entry" in capsys.readouterr().out


def test_exec_runs_this_interpreters_kernelplay(tmp_path, monkeypatch):
    venv_bin = tmp_path / "my venv" / "bin"
    venv_bin.mkdir(parents=True)
    monkeypatch.setattr(sys, "executable", str(venv_bin / "python3"))
    assert desktop_entry.launch_command() == [str(venv_bin / "python3"), "-m", "kernelplay"]  # no script there
    script = venv_bin / "kernelplay"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert desktop_entry.launch_command() == [str(script)]


def test_exec_arguments_are_quoted_as_the_specification_says():
    assert desktop_entry.exec_quote("/home/ann/.venv/bin/kernelplay") == "/home/ann/.venv/bin/kernelplay"
    assert desktop_entry.exec_quote("/home/ann/my venv/kernelplay") == '"/home/ann/my venv/kernelplay"'
    # inside quotes: \" \` \$ \\ ; then every backslash doubled for the file's string escapes; % doubled
    assert desktop_entry.exec_quote('/a "b"/$x`y`\\z 100%') == '"/a \\\\"b\\\\"/\\\\$x\\\\`y\\\\`\\\\\\\\z 100%%"'
    for odd in ("/home/ann/my venv/kernelplay", '/a "b"/$x`y`\\z 100%', "/tmp/ä ö/kernelplay"):
        assert unquote_exec(desktop_entry.exec_quote(odd)) == [odd]


def test_xdg_data_home_must_be_absolute(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert desktop_entry.data_home() == Path.home() / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop_entry.data_home() == tmp_path
    monkeypatch.delenv("XDG_DATA_HOME")
    assert desktop_entry.data_home() == Path.home() / ".local" / "share"


@linux_only
def test_a_folder_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, monkeypatch):
    (tmp_path / "applications").write_text("a file where the folder should be")
    done = subprocess.run([sys.executable, "-m", "kernelplay", "--install-desktop-entry"], capture_output=True,
                          text=True, timeout=60, cwd=REPO,
                          env={**os.environ, "XDG_DATA_HOME": str(tmp_path), "PYTHONPATH": str(REPO)})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("kernelplay: error: ") and len(done.stderr.strip().splitlines()) == 1


def test_other_systems_are_told_it_is_for_linux(monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert desktop_entry.run() == 2
    assert "for Linux desktops" in capsys.readouterr().err
