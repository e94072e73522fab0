"""Per-problem pass rates: unbiased pass@k, zero handling, the mean log pass rate, difficulty buckets.

The capability law of the GPT-4 report is fitted to ``Q(C) = -E_P[log pass_rate(C)]``, the mean over
a problem set ``P`` of the negative log pass rate. Problems are the unit of sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import DataError
from ..laws import Array

ZERO_POLICIES = ("subset", "smooth", "error")


def pass_at_k(n_samples: Array, n_correct: Array, k: int = 1) -> Array:
    """Unbiased pass@k estimator ``1 - C(n - c, k) / C(n, k)`` (Chen et al. 2021).

    Notes
    -----
    Computed as ``1 - exp(lgamma(n-c+1) - lgamma(n-c-k+1) - lgamma(n+1) + lgamma(n-k+1))``, and 1
    where ``n - c < k``. Requires ``n >= k``.

    Example
    -------
    >>> round(float(pass_at_k(np.array([10.0]), np.array([3.0]), 2)[0]), 12)  # 1 - C(7,2)/C(10,2) = 1 - 21/45
    0.533333333333
    """
    from scipy.special import gammaln

    n = np.asarray(n_samples, dtype=float)
    c = np.asarray(n_correct, dtype=float)
    failures = n - c
    # pragma: no mutate start (n - c < k is 1 either way: gammaln's pole at n - c - k + 1 <= 0 gives exp(-inf) = 0)
    certain = failures < k
    safe_failures = np.where(certain, k, failures)
    # pragma: no mutate end
    log_ratio = gammaln(safe_failures + 1) - gammaln(safe_failures - k + 1) - gammaln(n + 1) + gammaln(n - k + 1)
    return np.asarray(np.where(certain, 1.0, -np.expm1(log_ratio)), dtype=float)


def smoothed_pass_at_k(n_samples: Array, n_correct: Array, k: int = 1) -> Array:
    """Pass@k from the pseudo-count rate ``p = (c + 0.5) / (n + 1)``: ``1 - (1 - p)^k``; never 0."""
    rate = (np.asarray(n_correct, dtype=float) + 0.5) / (np.asarray(n_samples, dtype=float) + 1.0)
    return np.asarray(-np.expm1(k * np.log1p(-rate)), dtype=float)


@dataclass(frozen=True, eq=False)
class PassRateRuns:
    """Runs (models) with their pass rates, in canonical order (by compute, then name).

    ``smoothed`` holds the pseudo-count pass rates when samples are known, for ``--zeros smooth``.
    """

    compute: Array
    names: tuple[str, ...]
    rates: Array
    problems: tuple[str, ...]
    per_problem: bool
    smoothed: Array | None
    x_column: str
    file: str
    k: int
    sweep: str | None = None

    def apply_zeros(self, policy: str, label: str | None = None) -> PassRates:
        """These pass rates after the zero policy (see :func:`handle_zeros`)."""
        return handle_zeros(
            self.rates,
            self.problems,
            self.names,
            policy,
            per_problem=self.per_problem,
            smoothed=self.smoothed,
            label=label or self.file,
        )


@dataclass(frozen=True, eq=False)
class PassRates:
    """Pass rates of ``n_runs`` runs (models) on ``n_problems`` problems, after zero handling.

    Attributes
    ----------
    rates : (n_runs, n_problems) pass rates in (0, 1]; for aggregate data ``n_problems`` is 1 and
        the column holds each run's geometric-mean pass rate.
    problems : problem identifiers, in column order.
    per_problem : whether ``rates`` are per problem (so problems can be resampled).
    n_problems_total : problems before zero handling.
    zeros : the zero policy applied; note : what it did, in words.
    """

    rates: Array
    problems: tuple[str, ...]
    per_problem: bool
    n_problems_total: int
    zeros: str
    note: str

    @property
    def n_problems(self) -> int:
        return len(self.problems)

    def runs(self, rows: NDArray[np.intp]) -> PassRates:
        """The same problems on the runs in ``rows`` only."""
        return PassRates(
            self.rates[rows], self.problems, self.per_problem, self.n_problems_total, self.zeros, self.note
        )

    def mean_neg_log(self) -> Array:
        """``Q_r = -mean_j log p_rj`` for each run."""
        return np.asarray(-np.log(self.rates).mean(axis=1), dtype=float)

    def problem_bootstrap(self, rng: np.random.Generator, n_boot: int) -> Array:
        """``log Q`` of each run for ``n_boot`` problem sets drawn with replacement: ``(n_boot, n_runs)``.

        The same problems are drawn for every run, as every run answered the same problem set.
        """
        draws = rng.integers(self.n_problems, size=(n_boot, self.n_problems))  # from 0
        neg_log = -np.log(self.rates)  # (runs, problems)
        means = np.empty((n_boot, self.rates.shape[0]))
        # pragma: no mutate start (the chunks only bound memory, ~128 MB of draws at a time: any cover of the rows
        # computes the same means)
        step = max(1, 2**24 // max(self.n_problems * self.rates.shape[0], 1))
        for start in range(0, n_boot, step):
            rows = slice(start, start + step)
            # pragma: no mutate end
            means[rows] = neg_log[:, draws[rows]].mean(axis=2).T
        return np.asarray(np.log(means), dtype=float)

    def buckets(self, n_buckets: int) -> list[tuple[str, NDArray[np.intp], tuple[float, float]]]:
        """Split problems into ``n_buckets`` buckets of (nearly) equal size by their mean pass rate.

        Returns ``(name, problem column indices, (lowest, highest) mean pass rate)``, hardest first.
        """
        if not self.per_problem:
            raise DataError("--buckets needs per-problem pass rates (a 'problem' column), not one rate per run")
        if not 1 <= n_buckets <= self.n_problems:
            raise DataError(f"--buckets {n_buckets}: must be between 1 and the number of problems ({self.n_problems})")
        mean_rate = self.rates.mean(axis=0)
        order = np.argsort(mean_rate, kind="stable")
        result = []
        for i, members in enumerate(np.array_split(order, n_buckets)):
            rates = mean_rate[members]
            result.append(
                (f"bucket {i + 1} of {n_buckets}", np.sort(members), (float(rates.min()), float(rates.max())))
            )
        return result

    def subset(self, columns: NDArray[np.intp]) -> PassRates:
        """The same runs on the problems in ``columns`` only."""
        return PassRates(
            rates=self.rates[:, columns],
            problems=tuple(self.problems[i] for i in columns),
            per_problem=self.per_problem,
            n_problems_total=len(columns),
            zeros=self.zeros,
            note=f"{len(columns)} problems",
        )


def handle_zeros(
    rates: Array,
    problems: tuple[str, ...],
    runs: tuple[str, ...],
    policy: str,
    *,
    per_problem: bool,
    smoothed: Array | None = None,
    label: str = "<data>",
) -> PassRates:
    """Apply the zero policy to pass rates ``(n_runs, n_problems)`` in [0, 1].

    Notes
    -----
    ``subset`` keeps only the problems with a nonzero rate on every run (the GPT-4 report's
    "subset"); ``smooth`` replaces each zero by its pseudo-count rate (``smoothed``, computed from
    samples when they are known) or, when only rates are known, by half the smallest nonzero rate
    in the data; ``error`` refuses any zero.
    """
    total = rates.shape[1]
    zero = rates <= 0.0
    if not zero.any():
        note = f"all {total} problems have nonzero pass rates" if per_problem else "one pass rate per run"
        return PassRates(rates, problems, per_problem, total, policy, note)
    run, problem = (int(i) for i in np.argwhere(zero)[0])
    where = f"run {runs[run]!r}, problem {problems[problem]!r}" if per_problem else f"run {runs[run]!r}"
    if policy == "error":
        raise DataError(f"{label}: {where} has pass rate 0 (log undefined); use --zeros subset or --zeros smooth")
    if policy == "smooth":
        if smoothed is not None:
            replaced = np.where(zero, smoothed, rates)
            how = "(c + 0.5) / (n + 1)"
        else:
            floor = 0.5 * rates[~zero].min() if (~zero).any() else 0.0
            if floor <= 0.0:
                raise DataError(f"{label}: every pass rate is 0; nothing can be fitted")
            replaced = np.where(zero, floor, rates)
            how = f"half the smallest nonzero rate ({floor:.3g})"
        count = int(zero.sum())
        return PassRates(replaced, problems, per_problem, total, policy, f"{count} zero pass rates smoothed to {how}")
    if not per_problem:
        raise DataError(
            f"{label}: {where} has pass rate 0 (log undefined); with one rate per run use --zeros smooth, "
            "or give per-problem rates"
        )
    keep = ~zero.any(axis=0)
    if not keep.any():
        raise DataError(
            f"{label}: no problem has a nonzero pass rate on every run, so --zeros subset leaves nothing; "
            "use --zeros smooth"
        )
    kept = tuple(problems[j] for j in np.flatnonzero(keep))
    return PassRates(
        rates[:, keep],
        kept,
        per_problem,
        total,
        policy,
        f"{len(kept)} of {total} problems kept (nonzero pass rate on every run)",
    )
