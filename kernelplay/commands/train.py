"""``kernelplay train``: train the digit CNN headless, with a progress bar, and report held-out accuracy.

Nothing a user types ends in a traceback: every number is checked as the command line is read, the
save path before training starts, and a trained model is never lost — not to a second Ctrl+C, nor
to a folder that vanished meanwhile (it is then saved in the working folder or the temp folder).
"""
from __future__ import annotations

import argparse
import math
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from kernelplay.common.files import FileSaveError
from kernelplay.nn.config import MAX_CHANNELS, MAX_FC_WIDTH, MAX_STAGES
from kernelplay.nn.optim import OPTIMIZERS

MAX_EPOCHS = 10_000
MAX_SECONDS = 7 * 24 * 3600  # a week
MAX_LEARNING_RATE = 100.0  # far past divergence, so a class can still watch one
MAX_BATCH_SIZE = 1024  # as kernelplay.nn.training.check_batch_size
MAX_SEED = 2**32 - 1


def _real(what: str, low: float, high: float, *, low_included: bool = False, high_included: bool = True):
    """An argparse type: a finite float within ``low``…``high``, or a sentence naming ``what``."""
    bounds = (f"{'from' if low_included else 'greater than'} {low:,g} and "
              f"{'at most' if high_included else 'below'} {high:,g}")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and (low <= value if low_included else low < value)
                and (value <= high if high_included else value < high)):
            raise argparse.ArgumentTypeError(f"{what} must be a number {bounds}, got {text!r}")
        return value

    return parse


def _whole(what: str, low: int, high: int):
    """An argparse type: an integer within ``low``…``high``, or a sentence naming ``what``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number from {low:,} to {high:,}, got {text!r}")
        return value

    return parse


def _channels(text: str) -> tuple[int, ...]:
    """An argparse type: 1–3 comma-separated channel counts, e.g. ``16,36``."""
    parts = [part.strip() for part in text.split(",")]
    if not 1 <= len(parts) <= MAX_STAGES or not all(parts):
        raise argparse.ArgumentTypeError(f"give 1 to {MAX_STAGES} conv stages as channel counts such as 16,36; "
                                         f"got {text!r}")
    stage = _whole("each conv stage's channels", 1, MAX_CHANNELS)
    try:
        return tuple(stage(part) for part in parts)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"each conv stage must have 1 to {MAX_CHANNELS} channels, got {text!r}") from None


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "train",
        help="train the digit CNN without the GUI",
        description="Train the digit CNN (the default network unless told otherwise) on the bundled "
                    "MNIST subset (10,000 training / 2,000 held-out digits) or on MNIST's IDX files.",
    )
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=_real("epochs", 0, MAX_EPOCHS), default=None, metavar="N",
                        help="passes over the training digits (default: 1)")
    budget.add_argument("--seconds", type=_real("seconds", 0, MAX_SECONDS), default=None, metavar="S",
                        help="wall-clock budget; stops cleanly at a step boundary")
    parser.add_argument("--seed", type=_whole("seed", 0, MAX_SEED), default=0,
                        help="seed for the initial weights, shuffling and augmentation (default 0); the "
                             "training / held-out split is fixed")
    parser.add_argument("--save", metavar="MODEL.npz", default=None, help="write the trained model here")
    parser.add_argument("--load", metavar="MODEL.npz", default=None, help="start from a saved model")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="a folder with MNIST's train-images-idx3-ubyte[.gz] / train-labels-idx1-ubyte[.gz] "
                             "(and t10k-… as the held-out set)")
    parser.add_argument("--lr", type=_real("learning rate", 0, MAX_LEARNING_RATE), default=None,
                        help="(starting) learning rate (default 2e-3 for adam, 0.05 for sgd)")
    parser.add_argument("--batch-size", type=_whole("batch size", 1, MAX_BATCH_SIZE), default=64,
                        help="digits per step (default 64)")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam", help="default adam")
    parser.add_argument("--momentum", type=_real("momentum", 0, 1, low_included=True, high_included=False),
                        default=0.9, help="SGD momentum (default 0.9)")
    parser.add_argument("--weight-decay", type=_real("weight decay", 0, 1, low_included=True), default=0.0,
                        help="L2 weight decay (default 0)")
    parser.add_argument("--no-augment", dest="augment", action="store_false",
                        help="train on the digits as they are (default: random ±2 px shifts, which lift "
                             "held-out accuracy by about 0.4 points)")
    parser.add_argument("--no-decay", action="store_true",
                        help="keep the learning rate constant (default: cosine decay over the budget)")
    parser.add_argument("--channels", type=_channels, default=None, metavar="C1,C2",
                        help="channels of each conv stage, 1–3 stages (default 16,36)")
    parser.add_argument("--kernel-size", type=int, default=None, choices=(3, 5), help="default 5")
    parser.add_argument("--fc-width", type=_whole("FC width", 1, MAX_FC_WIDTH), default=None,
                        help="hidden units of fc1 (default 128)")
    return parser


def _bar(fraction: float, width: int = 28) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "[" + "#" * filled + "." * (width - filled) + "]"


class _CtrlC:
    """Ctrl+C before training stops at once (``KeyboardInterrupt``: nothing to lose yet). Once training
    has begun it only asks training to stop at the next snapshot (a step boundary), and every later
    press is ignored: the weights are never caught half-updated, and the held-out check and the save
    always finish."""

    def __init__(self) -> None:
        self.training = False
        self.pressed = False
        self._previous = None

    def __enter__(self) -> "_CtrlC":
        previous = signal.getsignal(signal.SIGINT)
        # signals reach the main thread only; a background job started by a shell ignores Ctrl+C
        if threading.current_thread() is threading.main_thread() and previous is not signal.SIG_IGN:
            self._previous = previous or signal.SIG_DFL  # None: a handler set outside Python
            signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def __exit__(self, *_) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _on_interrupt(self, _signum, _frame) -> None:
        first = not self.pressed
        self.pressed = True
        if first and not self.training:
            raise KeyboardInterrupt


def _save_problem(path: Path) -> str | None:
    """Why a model could not be written to ``path``, or None; asked before training, so that no
    trained work is lost to a typo."""
    if path.is_dir():
        return "it is a folder; name a file in it, such as model.npz"
    if path.exists() and not path.is_file():
        return "it is not a regular file"
    folder = path.parent
    if not folder.is_dir():
        return f"there is no folder {folder}"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"cannot write in {folder}: {exc.strerror or exc}"
    return None


def _unused_name(path: Path) -> Path:
    """``path``, or the first of ``stem-1.npz``, ``stem-2.npz``, … that names no file yet."""
    candidate, number = path, 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _save(network, path: Path) -> int:
    """Save to ``path`` (0), or, if that fails after all, in the working folder or the temp folder
    under a free name, saying where (1)."""
    try:
        print(f"saved {network.save(path)}")
        return 0
    except FileSaveError as exc:  # its sentence names the path and the reason
        print(f"kernelplay train: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"kernelplay train: cannot save {path}: {exc.strerror or exc}", file=sys.stderr)
    for folder in (Path.cwd, tempfile.gettempdir):
        try:
            fallback = network.save(_unused_name(Path(folder()) / path.name))
        except OSError:
            continue
        print(f"kernelplay train: saved the model to {fallback} instead", file=sys.stderr)
        return 1
    print("kernelplay train: could not save the model anywhere", file=sys.stderr)
    return 1


def _set_up(args: argparse.Namespace):
    """(network, data, trainer) as the arguments ask."""
    from kernelplay.nn.config import NetworkConfig
    from kernelplay.nn.datasets import load_digits
    from kernelplay.nn.network import Network
    from kernelplay.nn.training import Trainer

    architecture = {name: value for name, value in (("channels", args.channels), ("kernel_size", args.kernel_size),
                                                    ("fc_width", args.fc_width)) if value is not None}
    if args.load:
        if architecture:
            raise ValueError("--load takes the architecture from the model file; drop --channels/--kernel-size/--fc-width")
        network = Network.load(args.load)
    else:
        network = Network(NetworkConfig(**architecture), seed=args.seed)
    data = load_digits(args.data)  # the split stays fixed whatever the training seed
    trainer = Trainer(network, data, learning_rate=args.lr, batch_size=args.batch_size, optimizer=args.optimizer,
                      momentum=args.momentum, weight_decay=args.weight_decay, augment=args.augment, seed=args.seed)
    return network, data, trainer


def _train(args: argparse.Namespace, trainer, epochs: float | None, ctrl_c: _CtrlC):
    """Train within the budget with a progress bar on stderr, until done or Ctrl+C; returns the last
    snapshot."""
    from kernelplay.nn.training import train

    out = sys.stderr
    interactive = out.isatty()
    last_print = 0.0
    snap = None
    ctrl_c.training = True
    # with a time budget, held-out checks along the way would eat into it: only at the end
    for snap in train(epochs=epochs, seconds=args.seconds, snapshot_every=5, trainer=trainer,
                      evaluate_every=0 if args.seconds is not None else None,
                      include_weights=False, lr_decay=not args.no_decay):
        if ctrl_c.pressed:
            print("\ninterrupted: checking the held-out digits" + (" and saving" if args.save else ""), file=out)
            break
        fraction = snap.elapsed_seconds / args.seconds if args.seconds is not None else snap.epoch / epochs
        now = time.monotonic()
        if snap.step > 0 and (snap.final or now - last_print >= (0.25 if interactive else 5.0)):
            last_print = now
            held = "" if snap.latest_heldout_accuracy is None else f" held-out {snap.latest_heldout_accuracy:.2%}"
            line = (f"{_bar(1.0 if snap.final and not snap.diverged else fraction)} epoch {snap.epoch:5.2f} "
                    f"loss {snap.running_loss:.4f} acc {snap.running_accuracy:.2%}{held} "
                    f"{snap.samples_per_second:,.0f} samples/s")
            print(("\r" + line) if interactive else line, end="" if interactive else "\n", file=out, flush=True)
    if interactive:
        print(file=out)
    return snap


def run(args: argparse.Namespace) -> int:
    from kernelplay.nn.datasets import IdxFormatError
    from kernelplay.nn.model_file import ModelFileError

    save_path = None if args.save is None else Path(args.save)
    problem = None if save_path is None else _save_problem(save_path)
    if problem:
        print(f"kernelplay train: cannot save to {save_path}: {problem}", file=sys.stderr)
        return 2
    if args.lr is None:
        args.lr = 2e-3 if args.optimizer == "adam" else 0.05
    epochs = args.epochs if args.epochs is not None or args.seconds is not None else 1.0
    with _CtrlC() as ctrl_c:
        try:
            network, data, trainer = _set_up(args)
        except KeyboardInterrupt:
            print("\nkernelplay train: interrupted before training began", file=sys.stderr)
            return 130
        except (ValueError, FileNotFoundError, IdxFormatError, ModelFileError) as exc:
            print(f"kernelplay train: {exc}", file=sys.stderr)
            return 2
        print(f"{network!r}\n{data.describe()}; {args.optimizer} lr {args.lr:g}, batch {args.batch_size}"
              f"{', augmented' if args.augment else ''}", flush=True)
        snap = _train(args, trainer, epochs, ctrl_c)
        if snap is None or not snap.final:
            print(f"stopped early; held-out accuracy {trainer.evaluate():.2%}")
        else:
            print(f"{snap.stopped_reason.message}: {snap.step} steps, {snap.samples_seen:,} samples in "
                  f"{snap.elapsed_seconds:.1f} s")
            print(f"held-out accuracy: {snap.latest_heldout_accuracy:.2%} ({len(data.heldout):,} digits)")
        saved = 0 if save_path is None else _save(network, save_path)
    return 1 if saved or (snap is not None and snap.diverged) else 0
