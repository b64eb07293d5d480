"""What a teacher puts on a slide or in a spreadsheet: the conv1 kernels' evolution as an animated
GIF (or APNG) drawn from the checkpoints, the curves and the confusion matrix as CSV. numpy and
Pillow only; every file is written atomically.
"""
from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Iterable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kernelplay.common.colormaps import diverging_lookup_table, diverging_rgb, symmetric_limit
from kernelplay.common.files import write_atomically
from kernelplay.nn.checkpoints import Checkpoint
from kernelplay.nn.config import NUM_CLASSES
from kernelplay.nn.run_file import RunCurves

__all__ = ["kernel_frames", "write_kernel_animation", "curves_csv", "write_curves_csv", "confusion_csv",
           "write_confusion_csv", "ANIMATION_FORMATS"]

ANIMATION_FORMATS = {".gif": "GIF", ".png": "PNG", ".apng": "PNG"}  # PNG with several frames is APNG
_GAP_GREY = (200, 200, 200)
_CAPTION_SIZE = 14  # px, Pillow's default font
_PAD = 4


def _grid(count: int, columns: int | None, in_channels: int) -> tuple[int, int]:
    if columns is None:
        columns = in_channels if in_channels > 1 else min(count, 8)
    columns = max(1, min(int(columns), count))
    return columns, math.ceil(count / columns)


def kernel_frames(checkpoints: Iterable[Checkpoint], *, layer: str = "conv1", cell: int = 12, gap: int = 4,
                  columns: int | None = None) -> list[Image.Image]:
    """One RGB image per checkpoint: its ``layer`` kernels, each weight a ``cell``×``cell`` square
    (blue negative, white zero, red positive), with ``gap`` px between kernels, under a caption
    band giving the step and the digits seen.

    The colour scale is one for the whole run (the largest magnitude of any frame), so a kernel
    that grows looks stronger, as it is. Kernels ``(C_out, C_in, k, k)`` go row by row in
    ``columns`` columns (default: 8, or C_in for a layer fed by several channels).
    Frame size: width ``columns·(k·cell + gap) + gap``, height ``caption + rows·(k·cell + gap) + gap``
    with ``caption = 14 + 2·4`` px.
    """
    checkpoints = list(checkpoints)
    if not checkpoints:
        raise ValueError("no checkpoints to draw")
    if cell < 1 or gap < 0:
        raise ValueError(f"cell must be at least 1 px and gap at least 0, got {cell} and {gap}")
    key = f"{layer}.weight"
    if key not in checkpoints[0].params:
        raise ValueError(f"the network has no layer {layer!r}")
    kernels = [c.params[key] for c in checkpoints]
    c_out, c_in, k, _ = kernels[0].shape
    cols, rows = _grid(c_out * c_in, columns, c_in)
    limit = symmetric_limit(np.stack(kernels))
    tile = k * cell
    caption = _CAPTION_SIZE + 2 * _PAD
    width, height = cols * (tile + gap) + gap, caption + rows * (tile + gap) + gap
    font = ImageFont.load_default(size=_CAPTION_SIZE)
    frames = []
    for checkpoint, weights in zip(checkpoints, kernels):
        canvas = np.empty((height, width, 3), np.uint8)
        canvas[:caption] = 255
        canvas[caption:] = _GAP_GREY
        rgb = diverging_rgb(weights.reshape(-1, k, k), limit)  # (tiles, k, k, 3)
        big = rgb.repeat(cell, axis=1).repeat(cell, axis=2)
        for i, square in enumerate(big):
            top = caption + gap + (i // cols) * (tile + gap)
            left = gap + (i % cols) * (tile + gap)
            canvas[top:top + tile, left:left + tile] = square
        frame = Image.fromarray(canvas, "RGB")
        text = f"{layer} · step {checkpoint.step:,} · {checkpoint.samples_seen:,} digits seen"
        ImageDraw.Draw(frame).text((gap, _PAD), text, fill=(0, 0, 0), font=font)
        frames.append(frame)
    return frames


def _gif_palette() -> Image.Image:
    """One palette for every frame — 224 steps of the diverging map and 32 greys (the caption and
    the gaps) — so that the GIF stores of each frame only what changed: half the size of a palette
    per frame, and no colour jumps from one frame to the next."""
    greys = np.linspace(0, 255, 32).round().astype(np.uint8)
    colours = np.concatenate([diverging_lookup_table(224), np.stack([greys] * 3, axis=1)])
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours.reshape(-1).tolist())
    return palette


def write_kernel_animation(path: str | os.PathLike, checkpoints: Iterable[Checkpoint], *, layer: str = "conv1",
                           frame_ms: int = 200, hold_last_ms: int = 2000, cell: int = 12, gap: int = 4,
                           columns: int | None = None) -> Path:
    """Write :func:`kernel_frames` to ``path`` as an animation that loops: ``.gif``, or ``.png`` /
    ``.apng`` for APNG (full colour; a GIF has one palette of 256 colours: 224 steps of the colour
    map and 32 greys). Each frame shows ``frame_ms``, the last ``hold_last_ms``. Returns the path."""
    path = Path(path)
    image_format = ANIMATION_FORMATS.get(path.suffix.lower())
    if image_format is None:
        raise ValueError(f"cannot save {path.name}: the name must end in "
                         f"{', '.join(ANIMATION_FORMATS)}")
    frames = kernel_frames(checkpoints, layer=layer, cell=cell, gap=gap, columns=columns)
    if image_format == "GIF":
        frames = [frame.quantize(palette=_gif_palette(), dither=Image.Dither.NONE) for frame in frames]
    durations = [int(frame_ms)] * (len(frames) - 1) + [int(max(frame_ms, hold_last_ms))]

    def write(stream) -> None:
        frames[0].save(stream, format=image_format, save_all=True, append_images=frames[1:],
                       duration=durations, loop=0)

    return write_atomically(path, write)


def _number(value: float) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.6g}"


def curves_csv(curves: RunCurves) -> str:
    """The curves as CSV text: a header, then one row per point by digits seen, with the columns
    ``step, digits seen, loss, running accuracy, held-out accuracy, learning rate`` — step and
    learning rate only when the curves carry them. Accuracies are fractions in [0, 1]; a cell is
    empty where there is no value (held-out accuracy is measured only now and then; a held-out
    point between two curve points gets a row of its own)."""
    has_steps, has_rates = curves.steps is not None, curves.learning_rates is not None
    rows: dict[int, dict[str, str]] = {}
    for i, samples in enumerate(curves.samples.tolist()):
        rows[samples] = {"loss": _number(curves.loss[i]), "running accuracy": _number(curves.accuracy[i])}
        if has_steps:
            rows[samples]["step"] = str(int(curves.steps[i]))
        if has_rates:
            rows[samples]["learning rate"] = _number(curves.learning_rates[i])
    for samples, accuracy in zip(curves.heldout_samples.tolist(), curves.heldout_accuracy.tolist()):
        rows.setdefault(samples, {})["held-out accuracy"] = _number(accuracy)
    header = (["step"] if has_steps else []) + ["digits seen", "loss", "running accuracy", "held-out accuracy"] \
        + (["learning rate"] if has_rates else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for samples in sorted(rows):
        row = rows[samples] | {"digits seen": str(samples)}
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def write_curves_csv(path: str | os.PathLike, curves: RunCurves) -> Path:
    """Write :func:`curves_csv` to ``path`` (UTF-8, atomically); returns the path."""
    text = curves_csv(curves)
    return write_atomically(path, lambda stream: stream.write(text.encode("utf-8")))


def confusion_csv(matrix: np.ndarray) -> str:
    """A confusion matrix ``(10, 10)`` (rows = true digit, columns = predicted) as CSV text: a
    header row ``true\\predicted,0,…,9``, then one row per true digit, its label first."""
    matrix = np.asarray(matrix)
    if matrix.shape != (NUM_CLASSES, NUM_CLASSES):
        raise ValueError(f"a confusion matrix is 10×10, got shape {matrix.shape}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["true\\predicted", *range(NUM_CLASSES)])
    for digit, row in enumerate(matrix.tolist()):
        writer.writerow([digit, *row])
    return out.getvalue()


def write_confusion_csv(path: str | os.PathLike, matrix: np.ndarray) -> Path:
    """Write :func:`confusion_csv` to ``path`` (UTF-8, atomically); returns the path."""
    text = confusion_csv(matrix)
    return write_atomically(path, lambda stream: stream.write(text.encode("utf-8")))
