"""The unit view's words: which unit, the step reached, and each sum written out with its real numbers.

Qt-free. Everything is read from a :class:`~kernelplay.nn.explain_unit.UnitExplanation` — the
channel sums, their running totals (``steps()``), the bias, the contributions, the softmax — and
written by one rule, :func:`~kernelplay.common.text.format_significant` (four significant digits,
as the playground's step panel writes its sums); tooltips give exact values. Texts are built with
the playground's marks (:data:`RICH` for labels, :data:`PLAIN` for what tests read), so the two
cannot disagree.

``current`` is the view's step: −1 before the first, ``i`` once step ``i`` of ``steps()`` is done,
``len(steps()) − 1`` when the whole way to the value is shown.
"""
from __future__ import annotations

from kernelplay.common.text import bracket_negative, format_exact, format_significant
from kernelplay.gui.playground.step_text import PLAIN, RICH, PlainText
from kernelplay.nn.explain_unit import (ConvExplanation, DenseExplanation, PoolExplanation, ScoreExplanation,
                                        UnitExplanation)

__all__ = ["number", "unit_name", "header", "step_caption", "conv_lines", "pool_lines", "dense_lines",
           "dense_rows", "score_lines", "score_rows", "input_name", "term_tooltip", "LARGEST", "PLAIN", "RICH"]

LARGEST = 8  # contributions of an FC unit listed one by one


def number(value: float) -> str:
    return format_significant(float(value))


def unit_name(e: UnitExplanation) -> str:
    """``"conv2 map 7 at (5, 9)"``, ``"FC unit 17"``, ``"score of digit 3"``."""
    if isinstance(e, (ConvExplanation, PoolExplanation)):
        return f"{e.stage} map {e.channel} at ({e.row}, {e.col})"
    if isinstance(e, ScoreExplanation):
        return f"score of digit {e.channel}"
    return f"FC unit {e.channel}"


def input_name(e: ConvExplanation, channel: int) -> str:
    """What input channel ``channel`` of a conv unit is: the digit for conv1, else a map of the pool before."""
    return "the digit" if e.input_stage == "input" else f"{e.input_stage} map {channel}"


def header(e: UnitExplanation, marks: PlainText = RICH) -> str:
    """The unit and its value, then what it reads: one or two lines."""
    value = marks.strong(f"{unit_name(e)} = {number(e.value)}")
    if isinstance(e, ConvExplanation):
        count, k = e.windows.shape[0], e.weights.shape[-1]
        if e.input_stage == "input":
            return (f"{value}{marks.line_break}A {k}×{k} window on the digit × the kernel "
                    f"{e.stage}.weight[{e.channel}], summed, + bias, then ReLU.")
        return (f"{value}{marks.line_break}A {k}×{k} window on each of {e.input_stage}'s {count} maps × its "
                f"slice of {e.stage}.weight[{e.channel}], all summed, + bias, then ReLU.")
    if isinstance(e, PoolExplanation):
        top, left = 2 * e.row, 2 * e.col
        return (f"{value}{marks.line_break}The largest of {e.input_stage} map {e.channel}'s 2×2 block at rows "
                f"{top}–{top + 1}, columns {left}–{left + 1}.")
    if isinstance(e, DenseExplanation):
        c, h, w = e.input_shape
        return (f"{value}{marks.line_break}Each of the {e.contributions.size:,} flattened values ({c} maps of "
                f"{h}×{w}) times its own weight, all summed, + bias, then ReLU.")
    return (f"{value}{marks.line_break}Softmax: the 10 logits (FC outputs) made positive with exp, "
            "then divided by their sum, so the scores add up to 1.")


def step_caption(e: UnitExplanation, current: int) -> str:
    """``"step 3 of 18: input map 2 added, total 0.4512"`` (plain text)."""
    steps = e.steps()
    if current < 0:
        return f"step 0 of {len(steps)}: nothing added yet"
    step = steps[min(current, len(steps) - 1)]
    label = step.label
    if isinstance(e, ConvExplanation) and current < e.channel_sums.size:
        label = f"{input_name(e, current)} added"
    return f"step {current + 1} of {len(steps)}: {label}, {number(step.total)}"


def _term(text: str, index: int, current: int, marks: PlainText) -> str:
    text = marks.unbroken(text)
    if index == current:
        return marks.current(text)
    return marks.pending(text) if index > current else text


def _stage_line(text: str, index: int, current: int, marks: PlainText) -> str:
    """A whole line of the way (+ bias, ReLU, a softmax step): marked as the term just added, or
    pending, but free to wrap: made unbreakable, a long one set the pane's least width (the FC
    unit's first sum asked 681 px at 100 %, 1,362 at 200 %)."""
    if index == current:
        return marks.current(text)
    return text if current >= index else marks.pending(text)


def _equals(value: str, marks: PlainText) -> str:
    """``"= value"``, kept on one line: a wrapped line never ends in a lone "="."""
    return marks.unbroken("= ") + value


def conv_lines(e: ConvExplanation, current: int, marks: PlainText = RICH) -> list[str]:
    """The channel sums added term by term (the ones to come pending), then + bias, then ReLU."""
    n = e.channel_sums.size
    added = max(0, min(current + 1, n))
    terms = [_term(bracket_negative(number(s)), c, current, marks) for c, s in enumerate(e.channel_sums)]
    total = e.partial_sum(added)
    if n == 1:  # conv1: one input channel, the digit
        lines = [f"Σ window × kernel = {marks.strong(number(total)) if added else marks.pending(number(e.channel_sums[0]))}"]
    else:
        lines = [f"Σ of the {n} channel sums: " + " + ".join(terms) + f" {_equals(marks.strong(number(total)), marks)}"]
    lines.append(_stage_line(_bias(e, marks), n, current, marks))
    lines.append(_stage_line(_relu(e, marks), n + 1, current, marks))
    return lines


def _bias(e: ConvExplanation | DenseExplanation, marks: PlainText) -> str:
    return f"+ bias {bracket_negative(number(e.bias))} {_equals(marks.strong(number(e.pre_activation)), marks)}"


def _relu(e: ConvExplanation | DenseExplanation, marks: PlainText) -> str:
    return f"ReLU: max(0, {number(e.pre_activation)}) {_equals(marks.strong(number(e.value)), marks)}"


def pool_lines(e: PoolExplanation, current: int, marks: PlainText = RICH) -> list[str]:
    values = ", ".join(number(v) for v in e.window.ravel())
    r, c = e.argmax
    line = (f"max({values}) = {marks.strong(number(e.value))}: the winner is at ({r}, {c}) of the block, "
            f"{e.input_stage} ({2 * e.row + r}, {2 * e.col + c})")
    return [line if current >= 0 else marks.pending(line)]


def dense_rows(e: DenseExplanation, count: int = LARGEST) -> list[tuple[str, str, str, str]]:
    """The ``count`` largest contributions as (where, input, weight, contribution) texts."""
    stage = e.input_stage
    rows = []
    for index, contribution in e.largest(count):
        channel, row, col = e.source(index)
        rows.append((f"{stage} map {channel} ({row}, {col})", number(e.inputs[index]), number(e.weights[index]),
                     number(contribution)))
    return rows


def dense_lines(e: DenseExplanation, current: int, marks: PlainText = RICH) -> list[str]:
    shown = sum(value for _, value in e.largest(LARGEST))
    total = e.steps()[0].total  # Σ contributions, as the core sums them
    rest = total - shown
    others = e.contributions.size - min(LARGEST, e.contributions.size)
    sums = (f"Σ of all {e.contributions.size:,} contributions = {number(shown)} (the {LARGEST} above) + "
            f"{bracket_negative(number(rest))} (the other {others:,}) {_equals(marks.strong(number(total)), marks)}")
    return [_stage_line(text, i, current, marks) for i, text in enumerate((sums, _bias(e, marks), _relu(e, marks)))]


def score_rows(e: ScoreExplanation, current: int) -> list[tuple[str, str, str, str]]:
    """Each digit's (digit, logit, exp(logit − shift), probability) texts; the columns a step has
    not reached yet are empty."""
    rows = []
    for digit in range(e.logits.size):
        exp = number(e.exps[digit]) if current >= 1 else ""
        share = number(e.probabilities[digit]) if current >= 2 else ""
        rows.append((str(digit), number(e.logits[digit]) if current >= 0 else "", exp, share))
    return rows


def score_lines(e: ScoreExplanation, current: int, marks: PlainText = RICH) -> list[str]:
    c = e.channel
    logit = f"logit of {c} {_equals(marks.strong(number(e.logits[c])), marks)} (the largest logit is {number(e.shift)})"
    exp = (f"exp({number(e.logits[c])} − {number(e.shift)}) {_equals(marks.strong(number(e.exps[c])), marks)} "
           "(subtracting the largest logit keeps exp from overflowing; it cancels in the division)")
    share = (f"{number(e.exps[c])} ÷ Σ exp {number(e.total)} {_equals(marks.strong(number(e.value)), marks)} "
             f"{_equals(marks.unbroken(f'{100 * e.value:.1f} %'), marks)}")
    return [_stage_line(text, i, current, marks) for i, text in enumerate((logit, exp, share))]


def term_tooltip(window: float, weight: float, padding: bool) -> str:
    """A conv term's exact numbers, for hovering a cell."""
    where = " (padding: outside the map)" if padding else ""
    return f"input {format_exact(window)}{where} × weight {format_exact(weight)} = {format_exact(window * weight)}"

