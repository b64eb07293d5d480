"""numpy's own OpenBLAS, reached through ctypes for the two things numpy does not expose.

- :func:`blas_threads`: a scope in which BLAS uses ``n`` threads, restored on leaving it, so that
  the CNN's two data-parallel threads each run single-threaded BLAS without changing numpy for
  anyone else in the process. It calls ``openblas_set_num_threads_local`` (OpenBLAS ≥ 0.3.27), but
  measured with numpy 2.4's OpenBLAS the setting reaches every thread, not just the caller, so
  it is named and used as a process-wide setting (:func:`set_threads`). threadpoolctl reaches the
  same library but adds a dependency for no gain: 6.4 µs per scope with a ``ThreadpoolController``
  (497 µs with ``threadpool_limits``, which looks the libraries up each time) against 2.9 µs here,
  and the ctypes handle is needed for :func:`gemm_into` anyway.
- :func:`gemm_into`: ``out = a @ b`` or ``out += a @ b`` in place (BLAS ``beta``), which numpy's
  ``matmul`` cannot do without a temporary and an extra pass.

Both find numpy's bundled OpenBLAS (``numpy.libs/*openblas*``) and fall back gracefully where it
is not there (another BLAS, a numpy built differently): ``set_threads`` returns None and
:func:`gemm_into` uses ``matmul``. scipy's bundled OpenBLAS is no substitute: it serialises calls
from concurrent threads.
"""
from __future__ import annotations

import ctypes
import glob
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["blas_threads", "set_threads", "thread_count", "gemm_into", "can_set_threads", "core_name"]

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_lock = threading.Lock()
_probed = False
_set_threads = None
_get_threads = None
_gemm: dict[np.dtype, object] = {}
_core_name = None


def _probe() -> None:
    """Find numpy's OpenBLAS and its functions, once."""
    global _probed, _set_threads, _get_threads, _core_name
    if _probed:  # every gemm_into asks: no lock once it is known
        return
    with _lock:
        if _probed:
            return
        _probed = True
        here = Path(np.__file__).resolve().parent
        for lib in sorted(glob.glob(str(here.parent / "numpy.libs" / "*openblas*")) + glob.glob(str(here / ".libs" / "*openblas*"))):
            try:
                handle = ctypes.CDLL(lib)
            except OSError:
                continue
            fn = getattr(handle, "openblas_set_num_threads_local", None)
            if fn is not None:
                fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
                _set_threads = fn
            for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
                fn = getattr(handle, name, None)
                if fn is not None:
                    fn.argtypes, fn.restype = [], ctypes.c_int
                    _get_threads = fn
                    break
            for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
                fn = getattr(handle, name, None)
                if fn is not None:
                    fn.argtypes, fn.restype = [], ctypes.c_char_p
                    _core_name = fn
                    break
            _find_gemms(handle, "64_" in Path(lib).name or "openblas64" in Path(lib).name)
            return


def _find_gemms(handle, ilp64: bool) -> None:
    """cblas_sgemm / cblas_dgemm under the names numpy's builds give them."""
    integer = ctypes.c_int64 if ilp64 else ctypes.c_int
    for dtype, letter, real in ((np.dtype(np.float32), "s", ctypes.c_float), (np.dtype(np.float64), "d", ctypes.c_double)):
        names = [f"scipy_cblas_{letter}gemm64_", f"cblas_{letter}gemm64_", f"cblas_{letter}gemm"] if ilp64 else [f"cblas_{letter}gemm"]
        for name in names:
            fn = getattr(handle, name, None)
            if fn is not None:
                fn.restype = None
                fn.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, integer, integer, integer, real,
                               ctypes.c_void_p, integer, ctypes.c_void_p, integer, real, ctypes.c_void_p, integer]
                _gemm[dtype] = fn
                break


def can_set_threads() -> bool:
    """Whether :func:`set_threads` works here."""
    _probe()
    return _set_threads is not None


def set_threads(n: int) -> int | None:
    """Limit BLAS to ``n`` threads; the previous count, or None if numpy's OpenBLAS has no such
    call."""
    _probe()
    return None if _set_threads is None else _set_threads(n)


def core_name() -> str | None:
    """The kernels numpy's OpenBLAS runs ("Haswell", "SkylakeX", …: chosen for the CPU as it loads,
    or by ``OPENBLAS_CORETYPE``), or None if it cannot say. Benchmarks print it: AVX-512 kernels
    run this library's matrix products up to twice as fast as AVX2 ones."""
    _probe()
    return None if _core_name is None else _core_name().decode("ascii", "replace")


def thread_count() -> int | None:
    """How many threads numpy's OpenBLAS uses now, or None if it cannot say."""
    _probe()
    return None if _get_threads is None else _get_threads()


@contextmanager
def blas_threads(n: int):
    """Within the ``with`` block numpy's BLAS uses ``n`` threads; the count before is restored on
    leaving it (nothing happens where the count cannot be read and set)."""
    before = thread_count() if can_set_threads() else None
    if before is None or before == n:
        yield
        return
    set_threads(n)
    try:
        yield
    finally:
        set_threads(before)


def _matrix(a: np.ndarray) -> tuple[int, int] | None:
    """(transpose flag, leading dimension) of a 2-D array BLAS can read in place, else None."""
    if a.strides[1] == a.itemsize and a.strides[0] % a.itemsize == 0 and a.strides[0] // a.itemsize >= max(1, a.shape[1]):
        return _NO_TRANS, a.strides[0] // a.itemsize
    if a.strides[0] == a.itemsize and a.strides[1] % a.itemsize == 0 and a.strides[1] // a.itemsize >= max(1, a.shape[0]):
        return _TRANS, a.strides[1] // a.itemsize
    return None


def gemm_into(a: np.ndarray, b: np.ndarray, out: np.ndarray, *, accumulate: bool) -> None:
    """``out = a @ b`` (``accumulate=False``) or ``out += a @ b``, for 2-D float arrays of one
    dtype: a ``(M, K)``, b ``(K, N)``, out ``(M, N)`` with unit stride along its rows."""
    _probe()
    gemm = _gemm.get(out.dtype)
    layout_a, layout_b = _matrix(a), _matrix(b)
    if (gemm is None or a.dtype != out.dtype or b.dtype != out.dtype or layout_a is None or layout_b is None
            or out.strides[1] != out.itemsize or out.strides[0] < out.shape[1] * out.itemsize):
        if accumulate:
            out += a @ b
        else:
            np.matmul(a, b, out=out)
        return
    m, k = a.shape
    n = b.shape[1]
    gemm(_ROW_MAJOR, layout_a[0], layout_b[0], m, n, k, 1.0, a.ctypes.data, layout_a[1], b.ctypes.data, layout_b[1],
         1.0 if accumulate else 0.0, out.ctypes.data, out.strides[0] // out.itemsize)
