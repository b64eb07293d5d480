"""What the unit view shows for each kind of unit, built from its explanation: the grids of a conv
unit's chosen input map and of a pool unit's block, the tables of an FC unit's largest contributions
and of the softmax. Links in the tables name another unit as ``"stage,channel,row,col"``.

The tables come in two forms, wide and compact (the FC table's contributions each under where they
come from, the softmax table without "digit" over the digits): :func:`table_templates` are both
with numbers as wide as they come, to measure once what a pane needs whatever the unit."""
from __future__ import annotations

import numpy as np

from kernelplay.common.colormaps import symmetric_limit
from kernelplay.common.text import format_exact
from kernelplay.gui.training import unit_text
from kernelplay.gui.training.mosaic import ACTIVATION_TABLE, DIVERGING_TABLE, colourise
from kernelplay.gui.training.unit_channels import window_colours
from kernelplay.gui.training.unit_grids import Grid
from kernelplay.nn.explain_unit import ConvExplanation, DenseExplanation, PoolExplanation, ScoreExplanation

__all__ = ["conv_grids", "pool_grids", "dense_table", "dense_note", "score_table", "link", "table_numbers",
           "table_templates", "WIDE_DENSE", "WIDE_SCORE"]

HIGHLIGHT = "#c4efff"  # the row of the explained score: the playground's current-term tint
# numbers as wide as they come in the tables (four significant digits, at most eight decimals): an
# input, a weight and a contribution among an FC unit's largest (from 0.001, 0.001 and 0.0001 on:
# smaller ones are not among the largest); a logit (near 0 in a new network), an exp, a share (1e−6
# for a trained network's wrong digits). A wider number widens the pane rather than being cut.
WIDE_DENSE = ("0.001234", "−0.001234", "−0.0001234")
WIDE_SCORE = ("−0.0001234", "0.00000123", "0.00000123")


def link(unit: str, text: str) -> str:
    """``text`` as a link to ``unit`` ("stage,channel,row,col")."""
    return f"<a href='{unit}'>{text}</a>"


def _texts(values: np.ndarray) -> list[str]:
    return [unit_text.number(v) for v in np.asarray(values).ravel()]


def conv_grids(e: ConvExplanation, c: int, input_top: float) -> tuple[list[Grid], list[str], str]:
    """Input map ``c``'s window × kernel slice = products, then "Σ = its sum"; ``input_top`` is the
    brightest value of the input maps (the windows' colours)."""
    table, low, high = window_colours(e, input_top)
    products = e.products[c]
    limit_w, limit_p = symmetric_limit(e.weights), symmetric_limit(products)
    k = e.weights.shape[-1]
    tips = [unit_text.term_tooltip(float(e.windows[c].flat[i]), float(e.weights[c].flat[i]),
                                   bool(e.is_padding.flat[i])) for i in range(k * k)]
    grids = [
        Grid(colourise(e.windows[c], table, low, high), _texts(e.windows[c]), tips, "window", hatched=e.is_padding),
        Grid(colourise(e.weights[c], DIVERGING_TABLE, -limit_w, limit_w), _texts(e.weights[c]), tips, "kernel slice"),
        Grid(colourise(products, DIVERGING_TABLE, -limit_p, limit_p), _texts(products), tips, "products"),
    ]
    return grids, ["×", "="], f"Σ = {unit_text.number(e.channel_sums[c])}"


def pool_grids(e: PoolExplanation) -> tuple[list[Grid], list[str], str]:
    """The 2×2 block with its winner outlined, then "max = the value"."""
    top = max(float(e.window.max()), 1e-9)
    marked = np.zeros((2, 2), bool)
    marked[e.argmax] = True
    tips = [f"{e.input_stage} ({2 * e.row + i // 2}, {2 * e.col + i % 2}) = {format_exact(v)}"
            for i, v in enumerate(e.window.ravel())]
    block = Grid(colourise(e.window, ACTIVATION_TABLE, 0.0, top), _texts(e.window), tips, "block", marked=marked)
    return [block], [], f"max = {unit_text.number(e.value)}"


def dense_table(e: DenseExplanation, compact: bool = False) -> str:
    """The largest contributions, each from a link to the pool unit it comes from: a row each, or
    (``compact``) each under its link, in a table of three numbers a row."""
    rows = unit_text.dense_rows(e)
    pool = e.input_stage
    links = [link(f"{pool},{','.join(str(i) for i in e.source(index))}", where)
             for (index, _), (where, *_) in zip(e.largest(unit_text.LARGEST), rows)]
    return _dense_html([(where, *numbers) for where, (_, *numbers) in zip(links, rows)], e.contributions.size, compact)


def _dense_html(rows: list[tuple[str, str, str, str]], count: int, compact: bool) -> str:
    """``rows``: (where, input, weight, contribution) texts."""
    if compact:
        head = "<tr><th>input</th><th></th><th>weight</th><th></th><th>contribution</th></tr>"
        # no spaces round "×" and "=": centred, they take what room the pane has over the least
        body = "".join(f"<tr><td colspan=5>from {where}</td></tr><tr><td align=right>{a}</td><td align=center>×</td>"
                       f"<td align=right>{w}</td><td align=center>=</td><td align=right><b>{p}</b></td></tr>"
                       for where, a, w, p in rows)
    else:
        head = "<tr><th align=left>from</th><th>input</th><th></th><th>weight</th><th></th><th>contribution</th></tr>"
        body = "".join(f"<tr><td>{where}&nbsp;&nbsp;</td><td align=right>{a}</td><td>&nbsp;×&nbsp;</td>"
                       f"<td align=right>{w}</td><td>&nbsp;=&nbsp;</td><td align=right><b>{p}</b></td></tr>"
                       for where, a, w, p in rows)
    return (f"The {len(rows)} largest contributions (input × weight) of {count:,} (click where "
            f"one comes from to explain that unit):<table cellspacing=2>{head}{body}</table>")


def dense_note(e: DenseExplanation) -> str:
    """Which input map pushes the unit up most, and which down, summed over the map."""
    totals = e.channel_totals
    up, down = int(np.argmax(totals)), int(np.argmin(totals))
    return (f"Summed per map: {e.input_stage} map {up} pushes this unit up most "
            f"({unit_text.number(totals[up])}), map {down} down most ({unit_text.number(totals[down])}).")


def score_table(e: ScoreExplanation, current: int, compact: bool = False) -> str:
    """Every digit's logit, exp and share, the columns the steps reached filled in; each digit a
    link. ``compact``: no "digit" over the digits (at 200 % it made the table 47 px wider)."""
    return _score_html([(link(f"scores,{d},0,0", d), *numbers) for d, *numbers in unit_text.score_rows(e, current)],
                       e.channel, compact)


def _score_html(rows: list[tuple[str, str, str, str]], highlighted: int, compact: bool) -> str:
    # over the numbers, as they stand (right, a space after): centred, "max)" and "÷" met at 200 %
    head = "<tr>" + "".join(f"<th align=right>{title}&nbsp;</th>"
                            for title in ("" if compact else "digit", "logit", "exp(logit − max)", "÷ Σ exp")) + "</tr>"
    body = "".join((f"<tr style='background-color:{HIGHLIGHT}'>" if d == highlighted else "<tr>")
                   + "".join(f"<td align=right>{t}&nbsp;</td>" for t in texts) + "</tr>" for d, texts in enumerate(rows))
    return f"<table cellspacing=2>{head}{body}</table>Click a digit to explain its score."


def table_templates() -> dict[str, tuple[str, str]]:
    """The FC and the softmax tables, wide and compact, with their widest texts ("dense", "score")."""
    where = link("pool3,63,13,13", "pool3 map 63 (13, 13)")
    dense = [(where, *WIDE_DENSE)] * unit_text.LARGEST
    score = [(link("scores,9,0,0", "9"), *WIDE_SCORE)] * 10
    return {"dense": (_dense_html(dense, 12_345, False), _dense_html(dense, 12_345, True)),
            "score": (_score_html(score, 9, False), _score_html(score, 9, True))}


def table_numbers(e: DenseExplanation | ScoreExplanation, current: int) -> list[tuple[str, str, str]]:
    """The numbers of ``e``'s table, a row each, in the columns of :data:`WIDE_DENSE` or :data:`WIDE_SCORE`."""
    if isinstance(e, DenseExplanation):
        return [tuple(numbers) for _, *numbers in unit_text.dense_rows(e)]
    return [tuple(numbers) for _, *numbers in unit_text.score_rows(e, current)]
