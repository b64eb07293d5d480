"""`kernelplay --help` and friends work without a display and without importing Qt."""
import os
import subprocess
import sys

HEADLESS_ENV = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, env=HEADLESS_ENV)


def test_help_needs_no_display_and_no_qt():
    done = run("-c", "import sys\nfrom kernelplay.__main__ import main\n"
                     "try:\n    main(['--help'])\nexcept SystemExit as e:\n    print('exit', e.code)\n"
                     "print('qt loaded' if any(m.startswith('PySide6') for m in sys.modules) else 'no qt')")
    assert done.returncode == 0, done.stderr
    assert "usage: kernelplay" in done.stdout and "apply" in done.stdout and "train" in done.stdout
    assert done.stdout.rstrip().endswith("exit 0\nno qt")


def test_python_dash_m_help_and_version():
    done = run("-m", "kernelplay", "--help")
    assert done.returncode == 0 and "usage: kernelplay" in done.stdout
    version = run("-m", "kernelplay", "--version")
    assert version.returncode == 0 and version.stdout.startswith("kernelplay ")


def test_subcommand_help():
    for command in ("apply", "train"):
        done = run("-m", "kernelplay", command, "--help")
        assert done.returncode == 0, done.stderr
        assert f"usage: kernelplay {command}" in done.stdout
