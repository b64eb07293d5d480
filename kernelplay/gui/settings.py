"""What the app remembers between runs (QSettings): recent files, the user's kernels, geometry."""
from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import QSettings

MAX_RECENT_FILES = 8


class AppSettings:
    """Typed access to the app's ``QSettings`` (organisation and application names set by the app)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings()

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
        """The user's saved kernels; unreadable entries are skipped rather than stopping start-up."""
        try:
            stored = json.loads(str(self._settings.value("custom_kernels", "{}")))
            kernels = {str(name): np.array(values, dtype=np.float64) for name, values in stored.items()}
        except (ValueError, TypeError, AttributeError):
            return {}
        return {name: k for name, k in kernels.items() if k.ndim == 2 and k.shape[0] == k.shape[1] and k.shape[0] in (3, 5)}

    def set_custom_kernels(self, kernels: dict[str, np.ndarray]) -> None:
        self._settings.setValue("custom_kernels", json.dumps({name: k.tolist() for name, k in kernels.items()}))
        self._settings.sync()

    def geometry(self):
        return self._settings.value("window_geometry")

    def set_geometry(self, geometry) -> None:
        self._settings.setValue("window_geometry", geometry)
