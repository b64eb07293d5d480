"""What the app remembers between runs (QSettings): recent files, the user's kernels, the window's
geometry, splitters and last tab, the colour theme, presentation mode's text size, and whether the
lesson was offered."""
from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import QSettings

from kernelplay.common.files import parse_json
from kernelplay.imaging.kernels import check_kernel

MAX_RECENT_FILES = 8
THEMES = ("system", "light", "dark")
SCALE_RANGE = (100, 250)  # presentation mode's text size, percent
DEFAULT_PRESENTATION_SCALE = 150  # a 1024×768 projector still fits the playground at this size


class AppSettings:
    """Typed access to the app's ``QSettings`` (organisation and application names set by the app)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings()
        self.dropped_kernels = ""  # what the last custom_kernels() left out and why, as a sentence; "" for nothing

    def recent_files(self) -> list[str]:
        value = self._settings.value("recent_files", [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(path) for path in value or []]

    def add_recent_file(self, path: str) -> list[str]:
        files = [path] + [p for p in self.recent_files() if p != path]
        files = files[:MAX_RECENT_FILES]
        self._settings.setValue("recent_files", files)
        return files

    def clear_recent_files(self) -> None:
        self._settings.setValue("recent_files", [])

    def custom_kernels(self) -> dict[str, np.ndarray]:
        """The user's kept kernels, whatever the settings file holds: unusable entries are left out
        (each on its own, the others kept) and :attr:`dropped_kernels` then says which and why."""
        value = str(self._settings.value("custom_kernels", "{}"))
        try:
            stored = parse_json(value)
            if not isinstance(stored, dict):
                raise ValueError("it is not a list of names and weights")
        except ValueError as error:
            self.dropped_kernels = f"The kept kernels in the settings could not be read and were dropped: {error}."
            return {}
        kernels, unusable = {}, []
        for name, values in stored.items():
            try:
                kernels[name] = check_kernel(values)
            except ValueError as error:
                unusable.append(f"{name[:40]!r}: {error}")
        count = len(unusable)
        if not count:
            self.dropped_kernels = ""
        else:
            what = "1 kept kernel in the settings was" if count == 1 else f"{count} kept kernels in the settings were"
            self.dropped_kernels = f"{what} unusable and dropped ({'; '.join(unusable[:3])}{'; …' if count > 3 else ''})."
        return kernels

    def set_custom_kernels(self, kernels: dict[str, np.ndarray]) -> None:
        """Remember ``kernels``; ``ValueError`` naming the kernel, and nothing written, when one is not
        a finite 3×3 or 5×5 kernel."""
        content = {}
        for name, kernel in kernels.items():
            try:
                content[name] = check_kernel(kernel).tolist()
            except ValueError as error:
                raise ValueError(f"kernel {name!r}: {error}") from None
        self._settings.setValue("custom_kernels", json.dumps(content))
        self._settings.sync()

    def geometry(self):
        return self._settings.value("window_geometry")

    def set_geometry(self, geometry) -> None:
        self._settings.setValue("window_geometry", geometry)

    def _text(self, key: str, default: str = "") -> str:
        value = self._settings.value(key, default)
        return value if isinstance(value, str) else default  # a damaged file may hold anything

    def splitter_state(self, name: str):
        """The saved state of the splitter called ``name`` (a QByteArray), or None."""
        return self._settings.value(f"splitters/{name}")

    def set_splitter_state(self, name: str, state) -> None:
        self._settings.setValue(f"splitters/{name}", state)

    def last_tab(self) -> str:
        """The title of the tab on show when the window last closed ("" when none)."""
        return self._text("last_tab")

    def set_last_tab(self, title: str) -> None:
        self._settings.setValue("last_tab", title)

    def theme(self) -> str:
        """"system" (follow the desktop's colour scheme), "light" or "dark"."""
        value = self._text("theme", "system")
        return value if value in THEMES else "system"

    def set_theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"the theme is one of {', '.join(THEMES)}, not {theme!r}")
        self._settings.setValue("theme", theme)

    def presentation_scale(self) -> int:
        """Presentation mode's text size in percent, within :data:`SCALE_RANGE`."""
        try:
            value = int(self._text("presentation_scale", str(DEFAULT_PRESENTATION_SCALE)))
        except ValueError:
            return DEFAULT_PRESENTATION_SCALE
        return min(max(value, SCALE_RANGE[0]), SCALE_RANGE[1])

    def set_presentation_scale(self, percent: int) -> None:
        self._settings.setValue("presentation_scale", str(int(min(max(percent, SCALE_RANGE[0]), SCALE_RANGE[1]))))

    def lesson_offered(self) -> bool:
        """True once the lesson was offered (on the first start; Help ▸ Lesson always has it)."""
        return self._text("lesson_offered") == "yes"

    def set_lesson_offered(self) -> None:
        self._settings.setValue("lesson_offered", "yes")
