"""Where the bundled assets live, and access to them by name (no Qt).

In a source checkout the assets are the top-level ``assets/`` folder; an installed wheel carries
them as ``kernelplay/assets`` (hatchling ``force-include``).
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CANDIDATES = (_PACKAGE_DIR / "assets", _PACKAGE_DIR.parent / "assets")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def assets_dir() -> Path:
    """The folder holding ``images/``, ``data/`` and ``icons/``."""
    for candidate in _CANDIDATES:
        if (candidate / "images").is_dir():
            return candidate
    raise FileNotFoundError(f"kernelplay's assets folder is missing (looked in {', '.join(map(str, _CANDIDATES))})")


def sample_images() -> dict[str, Path]:
    """The bundled sample images, by name (file stem), in alphabetical order."""
    folder = assets_dir() / "images"
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES}


def sample_image(name: str) -> Path:
    """The path of one bundled sample image; a typo names the known images."""
    images = sample_images()
    if name not in images:
        raise KeyError(f"no sample image {name!r}; known: {', '.join(images)}")
    return images[name]


def data_file(name: str) -> Path:
    """The path of a bundled data file (e.g. ``mnist-train-12k.npz``)."""
    path = assets_dir() / "data" / name
    if not path.is_file():
        known = ", ".join(p.name for p in sorted((assets_dir() / "data").iterdir()))
        raise FileNotFoundError(f"no bundled data file {name!r}; known: {known}")
    return path


def icon_path(name: str) -> Path:
    """The path of a bundled icon (``name`` without suffix, PNG or SVG)."""
    for suffix in (".svg", ".png"):
        path = assets_dir() / "icons" / f"{name}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no icon {name!r} in {assets_dir() / 'icons'}")
