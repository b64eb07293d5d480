"""``kernelplay train``: train the digit CNN headless, with a progress bar, and report held-out accuracy."""
from __future__ import annotations

import argparse
import sys
import time

from kernelplay.nn.optim import OPTIMIZERS


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "train",
        help="train the digit CNN without the GUI",
        description="Train the digit CNN (the default network unless told otherwise) on the bundled "
                    "MNIST subset (10,000 training / 2,000 held-out digits) or on MNIST's IDX files.",
    )
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=float, default=None, metavar="N",
                        help="passes over the training digits (default: 1)")
    budget.add_argument("--seconds", type=float, default=None, metavar="S",
                        help="wall-clock budget; stops cleanly at a step boundary")
    parser.add_argument("--seed", type=int, default=0, help="seed for the initial weights, shuffling and augmentation (default 0); the "
                        "training / held-out split is fixed")
    parser.add_argument("--save", metavar="MODEL.npz", default=None, help="write the trained model here")
    parser.add_argument("--load", metavar="MODEL.npz", default=None, help="start from a saved model")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="a folder with MNIST's train-images-idx3-ubyte[.gz] / train-labels-idx1-ubyte[.gz] "
                             "(and t10k-… as the held-out set)")
    parser.add_argument("--lr", type=float, default=None,
                        help="(starting) learning rate (default 2e-3 for adam, 0.05 for sgd)")
    parser.add_argument("--batch-size", type=int, default=64, help="digits per step (default 64)")
    parser.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="adam", help="default adam")
    parser.add_argument("--momentum", type=float, default=0.9, help="SGD momentum (default 0.9)")
    parser.add_argument("--weight-decay", type=float, default=0.0, help="L2 weight decay (default 0)")
    parser.add_argument("--no-augment", dest="augment", action="store_false",
                        help="train on the digits as they are (default: random ±2 px shifts, which lift "
                             "held-out accuracy by about 0.4 points)")
    parser.add_argument("--no-decay", action="store_true",
                        help="keep the learning rate constant (default: cosine decay over the budget)")
    parser.add_argument("--channels", default=None, metavar="C1,C2",
                        help="channels of each conv stage, 1–3 stages (default 16,36)")
    parser.add_argument("--kernel-size", type=int, default=None, choices=(3, 5), help="default 5")
    parser.add_argument("--fc-width", type=int, default=None, help="hidden units of fc1 (default 128)")
    return parser


def _bar(fraction: float, width: int = 28) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def run(args: argparse.Namespace) -> int:
    from kernelplay.nn.datasets import IdxFormatError, load_digits
    from kernelplay.nn.config import NetworkConfig
    from kernelplay.nn.model_file import ModelFileError
    from kernelplay.nn.network import Network
    from kernelplay.nn.training import Trainer, train

    if args.lr is None:
        args.lr = 2e-3 if args.optimizer == "adam" else 0.05
    try:
        if args.load:
            network = Network.load(args.load)
            if args.channels or args.kernel_size or args.fc_width:
                raise ValueError("--load takes the architecture from the model file; drop --channels/--kernel-size/--fc-width")
        else:
            kwargs = {}
            if args.channels:
                kwargs["channels"] = tuple(int(c) for c in args.channels.split(","))
            if args.kernel_size:
                kwargs["kernel_size"] = args.kernel_size
            if args.fc_width:
                kwargs["fc_width"] = args.fc_width
            network = Network(NetworkConfig(**kwargs), seed=args.seed)
        data = load_digits(args.data)  # the split stays fixed whatever the training seed
        trainer = Trainer(network, data, learning_rate=args.lr, batch_size=args.batch_size,
                          optimizer=args.optimizer, momentum=args.momentum,
                          weight_decay=args.weight_decay, augment=args.augment, seed=args.seed)
    except (ValueError, FileNotFoundError, IdxFormatError, ModelFileError) as exc:
        print(f"kernelplay train: {exc}", file=sys.stderr)
        return 2

    epochs = args.epochs if args.epochs is not None or args.seconds is not None else 1.0
    if (epochs is not None and epochs <= 0) or (args.seconds is not None and args.seconds <= 0):
        print("kernelplay train: the budget must be positive", file=sys.stderr)
        return 2
    print(f"{network!r}\n{data.describe()}; {args.optimizer} lr {args.lr:g}, batch {args.batch_size}"
          f"{', augmented' if args.augment else ''}", flush=True)
    out = sys.stderr
    interactive = out.isatty()
    last_print = 0.0
    snap = None
    try:
        # with a time budget, held-out checks along the way would eat into it: only at the end
        for snap in train(epochs=epochs, seconds=args.seconds, snapshot_every=20, trainer=trainer,
                          evaluate_every=0 if args.seconds is not None else None,
                          include_weights=False, lr_decay=not args.no_decay):
            if args.seconds is not None:
                fraction = snap.elapsed_seconds / args.seconds
            else:
                fraction = snap.epoch / epochs
            now = time.monotonic()
            if snap.step > 0 and (snap.final or now - last_print >= (0.25 if interactive else 5.0)):
                last_print = now
                held = "" if snap.latest_heldout_accuracy is None else f" held-out {snap.latest_heldout_accuracy:.2%}"
                line = (f"{_bar(1.0 if snap.final and not snap.diverged else fraction)} epoch {snap.epoch:5.2f} "
                        f"loss {snap.running_loss:.4f} acc {snap.running_accuracy:.2%}{held} "
                        f"{snap.samples_per_second:,.0f} samples/s")
                print(("\r" + line) if interactive else line, end="" if interactive else "\n", file=out, flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted", file=out)
    if interactive:
        print(file=out)
    if snap is None or not snap.final:
        accuracy = trainer.evaluate()
        print(f"stopped early; held-out accuracy {accuracy:.2%}")
    else:
        print(f"{snap.stopped_reason.message}: {snap.step} steps, {snap.samples_seen:,} samples in {snap.elapsed_seconds:.1f} s")
        print(f"held-out accuracy: {snap.latest_heldout_accuracy:.2%} ({len(data.heldout):,} digits)")
    if args.save:
        try:
            path = network.save(args.save)
        except OSError as exc:
            print(f"kernelplay train: cannot save {args.save}: {exc}", file=sys.stderr)
            return 1
        print(f"saved {path}")
    return 1 if snap is not None and snap.diverged else 0
