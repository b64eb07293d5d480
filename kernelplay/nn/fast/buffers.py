"""Work arrays kept between calls: a training step would otherwise allocate the same megabyte-sized
temporaries every time, and fresh big arrays page-fault."""
from __future__ import annotations

import numpy as np

__all__ = ["WorkBuffers"]


class WorkBuffers:
    """A layer's work arrays by tag, shape and dtype. Once more than :attr:`max_buffers` are held
    (many batch sizes seen), the old ones are forgotten."""

    max_buffers = 24

    def __init__(self) -> None:
        self._buffers: dict[tuple, np.ndarray] = {}

    def buffer(self, tag: str, shape: tuple, dtype, zeros: bool = False) -> np.ndarray:
        """The array kept for ``tag`` at ``shape`` and ``dtype`` (new, zero-filled with ``zeros``,
        the first time; after that as the last caller left it)."""
        key = (tag, tuple(shape), np.dtype(dtype))
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) > self.max_buffers:
                self._buffers.clear()
            buf = np.zeros(shape, dtype) if zeros else np.empty(shape, dtype)
            self._buffers[key] = buf
        return buf
