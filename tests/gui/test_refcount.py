"""PySide6 6.12.0 on CPython 3.11 drops None's refcount on every void Qt call and the process dies
(`Fatal Python error: none_dealloc`). pyproject pins it away; this guards against an upgrade
bringing it back."""
import subprocess
import sys
import textwrap

CALLS = 20_000

SCRIPT = textwrap.dedent(
    f"""
    import os, sys
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel
    app = QApplication([])
    label = QLabel()
    before = sys.getrefcount(None)
    for i in range({CALLS}):
        label.setText(str(i))
        label.update()
        app.processEvents()
    print(before, sys.getrefcount(None))
    """
)


def test_void_qt_calls_keep_none_alive():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"the Qt process died: {done.stderr[-500:]}"
    before, after = map(int, done.stdout.split())
    # 3 void calls per round: a leak of one reference per call would lose 60,000.
    assert after > before - 1_000, f"None lost {before - after} references over {3 * CALLS} Qt calls"
