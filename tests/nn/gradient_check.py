"""Central differences, the tests' independent reference for every gradient."""
import numpy as np


def central_difference(f, array: np.ndarray, index, eps: float = 1e-6) -> float:
    """(f(a + eps) − f(a − eps)) / 2·eps for the entry ``array[index]`` (changed and put back)."""
    old = array[index]
    array[index] = old + eps
    plus = f()
    array[index] = old - eps
    minus = f()
    array[index] = old
    return (plus - minus) / (2 * eps)


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """The gradient of the scalar ``f()`` w.r.t. every entry of ``x``, by central differences."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        grad[index] = central_difference(f, x, index, eps)
    return grad
