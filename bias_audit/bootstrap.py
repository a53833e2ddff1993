"""Vectorised person-level (cluster) Poisson bootstrap of the per-group count tensors.

Each person gets a Poisson(1) weight per draw; all their rows share it, so repeat
assessments of one victim move together. One sparse matrix maps people to count cells of
every (scorer, grouping) block; a chunk of draws is then one sparse-times-dense product.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from bias_audit.prepare import Encoded, Grouping, ScorerData

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Block:
    """Where one (scorer, grouping) count tensor lives among the matrix's columns."""

    scorer: ScorerData
    grouping: Grouping
    offset: int
    channels: int

    @property
    def shape(self) -> tuple[int, int, int]:
        """Return ``(groups, levels, channels)``."""
        return (len(self.grouping.labels), self.scorer.n_levels, self.channels)

    @property
    def size(self) -> int:
        """Return the number of matrix columns the block takes."""
        g, lv, c = self.shape
        return g * lv * c


def plan_blocks(enc: Encoded) -> list[Block]:
    """Lay out one block per (scorer, grouping) pair."""
    blocks: list[Block] = []
    offset = 0
    for scorer in enc.scorers:
        for grouping in enc.groupings:
            block = Block(scorer, grouping, offset, 3 if scorer.spec.is_probability else 2)
            blocks.append(block)
            offset += block.size
    return blocks


def _block_entries(enc: Encoded, block: Block) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    _, levels, channels = block.shape
    cell = (block.grouping.codes * levels + block.scorer.levels) * channels + block.offset
    count_cols = cell + enc.y.astype(np.int64)
    if channels == 2:
        return np.ones(len(cell)), count_cols
    cols = np.concatenate([count_cols, cell + 2])
    return np.concatenate([np.ones(len(cell)), block.scorer.score]), cols


def cell_matrix(enc: Encoded, blocks: list[Block]) -> sparse.csr_matrix:
    """Return the (cells x people) matrix whose product with weights gives every count."""
    data, cols, rows = [], [], []
    for block in blocks:
        values, columns = _block_entries(enc, block)
        data.append(values)
        cols.append(columns)
        rows.append(np.resize(enc.person, len(columns)))
    n_cells = blocks[-1].offset + blocks[-1].size
    matrix = sparse.coo_matrix(
        (np.concatenate(data), (np.concatenate(cols), np.concatenate(rows))),
        shape=(n_cells, enc.n_people),
    )
    return matrix.tocsr()


def draw_chunks(
    matrix: sparse.csr_matrix, n_boot: int, chunk: int, seed: int
) -> Iterator[FloatArray]:
    """Yield count columns for chunks of draws: arrays shaped ``(cells, draws_in_chunk)``."""
    rng = np.random.default_rng(seed)
    n_people = matrix.shape[1]
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        weights = rng.poisson(1.0, size=(n_people, size)).astype(np.float64)
        yield np.asarray(matrix @ weights)


def split_blocks(columns: FloatArray, blocks: list[Block]) -> list[FloatArray]:
    """Cut count columns ``(cells, draws)`` into tensors ``(draws, groups, levels, channels)``."""
    out = []
    for block in blocks:
        part = columns[block.offset : block.offset + block.size]
        out.append(np.moveaxis(part.reshape(*block.shape, -1), -1, 0))
    return out


def full_counts(matrix: sparse.csr_matrix, blocks: list[Block]) -> list[FloatArray]:
    """Return each block's counts on the full sample (all weights one), shaped like a draw."""
    ones = np.ones((matrix.shape[1], 1))
    return split_blocks(np.asarray(matrix @ ones), blocks)
