"""`kernelplay --help` and friends work without a display (tests/test_layering.py checks that
the command line and the core import no Qt)."""
import os
import subprocess
import sys

HEADLESS_ENV = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, env=HEADLESS_ENV)


def test_help_needs_no_display():
    done = run("-m", "kernelplay", "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: kernelplay" in done.stdout and "apply" in done.stdout and "train" in done.stdout


def test_version():
    version = run("-m", "kernelplay", "--version")
    assert version.returncode == 0 and version.stdout.startswith("kernelplay ")


def test_subcommand_help():
    for command in ("apply", "train"):
        done = run("-m", "kernelplay", command, "--help")
        assert done.returncode == 0, done.stderr
        assert f"usage: kernelplay {command}" in done.stdout
