"""Runs as the laws read them: compute and the fitted metric per run, validated (made by the readers)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..laws import Array, IndexArray


@dataclass(frozen=True, eq=False)
class Runs:
    """Validated runs: ``x`` (compute by default) and ``y`` (loss by default), one entry per row.

    ``metric`` says what ``y`` is: ``loss`` (any metric where lower is better, fitted in log space) or
    ``accuracy`` (a share in [0, 1]). A law of several design columns reads them from ``columns``
    ``(n, k)``, named ``column_names`` (chinchilla: ``params`` and ``tokens``, with ``x = 6 N D``; the
    two-step law: the task loss). With checkpoints, a run has several rows, told apart by ``steps``;
    its last step is its result. ``chance`` is the accuracy of random guessing, from a ``chance`` column.
    """

    x: Array
    y: Array
    names: tuple[str, ...]
    x_column: str
    y_column: str
    file: str
    sweep: str | None = None
    columns: Array | None = None
    column_names: tuple[str, ...] = ()
    #: What reading left out and why (runs that did not finish, or have no value to fit).
    warnings: tuple[str, ...] = ()
    metric: str = "loss"
    steps: Array | None = None
    chance: float | None = None

    def __len__(self) -> int:
        return int(self.x.size)

    def final_rows(self) -> IndexArray:
        """Each run's last step (every row when there are no checkpoints): the runs themselves."""
        if self.steps is None:
            return np.arange(self.x.size)
        last: dict[str, int] = {}
        for row, (name, step) in enumerate(zip(self.names, self.steps, strict=True)):
            if name not in last or step >= self.steps[last[name]]:
                last[name] = row
        return np.array(sorted(last.values()), dtype=np.intp)

    def take(self, runs: IndexArray) -> Runs:
        """The runs at rows ``runs`` (final rows), every checkpoint of each included."""
        rows = np.asarray(runs, dtype=np.intp)
        if self.steps is not None:
            wanted = {self.names[i] for i in rows}
            rows = np.array([i for i, name in enumerate(self.names) if name in wanted], dtype=np.intp)
        return replace(
            self,
            x=self.x[rows],
            y=self.y[rows],
            names=tuple(self.names[i] for i in rows),
            columns=None if self.columns is None else self.columns[rows],
            steps=None if self.steps is None else self.steps[rows],
        )

    def to_frame(self) -> Any:
        """The runs as a ``pandas.DataFrame`` (columns ``run``, the design columns, x column, y column)."""
        import pandas as pd

        design = {} if self.columns is None else dict(zip(self.column_names, self.columns.T, strict=True))
        return pd.DataFrame({"run": list(self.names), **design, self.x_column: self.x, self.y_column: self.y})
