"""Disclosure control for the published group tables: primary and secondary suppression.

Primary: a group (a cell of a grouping) is shown only when it has at least ``min_people``
people and at least ``min_events`` outcome events and as many non-events. Secondary: the
tables are linked by their margins (each grouping's cells add up to the published totals;
each cell of an intersection ``a × b`` adds up over ``b`` to the cell of ``a`` and over ``a``
to the cell of ``b``), so a withheld count could be recovered by subtraction. Every additive
count (rows, events, flagged, errors) obeys the same equations, so one linear system of
cells describes them all. A withheld cell is exposed when the equations fix its value: when
its unit vector lies in the row space of the constraint matrix restricted to the withheld
cells (equivalently, every solution of the homogeneous system is zero there). Exposed cells
get a partner withheld, the smallest shown cell sharing an equation with them, until none is
exposed. This is the subtraction attack a statistics office runs before releasing tables.
Where the withheld cells of one equation add up to a public sum, that sum must pass the rule
too (``thin_sums``), so subtraction cannot show that withheld groups had no events at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from bias_audit.prepare import Grouping

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CellCounts:
    """Per-group counts of one grouping: people, rows and outcome events (rows with the outcome)."""

    people: IntArray
    rows: IntArray
    events: IntArray

    @property
    def non_events(self) -> IntArray:
        """Return the rows without the outcome."""
        return self.rows - self.events


@dataclass(frozen=True)
class Suppression:
    """Which cells of every grouping are withheld: by the rule itself, or to protect others."""

    primary: dict[str, BoolArray]
    secondary: dict[str, BoolArray]

    def withheld(self, grouping: str) -> BoolArray:
        """Return the withheld cells of one grouping."""
        return self.primary[grouping] | self.secondary[grouping]

    def summary(self) -> dict[str, int]:
        """Return the number of cells shown, withheld by the rule and withheld to protect others."""
        total = sum(len(m) for m in self.primary.values())
        primary = sum(int(m.sum()) for m in self.primary.values())
        secondary = sum(int(m.sum()) for m in self.secondary.values())
        return {
            "cells": total,
            "shown": total - primary - secondary,
            "primary": primary,
            "secondary": secondary,
        }


def cell_counts(grouping: Grouping, y: npt.NDArray[np.bool_]) -> CellCounts:
    """Return the people, rows and outcome events of each group."""
    n = len(grouping.labels)
    events = np.bincount(grouping.codes, weights=y.astype(np.float64), minlength=n)
    return CellCounts(grouping.people, grouping.rows, np.rint(events).astype(np.int64))


def primary_mask(counts: CellCounts, min_people: int, min_events: int) -> BoolArray:
    """Return the cells below the rule: too few people, events or non-events."""
    return np.asarray(
        (counts.people < min_people)
        | (counts.events < min_events)
        | (counts.non_events < min_events)
    )


def _parent_cells(child: Grouping, parent: Grouping) -> IntArray:
    """Return, for each cell of an intersection, the cell of a one-column grouping it lies in."""
    out = np.zeros(len(child.labels), dtype=np.int64)
    out[child.codes] = parent.codes
    return out


def margin_matrix(groupings: tuple[Grouping, ...]) -> tuple[FloatArray, IntArray]:
    """Return the margin equations (rows) over all cells (columns) and each grouping's offset.

    Totals are public, so a one-column grouping's equation is ``sum(cells) = total``; an
    intersection's are ``sum over b of (a_i, b) - a_i = 0`` and the same over ``a``.
    """
    sizes = [len(g.labels) for g in groupings]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    singles = {g.columns[0]: k for k, g in enumerate(groupings) if len(g.columns) == 1}
    rows: list[FloatArray] = []
    for k, grouping in enumerate(groupings):
        if len(grouping.columns) == 1:
            row = np.zeros(offsets[-1])
            row[offsets[k] : offsets[k + 1]] = 1.0
            rows.append(row)
            continue
        for column in grouping.columns:
            p = singles[column]
            parent = _parent_cells(grouping, groupings[p])
            block = np.zeros((sizes[p], offsets[-1]))
            block[parent, offsets[k] + np.arange(sizes[k])] = 1.0
            block[np.arange(sizes[p]), offsets[p] + np.arange(sizes[p])] -= 1.0
            rows.extend(block)
    return np.asarray(rows, dtype=np.float64).reshape(-1, offsets[-1]), offsets


def exposed_cells(matrix: FloatArray, withheld: BoolArray, tol: float = 1e-9) -> IntArray:
    """Return the withheld cells whose value the margin equations determine exactly."""
    unknown = np.flatnonzero(withheld)
    if len(unknown) == 0:
        return unknown
    sub = matrix[:, unknown]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if len(sub) == 0:
        return np.zeros(0, dtype=np.int64)
    _, s, vt = np.linalg.svd(sub, full_matrices=True)
    rank = int((s > tol * max(s[0], 1.0)).sum())
    null = vt[rank:].T  # unknowns x free directions
    free = np.linalg.norm(null, axis=1) > 1e-7 if null.size else np.zeros(len(unknown), bool)
    return np.asarray(unknown[~free], dtype=np.int64)


def _partner(matrix: FloatArray, cell: int, withheld: BoolArray, size: IntArray) -> int | None:
    """Return a shown cell to withhold so that ``cell`` is no longer exposed.

    First choice: the smallest shown cell sharing an equation with it. When every cell of its
    equations is already withheld (it is fixed by a combination of equations), the smallest
    shown cell of any equation touching a withheld cell that frees it.
    """
    rows = np.flatnonzero(matrix[:, cell] != 0)
    linked = (np.abs(matrix[rows]) > 0).any(axis=0) & ~withheld
    if linked.any():
        candidates = np.flatnonzero(linked)
        return int(candidates[np.argmin(size[candidates])])
    touching = (np.abs(matrix[:, withheld]) > 0).any(axis=1)
    nearby = np.flatnonzero((np.abs(matrix[touching]) > 0).any(axis=0) & ~withheld)
    for candidate in nearby[np.argsort(size[nearby], kind="stable")]:
        trial = withheld.copy()
        trial[candidate] = True
        if cell not in exposed_cells(matrix, trial):
            return int(candidate)
    return None


def thin_sums(
    matrix: FloatArray, withheld: BoolArray, rows: IntArray, events: IntArray, rule: tuple[int, int]
) -> IntArray:
    """Return the equations whose withheld cells, all of one sign, add up to less than the rule.

    Such a sum is public (the equation's other terms are shown), so it must itself pass the
    rule: two withheld groups whose events add up to zero would each be known to have none.
    Equations with nothing shown (a grouping's total itself) are public anyway and skipped.
    """
    coef = matrix * withheld
    one_sign = (coef > 0).any(axis=1) ^ (coef < 0).any(axis=1)
    shown_terms = (np.abs(matrix * ~withheld) > 0).any(axis=1)
    weight = np.abs(coef)
    n, k = weight @ rows, weight @ events
    thin = (n < rule[0]) | (k < rule[1]) | (n - k < rule[1])
    return np.flatnonzero(one_sign & shown_terms & thin)


def _smallest_shown(matrix: FloatArray, equation: int, withheld: BoolArray, size: IntArray) -> int:
    candidates = np.flatnonzero((matrix[equation] != 0) & ~withheld)
    return int(candidates[np.argmin(size[candidates])])


def protect(
    matrix: FloatArray, primary: BoolArray, counts: tuple[IntArray, IntArray], rule: tuple[int, int]
) -> BoolArray:
    """Return the secondary suppressions that leave no withheld cell exposed or thinly summed."""
    size, events = counts
    withheld = primary.copy()
    stuck: set[int] = set()
    while True:
        exposed = [c for c in exposed_cells(matrix, withheld) if c not in stuck]
        if exposed:
            partner = _partner(matrix, exposed[0], withheld, size)
            if partner is None:
                stuck.add(exposed[0])  # it equals a public total: nothing left to hide it behind
            else:
                withheld[partner] = True
            continue
        thin = thin_sums(matrix, withheld, size, events, rule)
        if len(thin) == 0:
            return np.asarray(withheld & ~primary)
        withheld[_smallest_shown(matrix, int(thin[0]), withheld, size)] = True


def suppress(
    groupings: tuple[Grouping, ...], y: npt.NDArray[np.bool_], min_people: int, min_events: int
) -> Suppression:
    """Return primary and secondary suppression for every grouping of one audit."""
    counts = [cell_counts(g, y) for g in groupings]
    primary = np.concatenate([primary_mask(c, min_people, min_events) for c in counts])
    size = np.concatenate([c.rows for c in counts]).astype(np.int64)
    events = np.concatenate([c.events for c in counts]).astype(np.int64)
    matrix, offsets = margin_matrix(groupings)
    with threadpool_limits(limits=1, user_api="blas"):  # small SVDs: threads only contend
        secondary = protect(matrix, primary, (size, events), (min_people, min_events))
    cut = [slice(offsets[k], offsets[k + 1]) for k in range(len(groupings))]
    return Suppression(
        {g.name: primary[s] for g, s in zip(groupings, cut, strict=True)},
        {g.name: secondary[s] for g, s in zip(groupings, cut, strict=True)},
    )
