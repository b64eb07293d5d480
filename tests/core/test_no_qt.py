"""The core must import without Qt: a fresh interpreter imports it and no Qt module appears."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")


def test_core_imports_without_loading_qt():
    script = (
        "import json, pkgutil, importlib, sys\n"
        "import kernelplay, kernelplay.core, kernelplay.commands.apply\n"
        "names = [m.name for m in pkgutil.iter_modules(kernelplay.core.__path__, 'kernelplay.core.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(json.dumps({'core': names, 'loaded': sorted(sys.modules)}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert {"kernelplay.core.images", "kernelplay.core.kernels", "kernelplay.core.filtering",
            "kernelplay.core.explain"} <= set(report["core"])
    qt = [name for name in report["loaded"] if name.split(".")[0].startswith(QT_PREFIXES)]
    assert qt == [], f"importing the core loaded Qt modules: {qt}"
    assert "kernelplay.core.explain" in report["loaded"]
