"""Rolling-origin forecasting: fit the smallest runs, forecast the larger ones, for every origin along the ladder.

The law choice (each held-out run forecast from every smaller run), the misspecification check
(every larger run forecast from windows of the smallest) and ``forecast backtest --rolling`` all
walk the same origins.
"""

from __future__ import annotations

import numpy as np

from ..laws import Array, IndexArray


def rolling_origins(
    compute: Array, *, min_distinct: int = 1, start: int = 1, max_windows: int | None = None, horizon: str = "all"
) -> list[tuple[int, IndexArray]]:
    """The origins of runs sorted by compute: the window of the ``k`` smallest runs, and the runs it forecasts.

    Notes
    -----
    A window holds the ``k`` smallest runs, ``k`` from ``start`` to ``n - 1``, strictly below run ``k`` in
    compute and at ``min_distinct`` or more distinct computes. It forecasts every larger run
    (``horizon`` ``all``) or the runs at the next compute alone (``next``: one step ahead). Of more
    than ``max_windows`` such windows, that many evenly spaced ones, the first and the last among
    them. ``compute`` must be sorted (ties in any order).
    """
    if horizon not in ("all", "next"):
        raise ValueError(f"horizon must be 'all' or 'next', not {horizon!r}")
    n = compute.size
    sizes = [k for k in range(max(start, 1), n) if compute[k] > compute[k - 1]]
    sizes = [k for k in sizes if np.unique(compute[:k]).size >= min_distinct]
    if max_windows is not None and len(sizes) > max_windows:
        sizes = [sizes[i] for i in np.unique(np.linspace(0, len(sizes) - 1, max_windows).round().astype(int))]
    origins = []
    for k in sizes:
        end = n if horizon == "all" else int(np.searchsorted(compute, compute[k], side="right"))
        origins.append((k, np.arange(k, end)))
    return origins
