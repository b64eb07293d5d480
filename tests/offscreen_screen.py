"""Qt's offscreen platform on screens of a chosen size. Left to itself it puts every window on one
800×800 screen, 533×533 logical pixels at QT_SCALE_FACTOR 1.5: smaller than most windows the tests
show, and the window now fits itself to its screen (kernelplay/gui/window_fit.py). So a test says
which screen it means: ``QT_QPA_PLATFORM=offscreen_platform(...)`` (or ``-platform``)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

__all__ = ["ROOMY_SCREEN", "offscreen_platform", "roomy_platform"]

ROOMY_SCREEN = (1920, 1200)  # logical px: holds the largest window the tests show (1920×1080) and its frame


def offscreen_platform(*screens: tuple[int, int]) -> str:
    """The platform for offscreen screens of these sizes in device pixels, side by side from the
    left (the first is the primary one); QT_SCALE_FACTOR divides them into logical pixels."""
    config, left = [], 0
    for index, (width, height) in enumerate(screens):
        config.append({"name": f"screen{index}", "x": left, "y": 0, "width": width, "height": height,
                       "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1})
        left += width
    text = json.dumps({"screens": config})
    name = "kernelplay-screens-" + "-".join(f"{w}x{h}" for w, h in screens) + ".json"
    path = Path(tempfile.gettempdir()) / name
    if not path.exists() or path.read_text() != text:
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_text(text)
        part.replace(path)  # whole, for a process reading it at the same time
    return f"offscreen:configfile={path}"


def roomy_platform(scale: float = 1.0) -> str:
    """The platform for one screen of :data:`ROOMY_SCREEN` logical pixels at QT_SCALE_FACTOR ``scale``."""
    return offscreen_platform((round(ROOMY_SCREEN[0] * scale), round(ROOMY_SCREEN[1] * scale)))
