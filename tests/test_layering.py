"""The layout's rules, checked: the core imports no Qt, imports flow one way (gui → core, never
back), the two domains stay apart, no module imports itself round a circle, and a long file says
why it is long."""
import ast
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "kernelplay"
QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
CORE_PACKAGES = ("kernelplay.common", "kernelplay.imaging", "kernelplay.nn", "kernelplay.commands")
MAX_LINES = 400
LONG_FILE_REASON = "Longer than 400 lines because"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kernelplay_imports(path: Path) -> set[str]:
    """Every kernelplay module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("kernelplay")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kernelplay"):
            found.add(node.module)
            # "from kernelplay.nn import layers" imports the module kernelplay.nn.layers
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in kernelplay_imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_core_imports_without_loading_qt():
    core = sorted(m for m in import_graph() if m.startswith(CORE_PACKAGES) or m in ("kernelplay", "kernelplay.__main__"))
    script = (
        "import importlib, json, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                               env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert {"kernelplay.imaging.explain", "kernelplay.nn.network", "kernelplay.nn.fast.layers"} <= set(loaded)
    qt = [name for name in loaded if name.split(".")[0].startswith(QT_PREFIXES)]
    assert qt == [], f"importing the core loaded Qt modules: {qt}"


def test_imports_flow_from_the_gui_to_the_core_and_never_back():
    graph = import_graph()
    backwards = [(a, b) for a, targets in graph.items() if a.startswith(CORE_PACKAGES) for b in targets
                 if b.startswith("kernelplay.gui")]
    assert backwards == []


def test_the_two_domains_do_not_import_each_other():
    graph = import_graph()
    crossing = [(a, b) for a, targets in graph.items() for b in targets
                if (a.startswith("kernelplay.imaging") and b.startswith("kernelplay.nn"))
                or (a.startswith("kernelplay.nn") and b.startswith("kernelplay.imaging"))
                or (a.startswith("kernelplay.common") and not b.startswith("kernelplay.common"))]
    assert crossing == []


def test_no_import_circles():
    graph = import_graph()
    circles = []

    def visit(name, path):
        for target in graph[name]:
            if target in path:
                circles.append(path[path.index(target):] + [target])
            elif target not in finished:
                visit(target, path + [target])
        finished.add(name)

    finished: set[str] = set()
    for start in graph:
        if start not in finished:
            visit(start, [start])
    assert circles == []


def test_the_checks_above_can_fail():
    graph = import_graph()
    assert "kernelplay.imaging.filtering" in graph["kernelplay.imaging.explain"]
    assert "kernelplay.imaging.explain" in graph["kernelplay"]
    assert any(b.startswith("kernelplay.imaging") for b in graph["kernelplay.gui.playground.playground_tab"])


def test_a_long_file_says_why():
    unexplained = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES and LONG_FILE_REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            unexplained.append(f"{path.relative_to(REPO)}: {text.count(chr(10))} lines")
    assert unexplained == []
