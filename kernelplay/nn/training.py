"""Training: a step-by-step :class:`Trainer` and the :func:`train` generator on top of it, which
runs until its :class:`~kernelplay.nn.budget.Budget` is used up. numpy only.

The held-out accuracy is counted by a :class:`HeldoutEvaluation` (or, with every digit's scores, a
:class:`~kernelplay.nn.evaluation.ChunkedEvaluation`), which can be taken a chunk at a time so that
training goes on in between.

The GUI's worker (:mod:`kernelplay.nn.worker`) drives a ``Trainer`` one ``step()`` at a time;
settings changed between two steps (learning rate, batch size, optimiser, weight decay,
augmentation) take effect at the next step. What it hands out (:mod:`kernelplay.nn.snapshot`) is
frozen and holds copies.
"""
from __future__ import annotations

import math
import time
from collections import deque
from typing import Iterator

import numpy as np

from kernelplay.nn.budget import Budget
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import DigitSplit, augment_batch, load_digits
from kernelplay.nn.digits import as_unit_float
from kernelplay.nn.evaluation import ChunkedEvaluation
from kernelplay.nn.network import Network
from kernelplay.nn.optim import Optimizer, make_optimizer
from kernelplay.nn.snapshot import Snapshot, StepResult, StopKind, StopReason

__all__ = ["Trainer", "HeldoutEvaluation", "train", "TrainingDiverged", "check_batch_size",
           "EVALUATION_CHUNK"]

_RUNNING_WINDOW = 1000  # samples behind the running train accuracy / loss
_EXPLODE_FLOOR = 50.0  # a mean cross-entropy above this (ln 10 ≈ 2.3 at the start) has diverged
_EXPLODE_FACTOR = 20.0  # … or 20× the running loss
# held-out digits per chunk: ~25 ms for the default network on one core, so a pause or stop
# waits at most that long while an evaluation runs
EVALUATION_CHUNK = 250


class TrainingDiverged(RuntimeError):
    """Raised by :meth:`Trainer.step` only when asked to (``raise_on_divergence=True``)."""


class HeldoutEvaluation:
    """The accuracy on held-out digits, counted a chunk at a time (:meth:`advance`).

    images: ``(N, 1, 28, 28)`` float in [0, 1]; labels: ``(N,)``. When training goes on between two
    chunks, give it a frozen copy of the network (as :meth:`Trainer.start_evaluation` does) so the
    accuracy belongs to one moment.
    """

    def __init__(self, network: Network, images: np.ndarray, labels: np.ndarray,
                 chunk_size: int = EVALUATION_CHUNK) -> None:
        if len(labels) == 0 or chunk_size < 1:
            raise ValueError(f"need digits to evaluate and a chunk of at least 1, got {len(labels)} and {chunk_size}")
        self._network, self._images, self._labels = network, images, labels
        self.chunk_size = int(chunk_size)
        self._evaluated = 0
        self._correct = 0

    def advance(self) -> float | None:
        """Evaluate the next chunk: the accuracy in [0, 1] after the last one, else None."""
        start = self._evaluated
        stop = min(start + self.chunk_size, len(self._labels))
        predicted = self._network.predict(self._images[start:stop])
        self._correct += int(np.count_nonzero(predicted == self._labels[start:stop]))
        self._evaluated = stop
        return self._correct / len(self._labels) if stop == len(self._labels) else None


class Trainer:
    """Network + data + optimiser + settings; advances one batch per :meth:`step`.

    >>> trainer = Trainer(seed=0)                       # default network, bundled digits, Adam 1e-3
    >>> result = trainer.step()                         # one batch
    >>> trainer.set_learning_rate(3e-4)                 # takes effect at the next step
    >>> trainer.evaluate()                              # held-out accuracy in [0, 1]

    data: a :class:`DigitSplit` (default: the bundled 10,000 / 2,000 split). augment: random shifts
    of each training batch by up to ``max_shift`` px (default on, ±2 px: +0.4 points of held-out
    accuracy after 8 epochs; the training tab's ±1 px reaches 99 % sooner).
    """

    def __init__(self, network: Network | None = None, data: DigitSplit | None = None, *,
                 learning_rate: float = 1e-3, batch_size: int = 64, optimizer: str = "adam",
                 momentum: float = 0.9, weight_decay: float = 0.0, augment: bool = True, max_shift: int = 2,
                 seed: int = 0, probe: int | np.ndarray = 0) -> None:
        self.network = Network(seed=seed) if network is None else network
        self.data = load_digits() if data is None else data
        if len(self.data.train) == 0 or len(self.data.heldout) == 0:
            raise ValueError("training needs at least one training and one held-out digit")
        self._train_x = self.data.train.as_float()
        self._train_y = self.data.train.labels.astype(np.intp)
        self._heldout_x = self.data.heldout.as_float()
        self._heldout_y = self.data.heldout.labels.astype(np.intp)
        self._rng = np.random.default_rng(seed)
        self._momentum = float(momentum)
        self.optimizer: Optimizer = make_optimizer(optimizer, learning_rate, momentum=momentum,
                                                   weight_decay=weight_decay)
        self.batch_size = check_batch_size(batch_size)
        self.augment, self.max_shift = bool(augment), int(max_shift)
        self.step_count = 0
        self.samples_seen = 0
        self.latest_heldout_accuracy: float | None = None
        self._heldout_fresh = False
        self.last_loss = math.nan
        self.stopped_reason: StopReason | None = None  # set when a step diverged, or by train() at the end
        self._order = np.empty(0, np.intp)
        self._cursor = 0
        self._recent: deque[tuple[int, int, float]] = deque()  # (samples, correct, loss·samples)
        self._timing: deque[tuple[int, float]] = deque(maxlen=20)  # (samples, seconds) per step
        self._backup = self.network.flat_params.copy()
        self.set_probe(probe)

    # --- the network ------------------------------------------------------------------------------

    def set_network(self, network: Network) -> None:
        """Train ``network`` from now on (e.g. a loaded model): fresh optimiser moments and counters."""
        if not isinstance(network, Network):
            raise TypeError(f"expected a Network, got {type(network).__name__}")
        self.network = network
        self.optimizer.reset()
        self.step_count = 0
        self.samples_seen = 0
        self.latest_heldout_accuracy = None
        self._heldout_fresh = False
        self.last_loss = math.nan
        self.stopped_reason = None
        self._recent.clear()
        self._timing.clear()
        self._cursor = len(self._order)  # start a new epoch
        self._backup = network.flat_params.copy()

    def resume(self, network: Network, step: int, samples_seen: int) -> None:
        """Train ``network`` (e.g. a checkpoint's weights) from now on as :meth:`set_network` does,
        its counters set to ``step`` steps and ``samples_seen`` digits, as they were then."""
        if step < 0 or samples_seen < 0:
            raise ValueError(f"step and digits seen must be non-negative, got {step} and {samples_seen}")
        self.set_network(network)
        self.step_count, self.samples_seen = int(step), int(samples_seen)

    def reset(self, config: NetworkConfig | None = None, *, seed: int | None = None) -> None:
        """Start over with a fresh random network (of ``config``, default the present one's)."""
        config = self.network.config if config is None else config
        self.set_network(Network(config, seed=seed, dtype=self.network.dtype, threads=self.network.threads))

    # --- settings (take effect at the next step) --------------------------------------------------

    @property
    def learning_rate(self) -> float:
        return self.optimizer.learning_rate

    def set_learning_rate(self, learning_rate: float) -> None:
        self.optimizer.learning_rate = learning_rate  # checked there

    def set_batch_size(self, batch_size: int) -> None:
        self.batch_size = check_batch_size(batch_size)

    def set_optimizer(self, name: str, *, momentum: float | None = None) -> None:
        """Switch to ``"adam"`` or ``"sgd"`` (fresh moments), keeping learning rate and weight decay."""
        if momentum is not None:
            self._momentum = float(momentum)
        self.optimizer = make_optimizer(name, self.learning_rate, momentum=self._momentum,
                                        weight_decay=self.optimizer.weight_decay)

    def set_weight_decay(self, weight_decay: float) -> None:
        self.optimizer.weight_decay = weight_decay  # checked there

    def set_augment(self, augment: bool) -> None:
        self.augment = bool(augment)

    def set_probe(self, probe: int | np.ndarray) -> None:
        """The digit whose feature maps snapshots carry: an index into the held-out set, or an image
        (``(28, 28)`` uint8 0–255 or float in [0, 1])."""
        if isinstance(probe, (int, np.integer)):
            if not 0 <= probe < len(self.data.heldout):
                raise IndexError(f"probe index {probe} outside the {len(self.data.heldout)} held-out digits")
            self.probe_image = self._heldout_x[int(probe), 0].copy()
            self.probe_label: int | None = int(self._heldout_y[int(probe)])
        else:
            self.probe_image = _as_probe_image(probe)
            self.probe_label = None

    @property
    def epoch(self) -> float:
        return self.samples_seen / len(self._train_y)

    @property
    def epochs_completed(self) -> int:
        return self.samples_seen // len(self._train_y)

    # --- one step ---------------------------------------------------------------------------------

    def _next_indices(self, n: int) -> np.ndarray:
        parts = []
        while n > 0:
            if self._cursor >= len(self._order):
                self._order = self._rng.permutation(len(self._train_y))
                self._cursor = 0
            take = self._order[self._cursor:self._cursor + n]
            self._cursor += len(take)
            n -= len(take)
            parts.append(take)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def step(self, *, raise_on_divergence: bool = False) -> StepResult:
        """Train on one batch. If the loss is NaN/inf or explodes, the update is refused, the
        weights of the last good step are restored, the optimiser's moments are reset and the
        result's ``diverged`` says why (``stopped_reason`` keeps it)."""
        start = time.perf_counter()
        bs = self.batch_size
        idx = self._next_indices(bs)
        x = self._train_x[idx]
        if self.augment:
            x = augment_batch(x, self._rng, max_shift=self.max_shift)
        y = self._train_y[idx]
        net = self.network
        loss, logits = net.train_batch(x, y)  # fills the gradients; the update waits for the checks
        running = self._running_loss()
        reason = None
        if not math.isfinite(loss):
            reason = "the loss became NaN or infinite"
        elif loss > max(_EXPLODE_FLOOR, _EXPLODE_FACTOR * (running if math.isfinite(running) else math.log(10))):
            reason = f"the loss exploded to {loss:.3g}"
        if reason is not None:
            net.flat_params[...] = self._backup
            self.optimizer.reset()
            self.stopped_reason = StopReason(
                StopKind.DIVERGED,
                f"diverged at step {self.step_count + 1}: {reason} (learning rate {self.learning_rate:g}, "
                f"{self.optimizer.name}); restored the last good weights (those after step "
                f"{max(self.step_count - 1, 0)})")
            if raise_on_divergence:
                raise TrainingDiverged(self.stopped_reason.message)
            return self._result(loss, math.nan, bs, self.stopped_reason)
        self._backup[...] = net.flat_params  # the weights that just gave a finite loss
        net.update(self.optimizer)  # frozen channels stay as they are
        correct = int(np.count_nonzero(logits.argmax(axis=1) == y))
        self.step_count += 1
        self.samples_seen += bs
        self.last_loss = loss
        self._recent.append((bs, correct, loss * bs))
        total = sum(r[0] for r in self._recent)
        while len(self._recent) > 1 and total - self._recent[0][0] >= _RUNNING_WINDOW:
            total -= self._recent.popleft()[0]
        self._timing.append((bs, time.perf_counter() - start))
        return self._result(loss, correct / bs, bs, None)

    def _result(self, loss: float, batch_acc: float, bs: int, diverged: StopReason | None) -> StepResult:
        return StepResult(self.step_count, self.epoch, self.samples_seen, float(loss), float(batch_acc),
                          self._running_loss(), self.running_accuracy, self.samples_per_second, bs,
                          self.learning_rate, diverged)

    def _running_loss(self) -> float:
        n = sum(r[0] for r in self._recent)
        return sum(r[2] for r in self._recent) / n if n else math.nan

    @property
    def running_accuracy(self) -> float:
        n = sum(r[0] for r in self._recent)
        return sum(r[1] for r in self._recent) / n if n else math.nan

    @property
    def samples_per_second(self) -> float:
        """Training throughput over the last 20 steps (time inside :meth:`step` only)."""
        seconds = sum(t for _, t in self._timing)
        return sum(n for n, _ in self._timing) / seconds if seconds > 0 else math.nan

    # --- evaluation and snapshots -----------------------------------------------------------------

    def evaluate(self, max_samples: int | None = None) -> float:
        """Accuracy on the held-out digits (or their first ``max_samples``), in [0, 1]; an evaluation
        of all of them is recorded (:meth:`record_heldout_accuracy`)."""
        x, y = self._heldout_x[:max_samples], self._heldout_y[:max_samples]
        accuracy = HeldoutEvaluation(self.network, x, y, chunk_size=len(y)).advance()
        if max_samples is None:
            self.record_heldout_accuracy(accuracy)
        return accuracy

    def start_evaluation(self, chunk_size: int = EVALUATION_CHUNK, *, network: Network | None = None) -> ChunkedEvaluation:
        """An evaluation of all held-out digits with the weights as they are now (a frozen copy), or
        with ``network`` (which must not change until it is done), for the caller to advance between
        training steps and record when done; its ``result`` is the whole :class:`Evaluation`."""
        network = self.network.copy() if network is None else network
        return ChunkedEvaluation(network, self._heldout_x, self._heldout_y, chunk_size)

    def record_heldout_accuracy(self, accuracy: float) -> None:
        """Keep ``accuracy`` as the latest held-out accuracy; the next snapshot carries it as new."""
        self.latest_heldout_accuracy = float(accuracy)
        self._heldout_fresh = True

    def snapshot(self, probe_image: np.ndarray | None = None, *, include_weights: bool = True,
                 final: bool = False, elapsed_seconds: float = 0.0) -> Snapshot:
        """A frozen copy of the present state, with the probe digit's activations at every stage
        (``probe_image`` overrides the trainer's probe for this snapshot only)."""
        net = self.network
        if probe_image is None:
            image, label = self.probe_image, self.probe_label
        else:
            image, label = _as_probe_image(probe_image), None
        acts = net.activations(image[None, None])
        acts = {name: a[0].copy() for name, a in acts.items()}
        scores = acts["scores"].copy()
        fresh = self._heldout_fresh
        self._heldout_fresh = False
        return Snapshot(
            step=self.step_count, epoch=self.epoch, samples_seen=self.samples_seen, loss=float(self.last_loss),
            running_loss=self._running_loss(), running_accuracy=self.running_accuracy,
            heldout_accuracy=self.latest_heldout_accuracy if fresh else None,
            latest_heldout_accuracy=self.latest_heldout_accuracy,
            samples_per_second=self.samples_per_second,
            kernels={k: v.copy() for k, v in net.kernels.items()},
            probe_image=image.copy(), probe_label=label, activations=acts, scores=scores,
            predicted=int(np.argmax(scores)), learning_rate=self.learning_rate, batch_size=self.batch_size,
            optimizer=self.optimizer.name, config=net.config,
            weights=net.get_params() if include_weights else None, elapsed_seconds=float(elapsed_seconds),
            final=final, stopped_reason=self.stopped_reason if final else None,
            frozen_channels=net.frozen_channels,
        )


def train(network: Network | None = None, data: DigitSplit | None = None, *,
          epochs: float | None = None, seconds: float | None = None, steps: int | None = None,
          snapshot_every: int = 50, evaluate_every: int | None = None, probe: int | np.ndarray = 0,
          learning_rate: float = 1e-3, batch_size: int = 64, optimizer: str = "adam",
          momentum: float = 0.9, weight_decay: float = 0.0, augment: bool = True, seed: int = 0,
          include_weights: bool = True, lr_decay: bool = False,
          trainer: Trainer | None = None) -> Iterator[Snapshot]:
    """Train, yielding a :class:`Snapshot` before the first step, every ``snapshot_every`` steps and
    at the end (``final=True``, held-out accuracy evaluated, ``stopped_reason`` set).

    Stops after ``epochs`` (may be fractional), ``seconds`` of wall-clock time (at a step boundary)
    or ``steps``, whichever comes first (a :class:`Budget`); with none of them it runs until the
    caller stops iterating. Divergence ends the run early with the last good weights
    (``snapshot.diverged``).
    ``evaluate_every`` steps the held-out set is evaluated (default: at each epoch's end; 0: only
    at the end, which leaves a time budget to training).
    Pass ``trainer`` to drive an existing :class:`Trainer` (its settings may change between yields).
    ``lr_decay=True`` lowers the learning rate along a cosine to 5 % of its start value by the end
    of the budget (needs ``epochs``, ``seconds`` or ``steps``; it overrides learning rates set
    during the run and restores the starting one at the end); it lifts the final accuracy.
    """
    if snapshot_every < 1:
        raise ValueError(f"snapshot_every must be at least 1, got {snapshot_every}")
    if trainer is None:
        trainer = Trainer(network, data, learning_rate=learning_rate, batch_size=batch_size,
                          optimizer=optimizer, momentum=momentum, weight_decay=weight_decay,
                          augment=augment, seed=seed, probe=probe)
    trainer.stopped_reason = None
    budget = Budget(trainer, epochs=epochs, seconds=seconds, steps=steps)
    if lr_decay and not budget.limited:
        raise ValueError("lr_decay needs a budget: epochs, seconds or steps")
    first_step = trainer.step_count
    yield trainer.snapshot(include_weights=include_weights)
    base_lr = trainer.learning_rate
    while True:
        if lr_decay:
            trainer.set_learning_rate(base_lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * budget.progress()))))
        reason = budget.stop_reason()
        if reason is not None:
            break
        epoch_before = trainer.epochs_completed
        if trainer.step().diverged:
            reason = trainer.stopped_reason
            break
        n = trainer.step_count - first_step
        if evaluate_every is not None:
            if evaluate_every and n % evaluate_every == 0:
                trainer.evaluate()
        elif trainer.epochs_completed > epoch_before:
            trainer.evaluate()
        if n % snapshot_every == 0:
            yield trainer.snapshot(include_weights=include_weights, elapsed_seconds=budget.elapsed_seconds)
    elapsed = budget.elapsed_seconds
    if lr_decay:
        trainer.set_learning_rate(base_lr)
    trainer.evaluate()
    trainer.stopped_reason = reason
    yield trainer.snapshot(include_weights=include_weights, final=True, elapsed_seconds=elapsed)


def check_batch_size(batch_size: int) -> int:
    """``batch_size`` as an int, or ``ValueError`` unless it is an integer from 1 to 1024."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= 1024:
        raise ValueError(f"batch size must be an integer from 1 to 1024, got {batch_size!r}")
    return int(batch_size)


def _as_probe_image(image) -> np.ndarray:
    a = np.asarray(image)
    a = a.reshape(a.shape[-2:]) if a.ndim > 2 and a.size == 784 else a
    if a.shape != (28, 28):
        raise ValueError(f"a probe digit must be a 28×28 image, got shape {np.shape(image)}")
    return as_unit_float(a)
