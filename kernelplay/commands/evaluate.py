"""``kernelplay evaluate MODEL``: a saved model's accuracy and confusion matrix on held-out digits."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

_EXIT_USAGE = 2


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "evaluate",
        help="a saved model's accuracy and confusion matrix",
        description="Evaluate a saved model on the bundled 2,000 held-out digits (those 'kernelplay train' "
                    "sets aside) or on MNIST's 10,000 test digits; print the accuracy and the confusion matrix.",
    )
    parser.add_argument("model", metavar="MODEL", help="a model saved by 'kernelplay train --save' or the app")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="a folder with MNIST's t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]")
    parser.add_argument("--confusion", metavar="OUT.csv", default=None,
                        help="also write the confusion matrix as CSV (rows: true digit, columns: predicted)")
    return parser


def _fail(message: str) -> int:
    print(f"kernelplay evaluate: error: {message}", file=sys.stderr)
    return _EXIT_USAGE


def _percent(fraction: float) -> str:
    return "—" if math.isnan(fraction) else f"{100 * fraction:.2f} %"


def matrix_lines(evaluation) -> list[str]:
    """The confusion matrix as text: rows = true digit, columns = predicted, zeros as dots, each
    row's count and share read right at its end."""
    width = max(4, len(f"{evaluation.matrix.max():,}") + 1)
    lines = ["rows: true digit, columns: predicted",
             "true │" + "".join(f"{d:>{width}}" for d in range(10)) + " │  digits   right"]
    for digit, (row, share) in enumerate(zip(evaluation.matrix, evaluation.per_class_accuracy)):
        cells = "".join(f"{('·' if v == 0 else f'{v:,}'):>{width}}" for v in row)
        lines.append(f"{digit:>4} │{cells} │ {row.sum():>7,} {_percent(share):>8}")
    return lines


def run(args: argparse.Namespace) -> int:
    from kernelplay.nn.datasets import IdxFormatError, load_digits
    from kernelplay.nn.evaluation import evaluate_digits, load_mnist_test_files
    from kernelplay.nn.exports import write_confusion_csv
    from kernelplay.nn.model_file import ModelFileError
    from kernelplay.nn.network import Network

    if args.confusion is not None and not Path(args.confusion).resolve().parent.is_dir():
        return _fail(f"cannot write {args.confusion}: no folder {Path(args.confusion).parent}")
    try:
        network = Network.load(args.model)
    except ModelFileError as exc:
        return _fail(str(exc))
    try:
        digits = load_digits().heldout if args.data is None else load_mnist_test_files(args.data)
    except (FileNotFoundError, IdxFormatError, ValueError) as exc:
        return _fail(str(exc))
    what = "held-out digits" if args.data is None else "test digits"
    print(f"{args.model}: {network!r}")
    print(f"{len(digits):,} {what} ({digits.source})")
    evaluation = evaluate_digits(network, digits)
    print(f"accuracy: {_percent(evaluation.accuracy)} ({evaluation.correct:,} of {len(evaluation):,} read right)")
    print()
    print("\n".join(matrix_lines(evaluation)))
    confused = evaluation.most_confused(5)
    if confused:
        print()
        print("most confused: " + "; ".join(str(pair) for pair in confused))
    if args.confusion is not None:
        try:
            path = write_confusion_csv(args.confusion, evaluation.matrix)
        except OSError as exc:
            print(f"kernelplay evaluate: cannot write {args.confusion}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"confusion matrix written to {path}")
    return 0
