"""Optimisers: SGD with momentum and Adam (PyTorch's update rules). numpy only.

An optimiser walks ``(params[name], grads[name])`` pairs and never reaches inside a layer. It
updates the parameter arrays in place. ``learning_rate`` and ``weight_decay`` may change between
steps; assigning an invalid value raises ``ValueError`` (the one check of these two settings: the
trainer, the worker and the GUI all rely on it). Weight decay is the L2 kind added to the gradient,
as in ``torch.optim``.
"""
from __future__ import annotations

import math

import numpy as np

from kernelplay.common.threads import run_parallel, worker_count

__all__ = ["Optimizer", "SGD", "Adam", "make_optimizer", "OPTIMIZERS", "check_learning_rate",
           "check_weight_decay"]


def check_learning_rate(learning_rate: float) -> float:
    """``learning_rate`` as a float, or ``ValueError`` unless it is positive and finite."""
    lr = float(learning_rate)
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"learning rate must be a positive number, got {learning_rate}")
    return lr


def check_weight_decay(weight_decay: float) -> float:
    """``weight_decay`` as a float, or ``ValueError`` unless it is zero or positive and finite."""
    wd = float(weight_decay)
    if not (wd >= 0 and math.isfinite(wd)):
        raise ValueError(f"weight decay must be zero or positive, got {weight_decay}")
    return wd


class Optimizer:
    """Updates parameters from their gradients; subclasses name their per-parameter state ``slots``
    (arrays shaped like the parameter) and write the update in :meth:`_apply`."""

    name = "optimizer"
    slots: tuple[str, ...] = ()

    def __init__(self, learning_rate: float, weight_decay: float = 0.0) -> None:
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps = 0

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_learning_rate(value)

    @property
    def weight_decay(self) -> float:
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._weight_decay = check_weight_decay(value)

    def reset(self) -> None:
        """Forget the moments (e.g. after restoring weights)."""
        self.state.clear()
        self.steps = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every ``params[name]`` in place from ``grads[name]``.

        The update is elementwise, so a large array is updated in two halves on two threads."""
        self.steps += 1
        buckets: list[list] = [[], []]
        parallel = worker_count() > 1
        for name, p in params.items():
            g = grads[name]
            if p.shape != g.shape:
                raise ValueError(f"{name}: parameter {p.shape} and gradient {g.shape} differ")
            state = [self._slot(name, slot, p) for slot in self.slots + ("tmp",)]
            if parallel and p.size >= 1 << 16 and p.flags.c_contiguous and g.flags.c_contiguous:
                half = p.size // 2
                for i, part in enumerate((slice(0, half), slice(half, None))):
                    views = [a.reshape(-1)[part] for a in (p, g, *state)]
                    buckets[i].append(views)
            else:
                buckets[0].append([p, g, *state])

        def run(bucket):
            return lambda: [self._apply(*views) for views in bucket]

        if buckets[1]:
            run_parallel([run(buckets[0]), run(buckets[1])])
        else:
            run(buckets[0])()

    def _slot(self, name: str, slot: str, like: np.ndarray) -> np.ndarray:
        st = self.state.setdefault(name, {})
        if slot not in st or st[slot].shape != like.shape or st[slot].dtype != like.dtype:
            st[slot] = np.zeros_like(like)
        return st[slot]

    def _apply(self, p: np.ndarray, g: np.ndarray, *state: np.ndarray) -> None:  # pragma: no cover
        """Update ``p`` from ``g`` with this optimiser's state arrays (``slots`` then a scratch)."""
        raise NotImplementedError


class SGD(Optimizer):
    """``v = momentum·v + g;  p -= lr·v`` (PyTorch's SGD with momentum, no dampening)."""

    name = "sgd"
    slots = ("velocity",)

    def __init__(self, learning_rate: float = 0.05, momentum: float = 0.9, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, weight_decay)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)

    def _apply(self, p: np.ndarray, g: np.ndarray, v: np.ndarray, tmp: np.ndarray) -> None:
        if self.weight_decay:  # g + wd·p, in the scratch array
            np.multiply(p, self.weight_decay, out=tmp)
            tmp += g
            g = tmp
        if self.momentum:
            v *= self.momentum
            v += g
            g = v
        np.multiply(g, self.learning_rate, out=tmp)
        p -= tmp


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``.

    The moments are kept scaled, ``M = m / (1 − β1)`` and ``V = v / (1 − β2)``, so that each takes
    one pass fewer (``M = β1·M + g``, ``V = β2·V + g²``) and the update folds the constants into two:
    ten passes over the parameters instead of thirteen. The update is the same to float rounding."""

    name = "adam"
    slots = ("m", "v")

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, weight_decay)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _apply(self, p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, tmp: np.ndarray) -> None:
        t = self.steps
        if self.weight_decay:  # g + wd·p, in the scratch array (free again once m has it)
            np.multiply(p, self.weight_decay, out=tmp)
            tmp += g
            g = tmp
        m *= self.beta1
        m += g
        v *= self.beta2
        np.multiply(g, g, out=tmp)
        v += tmp
        # m̂ = (1 − β1)·m / (1 − β1^t), v̂ = (1 − β2)·v / (1 − β2^t): with s = √((1 − β2) / (1 − β2^t)),
        # p −= lr·m̂ / (√v̂ + eps) = [lr·(1 − β1) / ((1 − β1^t)·s)] · m / (√v + eps / s)
        s = math.sqrt((1.0 - self.beta2) / (1.0 - self.beta2 ** t))
        np.sqrt(v, out=tmp)
        tmp += self.eps / s
        np.divide(m, tmp, out=tmp)
        tmp *= self.learning_rate * (1.0 - self.beta1) / ((1.0 - self.beta1 ** t) * s)
        p -= tmp


OPTIMIZERS = {"adam": Adam, "sgd": SGD}  # the names the trainer, the CLI and the GUI accept


def make_optimizer(name: str, learning_rate: float, *, momentum: float = 0.9, weight_decay: float = 0.0) -> Optimizer:
    """``"adam"`` or ``"sgd"`` (with momentum) by name (any case)."""
    key = name.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    if key == "sgd":
        return SGD(learning_rate, momentum=momentum, weight_decay=weight_decay)
    return Adam(learning_rate, weight_decay=weight_decay)
