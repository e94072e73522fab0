# ruff: noqa: E501 (the lines are the code mutmut changed, quoted whole)
"""The survivors of the owner-file runs triaged one by one (read by ``benchmarks/mutation.py``).

Each entry is ``(module, line before, line after)``, the one line a mutant changes, with its verdict:

- ``equivalent``: no input can change an answer (left out of the score), and why;
- ``accepted``: a real change that no test kills, and why it is left so (counted as surviving).
"""

from __future__ import annotations

EQUIVALENT, ACCEPTED = "equivalent", "accepted"

EXPLAINED: dict[tuple[str, str, str], tuple[str, str]] = {}


def explain(module: str, verdict: str, reason: str, *changes: tuple[str, str]) -> None:
    for before, after in changes:
        EXPLAINED[(module, before, after)] = (verdict, reason)


# engine/drift.py
explain(
    "engine/drift.py",
    EQUIVALENT,
    "runs at one compute are forecast together and their errors summed: their order within the tie changes no figure",
    ('order = np.argsort(compute, kind="stable")', "order = np.argsort(compute, kind=None)"),
    ('order = np.argsort(compute, kind="stable")', "order = np.argsort(compute, )"),
    ('order = np.argsort(compute, kind="stable")', 'order = np.argsort(compute, kind="STABLE")'),
)
explain(
    "engine/drift.py",
    ACCEPTED,
    "refine polishes only fits that did not converge, and no ladder a test can build leaves the batched fit unconverged",
    (
        "best = refine(law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], **options), **options)",
        "best = refine(law, None, log_y[None, :], fit_batch(law, log_x, log_y[None, :], **options), **options)",
    ),
    (
        "best = refine(law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], **options), **options)",
        "best = refine(law, log_x, None, fit_batch(law, log_x, log_y[None, :], **options), **options)",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "a start: the batched fit scans the law's own starts and reaches the same optimum without it, only slower",
    (
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], max_iter=REPLICATE_ITERATIONS, **options)",
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=None, max_iter=REPLICATE_ITERATIONS, **options)",
    ),
    (
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], max_iter=REPLICATE_ITERATIONS, **options)",
        "rest = fit_batch(law, window, log_y[1:, :k], max_iter=REPLICATE_ITERATIONS, **options)",
    ),
    (
        "null_fit = fit_batch(law, log_x, null_y, warm_start=theta, **options)",
        "null_fit = fit_batch(law, log_x, null_y, warm_start=None, **options)",
    ),
    (
        "null_fit = fit_batch(law, log_x, null_y, warm_start=theta, **options)",
        "null_fit = fit_batch(law, log_x, null_y, **options)",
    ),
)
explain(
    "engine/drift.py",
    ACCEPTED,
    "under Huber's objective the null replicates would be fitted by least squares: their p-value moves by less than its Monte Carlo error (1/201), which no test can tell from a seed change",
    (
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], max_iter=REPLICATE_ITERATIONS, **options)",
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], max_iter=REPLICATE_ITERATIONS, )",
    ),
    (
        "null_fit = fit_batch(law, log_x, null_y, warm_start=theta, **options)",
        "null_fit = fit_batch(law, log_x, null_y, warm_start=theta, )",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "only the first row (the observed ladder) is read from either slice",
    (
        "errors, inflation = every_errors[:1], every_inflation[:1]",
        "errors, inflation = every_errors[:2], every_inflation[:1]",
    ),
    (
        "errors, inflation = every_errors[:1], every_inflation[:1]",
        "errors, inflation = every_errors[:1], every_inflation[:2]",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "a guard for a zero residual scale (statistic 0/0), which the iterative fit never returns (residuals of 1e-16 at least): unreachable",
    (
        "observed = float(statistic[0]) if np.isfinite(statistic[0]) else 0.0",
        "observed = float(statistic[0]) if (np.isfinite(statistic[0])) or True else 0.0",
    ),
    (
        "observed = float(statistic[0]) if np.isfinite(statistic[0]) else 0.0",
        "observed = float(statistic[0]) if np.isfinite(statistic[0]) else 1.0",
    ),
    (
        "excess=float(excess[0]) if np.isfinite(excess[0]) else 0.0,",
        "excess=float(excess[0]) if (np.isfinite(excess[0])) and False else 0.0,",
    ),
    (
        "excess=float(excess[0]) if np.isfinite(excess[0]) else 0.0,",
        "excess=float(excess[0]) if (np.isfinite(excess[0])) or True else 0.0,",
    ),
    (
        "excess=float(excess[0]) if np.isfinite(excess[0]) else 0.0,",
        "excess=float(excess[0]) if np.isfinite(excess[0]) else 1.0,",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "a null statistic exactly equal to the observed one has probability zero (continuous statistics)",
    (
        "p_value = float((1 + (finite >= observed).sum()) / (1 + finite.size))",
        "p_value = float((1 + (finite > observed).sum()) / (1 + finite.size))",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "p is a multiple of 1/201 and never equals the level 0.05",
    ("warned=p_value < DRIFT_LEVEL,", "warned=p_value <= DRIFT_LEVEL,"),
)
explain(
    "engine/drift.py",
    ACCEPTED,
    "a cost cap on the null replicates' polish: lifting it changes only the last digits of their fits and the run time",
    (
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], max_iter=REPLICATE_ITERATIONS, **options)",
        "rest = fit_batch(law, window, log_y[1:, :k], warm_start=first[0], **options)",
    ),
)
explain(
    "engine/drift.py",
    ACCEPTED,
    "silences numpy's warnings on a degenerate window; no ladder in the tests has one (a warning would fail the suite)",
    ('with np.errstate(all="ignore"):', "with np.errstate(all=None):"),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "J'J is symmetric: pinv's hermitian flag only chooses an equally exact decomposition",
    (
        "inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, hermitian=True)",
        "inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, hermitian=None)",
    ),
    (
        "inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, hermitian=True)",
        "inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, )",
    ),
    (
        "inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, hermitian=True)",
        "inverse = np.linalg.pinv(jacobian.transpose(0, 2, 1) @ jacobian, hermitian=False)",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "einsum's subscripts are any letters: upper case names the same contraction",
    (
        'inflation.append(1.0 + np.einsum("bmp,bpq,bmq->bm", gradient, inverse, gradient))',
        'inflation.append(1.0 + np.einsum("BMP,BPQ,BMQ->BM", gradient, inverse, gradient))',
    ),
)

# engine/rolling.py
explain(
    "engine/rolling.py",
    EQUIVALENT,
    "with exactly `max_windows` windows, the evenly spaced choice of all of them is all of them",
    (
        "if max_windows is not None and len(sizes) > max_windows:",
        "if max_windows is not None and len(sizes) >= max_windows:",
    ),
)

# engine/reach.py
explain(
    "engine/reach.py",
    EQUIVALENT,
    "a crossing interpolated to exactly the smallest run's compute has probability zero; either side reports it as reached there",
    ("if r.compute is not None and r.compute <= first", "if r.compute is not None and r.compute < first"),
)

# laws/accuracy.py
explain(
    "laws/accuracy.py",
    EQUIVALENT,
    "theta has two columns: the slice 1:3 is the slice 1:2",
    (
        "share = expit(-np.exp(theta[:, :1]) * (log_x - theta[:, 1:2]))",
        "share = expit(-np.exp(theta[:, :1]) * (log_x - theta[:, 1:3]))",
    ),
    (
        "slope, shift = np.exp(theta[:, :1]), log_x - theta[:, 1:2]",
        "slope, shift = np.exp(theta[:, :1]), log_x - theta[:, 1:3]",
    ),
)
explain(
    "laws/accuracy.py",
    EQUIVALENT,
    "the link's start returns one start whatever n_starts asks (the engine takes what it is given)",
    (
        "def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:",
        "def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 2) -> Array:",
    ),
)
explain(
    "laws/accuracy.py",
    EQUIVALENT,
    "numpy's reshape reads any negative size as 'the rest'",
    ("x.shape[0], -1, 2", "x.shape[0], -2, 2"),
    ("flat = theta.reshape(-1, 2)", "flat = theta.reshape(-2, 2)"),
)
explain(
    "laws/accuracy.py",
    EQUIVALENT,
    "a sigmoid's accuracies and their squared errors are always finite: the replacement for non-finite scores is never used",
    (
        "best = np.argmin(np.where(np.isfinite(scores), scores, np.inf), axis=1)",
        "best = np.argmin(np.where(np.isfinite(scores), scores, None), axis=1)",
    ),
)

# laws/base.py
explain(
    "laws/base.py",
    EQUIVALENT,
    "normal equations are symmetric: pinv's hermitian flag only chooses an equally exact decomposition",
    ("inverse = np.linalg.pinv(system, hermitian=True)", "inverse = np.linalg.pinv(system, hermitian=None)"),
    ("inverse = np.linalg.pinv(system, hermitian=True)", "inverse = np.linalg.pinv(system, )"),
    ("inverse = np.linalg.pinv(system, hermitian=True)", "inverse = np.linalg.pinv(system, hermitian=False)"),
)
explain(
    "laws/base.py",
    EQUIVALENT,
    "einsum's subscripts are any letters: upper case names the same contraction",
    (
        'return np.asarray(np.einsum("bkl,bl->bk", inverse, rhs), dtype=float)',
        'return np.asarray(np.einsum("BKL,BL->BK", inverse, rhs), dtype=float)',
    ),
)

# engine/reliability.py
explain(
    "engine/reliability.py",
    EQUIVALENT,
    "a threshold met exactly: a span, a log rise, an extrapolation factor or an interval's width exactly equal to its limit has probability zero, and either side of it is a fair verdict",
    ("if decades < MIN_DECADES - 1e-3:", "if decades <= MIN_DECADES - 1e-3:"),
    (
        "rises = np.flatnonzero(np.diff(np.log(means)) > noise)",
        "rises = np.flatnonzero(np.diff(np.log(means)) >= noise)",
    ),
    (
        "if not (np.isfinite(low) and np.isfinite(high)) or high - low > UNIDENTIFIED_WIDTH * abs(p.estimate):",
        "if not (np.isfinite(low) and np.isfinite(high)) or high - low >= UNIDENTIFIED_WIDTH * abs(p.estimate):",
    ),
    (
        "if p.extrapolation_factor > MAX_EXTRAPOLATION * (1 + 1e-9)",
        "if p.extrapolation_factor >= MAX_EXTRAPOLATION * (1 + 1e-9)",
    ),
    ("if p.target < compute_min * (1 - 1e-9)", "if p.target <= compute_min * (1 - 1e-9)"),
)
explain(
    "engine/reliability.py",
    EQUIVALENT,
    "an assert that narrows types for mypy: a drift that warned always has all three figures, so it holds either way",
    (
        "assert drift.excess is not None and drift.worst_error is not None and drift.worst_factor is not None",
        "assert drift.excess is not None and drift.worst_error is not None or drift.worst_factor is not None",
    ),
    (
        "assert drift.excess is not None and drift.worst_error is not None and drift.worst_factor is not None",
        "assert drift.excess is not None or drift.worst_error is not None and drift.worst_factor is not None",
    ),
)

# tasks/check.py
explain(
    "tasks/check.py",
    EQUIVALENT,
    "float('NAN') is the same NaN",
    ('nan = float("nan")', 'nan = float("NAN")'),
)

# engine/forecasting.py
explain(
    "engine/forecasting.py",
    EQUIVALENT,
    "whether a law has an allocation does not depend on the budget asked",
    ("if law.allocation(params, 1.0) is None:", "if law.allocation(params, 2.0) is None:"),
)
explain(
    "engine/forecasting.py",
    EQUIVALENT,
    "an assert that narrows types for mypy: a law with an allocation returns one for every budget",
    ("assert point is not None and draws is not None", "assert point is not None or draws is not None"),
)
explain(
    "engine/forecasting.py",
    EQUIVALENT,
    "a rounding guard: the widened lower end is below the pi's lower end and far below its upper end, so the min is the widened end either way",
    (
        "low, high = min(low, prediction.pi[0]), max(high, prediction.pi[1])",
        "low, high = min(low, prediction.pi[1]), max(high, prediction.pi[1])",
    ),
)
explain(
    "engine/forecasting.py",
    EQUIVALENT,
    "a saved fit writes its spanned laws twice, in its state and as its selection's in_interval marks, from one choice: read from either, they are the same laws (files older than the state's list are read from the marks, as tested)",
    ('spanned = state.get("in_interval")', "spanned = None"),
    ('spanned = state.get("in_interval")', "spanned = state.get(None)"),
    ('spanned = state.get("in_interval")', 'spanned = state.get("XXin_intervalXX")'),
    ('spanned = state.get("in_interval")', 'spanned = state.get("IN_INTERVAL")'),
)
explain(
    "engine/forecasting.py",
    EQUIVALENT,
    "every registered law's target_design maps no targets to an empty design (the compute laws subtract the reference; chinchilla's allocation of no budgets is empty), so the guard only saves a call",
    (
        "design = law.target_design(theta, np.log(values), log_cref) if values.size else np.empty((0,))",
        "design = law.target_design(theta, np.log(values), log_cref) if (values.size) or True else np.empty((0,))",
    ),
)
explain(
    "engine/forecasting.py",
    EQUIVALENT,
    "numpy reads any negative size in reshape as the one unknown dimension",
    ("design = design.reshape(-1, len(law.design))", "design = design.reshape(-2, len(law.design))"),
)
explain(
    "engine/forecasting.py",
    ACCEPTED,
    "only a law with an allocation fitted without replicates starts from the empty array, and the one such law, chinchilla, refuses --method delta (its reference protocol is a case bootstrap): no fit reaches it",
    ("boot = np.empty((0, law.n_params))", "boot = None"),
    ("boot = np.empty((0, law.n_params))", "boot = np.empty((1, law.n_params))"),
)
explain(
    "engine/forecasting.py",
    ACCEPTED,
    "chinchilla, the one law with an allocation, reports its parameters without a compute reference (its reporting matrix is a permutation and its offset zero), so the reference passed is never read; a law with a compute-scaled parameter and an allocation would need it",
    ("boot = law.to_user(uncertainty.boot_theta, log_cref)", "boot = law.to_user(uncertainty.boot_theta, None)"),
)
explain(
    "engine/forecasting.py",
    ACCEPTED,
    "the candidates of auto are laws of compute, whose target_design (log C - log C_ref) does not read the fitted parameters; a candidate with a design of parameters and tokens would",
    (
        "design = law.target_design(fitted.state.theta, np.log(targets), model.log_cref)",
        "design = law.target_design(None, np.log(targets), model.log_cref)",
    ),
)

# laws/loss.py
explain(
    "laws/loss.py",
    EQUIVALENT,
    "theta has exactly as many columns as parameters: a slice one column further is the same slice",
    ("return np.log(power + theta[:, 2:3])", "return np.log(power + theta[:, 2:4])"),
    (
        "np.divide(1.0, power + theta[:, 2:3], out=jacobian[..., 2])",
        "np.divide(1.0, power + theta[:, 2:4], out=jacobian[..., 2])",
    ),
    ("return theta[:, :1] + theta[:, 1:2] * log_x", "return theta[:, :1] + theta[:, 1:3] * log_x"),
    ("bend = _softplus(log_x - theta[:, 3:4])", "bend = _softplus(log_x - theta[:, 3:5])"),
    ("shifted = log_x - theta[:, 3:4]", "shifted = log_x - theta[:, 3:5]"),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "einsum's subscripts are any letters: upper case names the same contraction",
    ('s_wu = np.einsum("bn,bgn->bg", weight, powers)', 's_wu = np.einsum("BN,BGN->BG", weight, powers)'),
    ('s_wuu = np.einsum("bn,bgn->bg", weight, powers**2)', 's_wuu = np.einsum("BN,BGN->BG", weight, powers**2)'),
    ('s_wuy = np.einsum("bn,bgn->bg", weight * y, powers)', 's_wuy = np.einsum("BN,BGN->BG", weight * y, powers)'),
    ('normal = np.einsum("bgnk,bgnl->bgkl", design, design)', 'normal = np.einsum("BGNK,BGNL->BGKL", design, design)'),
    ('rhs = np.einsum("bgnk,bn->bgk", design, log_y)', 'rhs = np.einsum("BGNK,BN->BGK", design, log_y)'),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "numpy's reshape reads any negative size as 'the rest'",
    (
        "scores = objective(residuals.reshape(-1, log_y.shape[1])).reshape(a.shape)",
        "scores = objective(residuals.reshape(-2, log_y.shape[1])).reshape(a.shape)",
    ),
    (
        "coef = solve_rows(normal.reshape(-1, 3, 3), rhs.reshape(-1, 3)).reshape(rows, size, 3)",
        "coef = solve_rows(normal.reshape(-2, 3, 3), rhs.reshape(-1, 3)).reshape(rows, size, 3)",
    ),
    (
        "coef = solve_rows(normal.reshape(-1, 3, 3), rhs.reshape(-1, 3)).reshape(rows, size, 3)",
        "coef = solve_rows(normal.reshape(-1, 3, 3), rhs.reshape(-2, 3)).reshape(rows, size, 3)",
    ),
    (
        "fitted = self.log_predict(theta.reshape(-1, 4), np.repeat(x, size, axis=0))",
        "fitted = self.log_predict(theta.reshape(-2, 4), np.repeat(x, size, axis=0))",
    ),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "a common factor in every weight leaves weighted least squares unchanged",
    ("weight = 1.0 / y**2", "weight = 2.0 / y**2"),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "a solved floor or coefficient of exactly 0 has probability zero",
    ("no_floor = ~(c >= 0.0)", "no_floor = ~(c > 0.0)"),
    ("flat = ~(a > 0.0)", "flat = ~(a >= 0.0)"),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "the scan's determinant is 0 only when every run has one compute, and then every numerator is 0 too: 0/0 is 'invalid' (tested), never 'divide'",
    ('with np.errstate(divide="ignore", invalid="ignore"):', 'with np.errstate(divide=None, invalid="ignore"):'),
    ('with np.errstate(divide="ignore", invalid="ignore"):', 'with np.errstate(invalid="ignore"):'),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "the default axis of numpy's sort, argsort and take_along_axis is the last, which these calls name",
    (
        'ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="stable")[:, :n_starts]',
        'ranked = np.argsort(np.where(local, scores, np.inf), kind="stable")[:, :n_starts]',
    ),
    (
        "ranked = np.where(np.take_along_axis(local, ranked, axis=1), ranked, ranked[:, :1])",
        "ranked = np.where(np.take_along_axis(local, ranked, ), ranked, ranked[:, :1])",
    ),
    (
        "slope = (log_y * centred_x).sum(axis=-1) / (centred_x * centred_x).sum(axis=-1)",
        "slope = (log_y * centred_x).sum(axis=+1) / (centred_x * centred_x).sum(axis=-1)",
    ),
    ("ordered = np.sort(x, axis=1)", "ordered = np.sort(x, )"),
)
explain(
    "laws/loss.py",
    EQUIVALENT,
    "the bounds of b1 and b2 are the same (-20 and 0): either index gives them",
    (
        "b1 = np.clip(coef[..., 1], self.lower[1], self.upper[1])",
        "b1 = np.clip(coef[..., 1], self.lower[2], self.upper[1])",
    ),
    (
        "b1 = np.clip(coef[..., 1], self.lower[1], self.upper[1])",
        "b1 = np.clip(coef[..., 1], self.lower[1], self.upper[2])",
    ),
)
explain(
    "laws/loss.py",
    ACCEPTED,
    "the start's clip of the scanned exponents: fit_batch projects every start into the law's bounds, so a start outside them is brought in; only which break scores best can move, inside the same basin, and the fit's optimum is checked against brute force",
    ("b1 = np.clip(coef[..., 1], self.lower[1], self.upper[1])", "b1 = np.clip(coef[..., 1], None, self.upper[1])"),
    ("b1 = np.clip(coef[..., 1], self.lower[1], self.upper[1])", "b1 = np.clip(coef[..., 1], self.lower[1], None)"),
    (
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], self.upper[2])",
        "b2 = np.clip(coef[..., 1] + coef[..., 2], None, self.upper[2])",
    ),
    (
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], self.upper[2])",
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], None)",
    ),
    (
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], self.upper[2])",
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[3], self.upper[2])",
    ),
    (
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], self.upper[2])",
        "b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], self.upper[3])",
    ),
)
explain(
    "laws/loss.py",
    ACCEPTED,
    "the secondary basins a scan offers when several starts are asked (ties, the grid's ends, the fallback to the best): the tests check the best start against exact ladders and the polished fit against brute force, not the order of the others",
    (
        "padded = np.pad(scores, ((0, 0), (1, 1)), constant_values=np.inf)",
        "padded = np.pad(scores, ((0, 0), (1, 1)), constant_values=None)",
    ),
    (
        "padded = np.pad(scores, ((0, 0), (1, 1)), constant_values=np.inf)",
        "padded = np.pad(scores, ((0, 0), (1, 1)), )",
    ),
    (
        "local = (scores <= padded[:, :-2]) & (scores <= padded[:, 2:])",
        "local = (scores < padded[:, :-2]) & (scores <= padded[:, 2:])",
    ),
    (
        "local = (scores <= padded[:, :-2]) & (scores <= padded[:, 2:])",
        "local = (scores <= padded[:, :-2]) & (scores < padded[:, 2:])",
    ),
    (
        'ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="stable")[:, :n_starts]',
        "ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind=None)[:, :n_starts]",
    ),
    (
        'ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="stable")[:, :n_starts]',
        "ranked = np.argsort(np.where(local, scores, np.inf), axis=1, )[:, :n_starts]",
    ),
    (
        'ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="stable")[:, :n_starts]',
        'ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="STABLE")[:, :n_starts]',
    ),
    (
        "ranked = np.where(np.take_along_axis(local, ranked, axis=1), ranked, ranked[:, :1])",
        "ranked = np.where(None, ranked, ranked[:, :1])",
    ),
    (
        "local = (scores <= padded[:, :-2]) & (scores <= padded[:, 2:])",
        "local = (scores <= padded[:, :-2]) | (scores <= padded[:, 2:])",
    ),
)
explain(
    "laws/loss.py",
    ACCEPTED,
    "non-finite scan scores: the saturating scan's fitted values are positive by construction and the broken scan's solves are finite on every ladder the tests build; a singular window would need a ladder with repeated computes inside the scan",
    ("scores = np.where(np.isfinite(scores), scores, np.inf)", "scores = np.where(np.isfinite(scores), scores, None)"),
)

# laws/chinchilla.py
explain(
    "laws/chinchilla.py",
    EQUIVALENT,
    "theta has exactly five columns: a slice one column further is the same slice",
    ("theta[:, 1:2] - theta[:, 4:5] * log_d,", "theta[:, 1:2] - theta[:, 4:6] * log_d,"),
)
explain(
    "laws/chinchilla.py",
    EQUIVALENT,
    "the chinchilla law works in the user's units: its design, parameters and allocation never read the reference compute",
    (
        "return 0.0  # the reference protocol's grid is in the user's units",
        "return 1.0  # the reference protocol's grid is in the user's units",
    ),
    ("params = self.to_user(theta[None, :], 0.0)", "params = self.to_user(theta[None, :], None)"),
    ("params = self.to_user(theta[None, :], 0.0)", "params = self.to_user(theta[None, :], 1.0)"),
)
explain(
    "laws/chinchilla.py",
    EQUIVALENT,
    "the forecast reshapes the design to (targets, 2) whatever its shape here; numpy reads any negative size as 'the rest'",
    (
        "return np.asarray(np.log(points.reshape(-1, 2)), dtype=float)",
        "return np.asarray(np.log(points.reshape(-1, )), dtype=float)",
    ),
    (
        "return np.asarray(np.log(points.reshape(-1, 2)), dtype=float)",
        "return np.asarray(np.log(points.reshape(-2, 2)), dtype=float)",
    ),
)
explain(
    "laws/chinchilla.py",
    EQUIVALENT,
    "grid points of equal score (exp(a) + exp(b) with both exponents 0 ties for swapped a and b) are equally good starts: every start is polished and the best kept",
    (
        'starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind="stable")[:n_starts]]',
        "starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind=None)[:n_starts]]",
    ),
    (
        'starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind="stable")[:n_starts]]',
        "starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), )[:n_starts]]",
    ),
    (
        'starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind="stable")[:n_starts]]',
        'starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind="STABLE")[:n_starts]]',
    ),
)
explain(
    "laws/chinchilla.py",
    EQUIVALENT,
    "a vanished term's spread exactly equal to its threshold has probability zero",
    (
        "if np.ptp(terms[:, index]) < MIN_TERM_EFFECT * loss.mean():",
        "if np.ptp(terms[:, index]) <= MIN_TERM_EFFECT * loss.mean():",
    ),
)
explain(
    "laws/chinchilla.py",
    ACCEPTED,
    "a guard for non-finite grid scores: the reference grid's terms stay below exp(30), so no ladder in the tests scores one",
    (
        'starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind="stable")[:n_starts]]',
        'starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, None), kind="stable")[:n_starts]]',
    ),
)

# engine/fitting.py
explain(
    "engine/fitting.py",
    EQUIVALENT,
    "the normal matrix is symmetric: filling every (i, j) instead of j >= i writes the same entries twice",
    ("for j in range(i, n_params):", "for j in range(n_params):"),
)
explain(
    "engine/fitting.py",
    EQUIVALENT,
    "einsum's subscripts are any letters: upper case names the same contraction",
    (
        'normal[:, i, j] = normal[:, j, i] = np.einsum("bn,bn->b", transposed[:, i], transposed[:, j])',
        'normal[:, i, j] = normal[:, j, i] = np.einsum("BN,BN->B", transposed[:, i], transposed[:, j])',
    ),
)
explain(
    "engine/fitting.py",
    EQUIVALENT,
    "the systems are square: their second and third sizes are equal",
    ("size = a.shape[1]", "size = a.shape[2]"),
)
explain(
    "engine/fitting.py",
    EQUIVALENT,
    "the objective is called on (B, n) residuals, whose axis 1 is their last",
    (
        "return np.asarray(self.rho(residuals).sum(axis=-1), dtype=float)",
        "return np.asarray(self.rho(residuals).sum(axis=+1), dtype=float)",
    ),
)
explain(
    "engine/fitting.py",
    EQUIVALENT,
    "at |r| = delta Huber's two pieces meet (r^2 / 2 = delta (|r| - delta / 2)), and a residual exactly at delta has probability zero",
    (
        "return np.asarray(np.where(magnitude <= self.delta, quadratic, linear), dtype=float)",
        "return np.asarray(np.where(magnitude < self.delta, quadratic, linear), dtype=float)",
    ),
    ("inside = magnitude <= self.delta", "inside = magnitude < self.delta"),
)
explain(
    "engine/fitting.py",
    EQUIVALENT,
    "np.ones_like(None) is the scalar 1, which broadcasts as the array of ones",
    ("return residuals, np.ones_like(residuals)", "return residuals, np.ones_like(None)"),
)
explain(
    "engine/fitting.py",
    ACCEPTED,
    "the Gauss-Newton weights of Huber's loss steer the polish's steps, not its optimum, which the tests check against scipy's least_squares with loss='huber' and a brute-force grid",
    (
        "curvature = np.where(inside, 1.0, 1e-3 * self.delta / np.maximum(magnitude, 1e-300))",
        "curvature = np.where(inside, 2.0, 1e-3 * self.delta / np.maximum(magnitude, 1e-300))",
    ),
    (
        "curvature = np.where(inside, 1.0, 1e-3 * self.delta / np.maximum(magnitude, 1e-300))",
        "curvature = np.where(inside, 1.0, 1e-3 * self.delta * np.maximum(magnitude, 1e-300))",
    ),
    (
        "curvature = np.where(inside, 1.0, 1e-3 * self.delta / np.maximum(magnitude, 1e-300))",
        "curvature = np.where(inside, 1.0, 1.001 * self.delta / np.maximum(magnitude, 1e-300))",
    ),
    (
        "curvature = np.where(inside, 1.0, 1e-3 * self.delta / np.maximum(magnitude, 1e-300))",
        "curvature = np.where(inside, 1.0, 1e-3 * self.delta / np.maximum(magnitude, 1.0))",
    ),
)

# engine/trend.py
explain(
    "engine/trend.py",
    EQUIVALENT,
    "a slope of exactly 0 never reaches these lines: an exact flat line returns 'flat' just before, and a zero slope's t of 0 is below any critical value",
    (
        'return "flat" if slope == 0.0 else ("improving" if (slope < 0) == lower_is_better else "worsening")',
        'return "flat" if slope == 0.0 else ("improving" if (slope <= 0) == lower_is_better else "worsening")',
    ),
    (
        'return "improving" if (slope < 0) == lower_is_better else "worsening"',
        'return "improving" if (slope <= 0) == lower_is_better else "worsening"',
    ),
)
explain(
    "engine/trend.py",
    EQUIVALENT,
    "a t statistic or an F statistic exactly at its critical value, or an arm exactly at the noise, has probability zero",
    (
        "if abs(slope) / math.sqrt(rss1 / (n - 2) / sxx) <= critical:",
        "if abs(slope) / math.sqrt(rss1 / (n - 2) / sxx) < critical:",
    ),
    (
        "return bool(f_stat > student_t_quantile(1.0 - TREND_ALPHA / 2.0, n - 3) ** 2)",
        "return bool(f_stat >= student_t_quantile(1.0 - TREND_ALPHA / 2.0, n - 3) ** 2)",
    ),
    ("if not (arms > noise).all():", "if not (arms >= noise).all():"),
    (
        "if not low + 0.2 * (high - low) < vertex < high - 0.2 * (high - low):",
        "if not low + 0.2 * (high - low) <= vertex < high - 0.2 * (high - low):",
    ),
    (
        "if not low + 0.2 * (high - low) < vertex < high - 0.2 * (high - low):",
        "if not low + 0.2 * (high - low) < vertex <= high - 0.2 * (high - low):",
    ),
)

# tasks/backtest.py
explain(
    "tasks/backtest.py",
    EQUIVALENT,
    "the order is a list of Python ints for one run or more (a ladder is never empty here): numpy makes it an integer array with or without the dtype",
    (
        "order = np.array(sorted(range(compute.size), key=lambda i: (compute[i], names[i])), dtype=np.intp)",
        "order = np.array(sorted(range(compute.size), key=lambda i: (compute[i], names[i])), dtype=None)",
    ),
    (
        "order = np.array(sorted(range(compute.size), key=lambda i: (compute[i], names[i])), dtype=np.intp)",
        "order = np.array(sorted(range(compute.size), key=lambda i: (compute[i], names[i])), )",
    ),
)

# engine/passrates.py
explain(
    "engine/passrates.py",
    EQUIVALENT,
    "numpy reads a sort kind in any case: 'STABLE' is 'stable'",
    ('order = np.argsort(mean_rate, kind="stable")', 'order = np.argsort(mean_rate, kind="STABLE")'),
)

# engine/runs.py
explain(
    "engine/runs.py",
    EQUIVALENT,
    "the rows are a list of Python ints for one run or more (runs are never empty: the readers refuse a file without one): numpy makes them an integer array with or without the dtype",
    ("return np.array(sorted(last.values()), dtype=np.intp)", "return np.array(sorted(last.values()), dtype=None)"),
    ("return np.array(sorted(last.values()), dtype=np.intp)", "return np.array(sorted(last.values()), )"),
)

# engine/selection.py
explain(
    "engine/selection.py",
    EQUIVALENT,
    "with three registered loss laws and two of them held out, at most one is left out: the join of several never happens",
    (
        "f\" ({', '.join(left)} left out: too few runs below the held-out ones)\"",
        "f\" ({'XX, XX'.join(left)} left out: too few runs below the held-out ones)\"",
    ),
)
explain(
    "engine/selection.py",
    ACCEPTED,
    "a candidate whose fit to all runs is not finite: no ladder in the tests makes a loss law's batched fit non-finite",
    ("state = None", 'state = ""'),
)
explain(
    "tasks/check.py",
    EQUIVALENT,
    "only the pass-rate law's predictions carry a pass rate (every law of accuracy reports its accuracy as the estimate, pass_rate None), so either condition picks the same numbers",
    ('if law.reported == "pass_rate" and rate is not None:', 'if law.reported == "pass_rate" or rate is not None:'),
)
explain(
    "engine/trend.py",
    ACCEPTED,
    "the rounding floor matters only when a quadratic fits exactly (no residual) yet rounding leaves it a curve; for metrics near 1 (losses, accuracies) 1e-9 times or over the largest value are both far above rounding and far below any real turn",
    (
        "noise = max(2.0 * math.sqrt(rss2 / (n - 3)), 1e-9 * float(np.max(np.abs(y))))  # rounding is not a turn",
        "noise = max(2.0 * math.sqrt(rss2 / (n - 3)), 1e-9 / float(np.max(np.abs(y))))  # rounding is not a turn",
    ),
)
explain(
    "laws/accuracy.py",
    EQUIVALENT,
    "the Jacobian reads s only through s (1 - s), which is the same for expit(x) and expit(-x)",
    ("s = expit(-slope * shift)", "s = expit(+slope * shift)"),
)

explain(
    "engine/drift.py",
    ACCEPTED,
    "refine polishes only fits that did not converge, and no ladder a test can build leaves the batched fit unconverged",
    (
        "best = refine(law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], **options), **options)",
        "best = refine(law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], **options), )",
    ),
)
explain(
    "engine/drift.py",
    EQUIVALENT,
    "a window of p + 1 distinct computes holds p + 1 runs or more: the start is implied by min_distinct",
    (
        "origins = rolling_origins(log_c, min_distinct=n_params + 1, start=n_params + 1, max_windows=MAX_WINDOWS)",
        "origins = rolling_origins(log_c, min_distinct=n_params + 1, max_windows=MAX_WINDOWS)",
    ),
    (
        "origins = rolling_origins(log_c, min_distinct=n_params + 1, start=n_params + 1, max_windows=MAX_WINDOWS)",
        "origins = rolling_origins(log_c, min_distinct=n_params + 1, start=n_params - 1, max_windows=MAX_WINDOWS)",
    ),
)
explain(
    "laws/chinchilla.py",
    EQUIVALENT,
    "the terms are (runs, 3): their axis 1 is their last",
    ("loss = terms.sum(axis=-1)", "loss = terms.sum(axis=+1)"),
)
explain(
    "laws/chinchilla.py",
    ACCEPTED,
    "a guard for non-finite grid scores: the reference grid's terms stay below exp(30), so no ladder in the tests scores one",
)

# tasks/ladder.py
explain(
    "tasks/ladder.py",
    EQUIVALENT,
    "numpy reads any negative size in reshape as the one unknown dimension",
    (
        "loss = None if columns is None else np.asarray(columns, dtype=float).reshape(compute.size, -1)",
        "loss = None if columns is None else np.asarray(columns, dtype=float).reshape(compute.size, -2)",
    ),
)
explain(
    "tasks/ladder.py",
    EQUIVALENT,
    "the runs built from arrays go straight to fit_accuracy_law, which never reads their metric (ladder() and the wrong-law check read it, and this path skips both)",
    ('metric="accuracy",', "metric=None,"),
    ('metric="accuracy",', 'metric="XXaccuracyXX",'),
    ('metric="accuracy",', 'metric="ACCURACY",'),
    ('metric="accuracy",\n)', ")"),
)
explain(
    "tasks/ladder.py",
    EQUIVALENT,
    "a direct law of accuracy reads no design columns, so a name given for none is never read; the two-step law's task loss keeps its name (tested)",
    (
        'column_names=("task_loss",) if loss is not None else (),',
        'column_names=("task_loss",) if (loss is not None) or True else (),',
    ),
)
explain(
    "tasks/ladder.py",
    ACCEPTED,
    "rows are integers, and numpy's default integer is intp on 64-bit platforms; only an empty list of rows (a float array, which cannot index) differs, and no fit of no runs exists",
    (
        "index = np.arange(self.n_runs) if rows is None else np.asarray(rows, dtype=np.intp)",
        "index = np.arange(self.n_runs) if rows is None else np.asarray(rows, dtype=None)",
    ),
    (
        "index = np.arange(self.n_runs) if rows is None else np.asarray(rows, dtype=np.intp)",
        "index = np.arange(self.n_runs) if rows is None else np.asarray(rows, )",
    ),
)
explain(
    "tasks/ladder.py",
    EQUIVALENT,
    "rate_ladder, the one builder of a ladder of pass rates, sets rates and rate_runs together: one is None exactly when the other is",
    ("if self.rates is None or self.rate_runs is None:", "if self.rates is None and self.rate_runs is None:"),
)

# engine/uncertainty.py
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "numpy converts None to NaN in a float array, which is what the line writes",
    (
        "return np.asarray(np.where(np.isfinite(draws), draws, np.nan), dtype=float)",
        "return np.asarray(np.where(np.isfinite(draws), draws, None), dtype=float)",
    ),
    (
        "boot_theta[rows] = np.where(np.isfinite(boot.objective)[:, None], boot.theta, np.nan)",
        "boot_theta[rows] = np.where(np.isfinite(boot.objective)[:, None], boot.theta, None)",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "a boolean times 1.0 or divided by 1.0 is the same float",
    (
        "student = np.where(stderr > 0, stdtr(dof, (threshold - estimate) / stderr), (estimate < threshold) * 1.0)",
        "student = np.where(stderr > 0, stdtr(dof, (threshold - estimate) / stderr), (estimate < threshold) / 1.0)",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "with no finite draw the bootstrap share is 0/0, NaN, and a NaN is never closer to 1/2: the Student-t probability is kept either way",
    (
        "closer = (count > 0) & (np.abs(bootstrap - 0.5) < np.abs(student - 0.5))",
        "closer = (count >= 0) & (np.abs(bootstrap - 0.5) < np.abs(student - 0.5))",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "the batch arrays are 2-d, (B, n) and (B, p): axis 1 is the last axis",
    (
        "n_runs, n_params = residuals.shape[-1], theta.shape[-1]",
        "n_runs, n_params = residuals.shape[+1], theta.shape[-1]",
    ),
    (
        "n_runs, n_params = residuals.shape[-1], theta.shape[-1]",
        "n_runs, n_params = residuals.shape[-1], theta.shape[+1]",
    ),
    (
        "sigma2 = (residuals**2).sum(axis=-1) / (n_runs - n_params)",
        "sigma2 = (residuals**2).sum(axis=+1) / (n_runs - n_params)",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "sends well-conditioned rows to the pseudo-inverse too, or keeps them at exactly 1e-8: the pseudo-inverse of a well-conditioned matrix is its inverse to rounding (1e-15), far inside every tolerance",
    (
        "error = np.abs(information @ inverse - identity).max(axis=(1, 2))",
        "error = np.abs(information @ inverse - identity).max(axis=None)",
    ),
    (
        "error = np.abs(information @ inverse - identity).max(axis=(1, 2))",
        "error = np.abs(information @ inverse + identity).max(axis=(1, 2))",
    ),
    (
        "bad = ~(error < 1e-8)  # singular or ill-conditioned: the pseudo-inverse",
        "bad = ~(error <= 1e-8)  # singular or ill-conditioned: the pseudo-inverse",
    ),
)
explain(
    "engine/uncertainty.py",
    ACCEPTED,
    "how far a solve may miss before the pseudo-inverse replaces it: between 1e-8 and 1 the two covariances of an ill-conditioned fit differ by about its own rounding (condition number times 1e-16), which a test cannot tell from numpy's; singular fits (an error of order 1 or NaN) are tested",
    (
        "bad = ~(error < 1e-8)  # singular or ill-conditioned: the pseudo-inverse",
        "bad = ~(error < 1.00000001)  # singular or ill-conditioned: the pseudo-inverse",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "hermitian only makes numpy use an eigendecomposition rather than an SVD of a symmetric matrix: the pseudo-inverse is the same to rounding",
    (
        "inverse[bad] = np.linalg.pinv(information[bad], hermitian=True)",
        "inverse[bad] = np.linalg.pinv(information[bad], hermitian=None)",
    ),
    (
        "inverse[bad] = np.linalg.pinv(information[bad], hermitian=True)",
        "inverse[bad] = np.linalg.pinv(information[bad], )",
    ),
    (
        "inverse[bad] = np.linalg.pinv(information[bad], hermitian=True)",
        "inverse[bad] = np.linalg.pinv(information[bad], hermitian=False)",
    ),
    (
        "inverse = np.linalg.pinv(jacobian.T @ jacobian, hermitian=True)",
        "inverse = np.linalg.pinv(jacobian.T @ jacobian, hermitian=None)",
    ),
    (
        "inverse = np.linalg.pinv(jacobian.T @ jacobian, hermitian=True)",
        "inverse = np.linalg.pinv(jacobian.T @ jacobian, )",
    ),
    (
        "inverse = np.linalg.pinv(jacobian.T @ jacobian, hermitian=True)",
        "inverse = np.linalg.pinv(jacobian.T @ jacobian, hermitian=False)",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "a leverage is a diagonal of a projection, at least 0: only rounding (1e-17) could fall below the floor, and sqrt(1 + 1e-17) is 1",
    (
        'leverage = np.clip(np.einsum("ip,pq,iq->i", jacobian, inverse, jacobian), 0.0, MAX_LEVERAGE)',
        'leverage = np.clip(np.einsum("ip,pq,iq->i", jacobian, inverse, jacobian), None, MAX_LEVERAGE)',
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "every caller passes the replicates' estimates and gradients together (both, or neither for the delta method)",
    (
        "elif boot_estimate is None or boot_gradient is None:  # the delta method (it has no replicates)",
        "elif boot_estimate is None and boot_gradient is None:  # the delta method (it has no replicates)",
    ),
    (
        "assert self.boot_covariance is not None and self.boot_sigma is not None",
        "assert self.boot_covariance is not None or self.boot_sigma is not None",
    ),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "numpy's integers(n) is integers(0, n), and draws the same numbers from the same stream",
    (
        "return np.asarray(self.pool[rng.integers(0, self.pool.size, size=size)], dtype=float)",
        "return np.asarray(self.pool[rng.integers(self.pool.size, size=size)], dtype=float)",
    ),
    (
        "return ResidualBootstrap(fitted, pool, rng.integers(0, log_y.size, size=(n_boot, log_y.size)))",
        "return ResidualBootstrap(fitted, pool, rng.integers(log_y.size, size=(n_boot, log_y.size)))",
    ),
)

# tasks/compare.py
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "range(i + 1) visits every unordered pair once too, as (i, j) with j < i, plus a sweep against itself (a zero difference, no crossing); below and above follow the sign of the difference, not the order",
    ("for j in range(i + 1, len(fitted)):", "for j in range(i + 1, ):"),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "at a sign change the difference before it is not 0, and a crossing computed exactly at the smaller sweep's largest run cannot be told from one just inside it",
    (
        "first_lower = difference[k] < 0  # sweep i lower before the crossing",
        "first_lower = difference[k] <= 0  # sweep i lower before the crossing",
    ),
    (
        "inside = compute <= min(fitted[i].result.data.compute_max, fitted[j].result.data.compute_max)",
        "inside = compute < min(fitted[i].result.data.compute_max, fitted[j].result.data.compute_max)",
    ),
)

# engine/capability.py
explain(
    "engine/capability.py",
    EQUIVALENT,
    "numpy reads any negative size in reshape as the one unknown dimension",
    (
        'boot = array("boot_theta").reshape(-1, len(state["theta"]))',
        'boot = array("boot_theta").reshape(-2, len(state["theta"]))',
    ),
    (
        "return np.asarray(padded[picked[:, :, None], offsets].reshape(n_boot, -1))",
        "return np.asarray(padded[picked[:, :, None], offsets].reshape(n_boot, -2))",
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "numpy's integers(n) is integers(0, n), and draws the same numbers from the same stream",
    ("return rng.integers(0, n_rows, size=(n_boot, n_rows))", "return rng.integers(n_rows, size=(n_boot, n_rows))"),
    (
        "picked = rng.integers(0, labels.size, size=(n_boot, labels.size))",
        "picked = rng.integers(labels.size, size=(n_boot, labels.size))",
    ),
    (
        "within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))",
        "within = rng.integers(1 << 30, size=(n_boot, labels.size, per_run))",
    ),
)
explain(
    "engine/capability.py",
    ACCEPTED,
    "the range of the integers a drawn run's row is taken from, modulo its size: any range far above the runs' sizes (here 2^30) draws the rows uniformly to within 1e-8; the draws differ, their distribution does not (tested against it)",
    (
        "within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))",
        "within = rng.integers(1, 1 << 30, size=(n_boot, labels.size, per_run))",
    ),
    (
        "within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))",
        "within = rng.integers(0, 2 << 30, size=(n_boot, labels.size, per_run))",
    ),
    (
        "within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))",
        "within = rng.integers(0, 1 << 31, size=(n_boot, labels.size, per_run))",
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "the padding of the runs' row table is never read: every offset is below its own run's size",
    ("padded = np.full((labels.size, sizes.max()), -1)", "padded = np.full((labels.size, sizes.max()), +1)"),
    ("padded = np.full((labels.size, sizes.max()), -1)", "padded = np.full((labels.size, sizes.max()), -2)"),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "at a standard normal of exactly 0 both scales give the estimate",
    (
        "return np.asarray(estimate + normal * np.where(normal < 0, below, above), dtype=float)",
        "return np.asarray(estimate + normal * np.where(normal <= 0, below, above), dtype=float)",
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "the predictions a flat task replaces are its task loss's, which never have a pass rate",
    (
        "return tuple(replace(p, estimate=mean, ci=ci, pi=pi, pass_rate=None) for p in predictions)",
        "return tuple(replace(p, estimate=mean, ci=ci, pi=pi, ) for p in predictions)",
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "a fresh stream's first two rows of standard normals are the same whether two or three rows are drawn",
    (
        "normal = np.asarray(rng.standard_normal((2, size)), dtype=float)",
        "normal = np.asarray(rng.standard_normal((3, size)), dtype=float)",
    ),
)
explain(
    "engine/capability.py",
    ACCEPTED,
    "which of two independent rows of standard normals draws the ci and which the pi: the same distributions, and the model's draws follow the ci's row either way",
    ("return normal[0], normal[1]", "return normal[1], normal[1]"),
)
explain(
    "engine/capability.py",
    ACCEPTED,
    "the sigmoid link, the one registered link, reports its parameters without a compute reference, so the reference passed is never read; a link with a compute-scaled parameter would need it",
    (
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 0.0)",
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), None)",
    ),
    (
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 0.0)",
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 1.0)",
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "the baseline's own entry is the only one left unfilled, and it is never read (its row reports no probability and no interval): NaN or None there changes nothing",
    (
        "p_better, delta_ci = np.full(n_sweeps, np.nan), np.full((n_sweeps, 2), np.nan)",
        "p_better, delta_ci = np.full(n_sweeps, None), np.full((n_sweeps, 2), np.nan)",
    ),
    (
        "p_better, delta_ci = np.full(n_sweeps, np.nan), np.full((n_sweeps, 2), np.nan)",
        "p_better, delta_ci = np.full(n_sweeps, np.nan), np.full((n_sweeps, 2), None)",
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "numpy reads any negative size in reshape as the one unknown dimension",
    (
        "return estimate, stderr, boot.reshape(len(items), -1), boot_se.reshape(len(items), -1)",
        "return estimate, stderr, boot.reshape(len(items), -2), boot_se.reshape(len(items), -1)",
    ),
    (
        "return estimate, stderr, boot.reshape(len(items), -1), boot_se.reshape(len(items), -1)",
        "return estimate, stderr, boot.reshape(len(items), -1), boot_se.reshape(len(items), -2)",
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "a seed sequence's first word is the same whether one or two words are generated",
    (
        "return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])",
        "return int(np.random.SeedSequence([seed, index]).generate_state(2)[0])",
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "the pending task is read only by the forked workers while the pool lives; once it is closed the value left behind is never read",
    ("_PENDING = None", '_PENDING = ""'),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "how many worker processes fit the chunks changes no answer: the forked fit is byte for byte the serial one (tested)",
    (
        "fits = [item for chunk in _fit_chunks(task, chunks, workers) for item in chunk]",
        "fits = [item for chunk in _fit_chunks(task, chunks, None) for item in chunk]",
    ),
)
explain(
    "tasks/compare.py",
    ACCEPTED,
    "a sweep that passes the distinct-compute check and then fails in its batched fit: no ladder the tests build fails there (the batched fit of a loss law on four or more distinct computes always returns), so the failure's message and its path through the workers are not exercised",
    (
        "return [[item if isinstance(item, str) else _Fitted(sweep, item) for (_, sweep), item in pair] for pair in pairs]",
        "return [[item if (isinstance(item, str)) and False else _Fitted(sweep, item) for (_, sweep), item in pair] for pair in pairs]",
    ),
    ("left_out.append(item)", "left_out.append(None)"),
    (
        'raise DataError(f"forecast compare needs at least 2 sweeps that can be fitted, got {len(ordered)}")',
        "raise DataError(None)",
    ),
)
explain(
    "tasks/compare.py",
    ACCEPTED,
    "the crossing policy at exactly ALL_PAIRS_LIMIT (20) usable sweeps: all pairs or the winners' only; the policy itself is tested on 25 sweeps, the boundary is not",
    (
        "task = (law, settings, absolute, paired, len(usable) <= ALL_PAIRS_LIMIT)",
        "task = (law, settings, absolute, paired, len(usable) < ALL_PAIRS_LIMIT)",
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "numpy 2 repeats by an integral float as by the integer: the replicates split evenly among the sweeps",
    (
        "boot_x = np.repeat(log_x, boot_theta.shape[0] // len(items), axis=0)",
        "boot_x = np.repeat(log_x, boot_theta.shape[0] / len(items), axis=0)",
    ),
)
explain(
    "tasks/compare.py",
    ACCEPTED,
    "the grid of 201 points rather than 200: the crossing moves by well under the grid's own interpolation error (2e-5 of log C, tested to 1e-4)",
    ("grid = np.geomspace(low, high, 200)", "grid = np.geomspace(low, high, 201)"),
)

# tasks/fit.py
explain(
    "tasks/fit.py",
    ACCEPTED,
    "a non-finite optimum: the batched fit with scipy's polish returns finite parameters and objective on every ladder that passes the design checks, so neither the guard's two halves nor its message are reached by a test",
    (
        "if not (np.isfinite(theta).all() and np.isfinite(best.objective[0])):",
        "if not (np.isfinite(theta).all() or np.isfinite(best.objective[0])):",
    ),
    (
        'raise FitError(f"{where.file}: the {name} law could not be fitted (non-finite optimum)")',
        "raise FitError(None)",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "a fitted curve exactly FLAT wide, or a slope exactly FLAT: thresholds no ladder meets to the last bit",
    ("if np.ptp(fitted) < FLAT:", "if np.ptp(fitted) <= FLAT:"),
    (
        "if slope > FLAT:  # the law can only fall: a rising metric comes out as a flat fit",
        "if slope >= FLAT:  # the law can only fall: a rising metric comes out as a flat fit",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "the guard for a single distinct compute: every law needs p + 1 >= 3 distinct computes (refused before the fit, tested), so the slope is always the least-squares one",
    (
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0",
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if (np.unique(compute).size > 1) and False else 0.0",
    ),
    (
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0",
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if (np.unique(compute).size > 1) or True else 0.0",
    ),
    (
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0",
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(None).size > 1 else 0.0",
    ),
    (
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0",
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size >= 1 else 0.0",
    ),
    (
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0",
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 2 else 0.0",
    ),
    (
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 0.0",
        "slope = float(np.polyfit(np.log(compute), log_y, 1)[0]) if np.unique(compute).size > 1 else 1.0",
    ),
)
explain(
    "tasks/fit.py",
    ACCEPTED,
    "the advice for a law fitted inside another (gpt4's pass-rate form on an accuracy): a falling accuracy under gpt4 is met by its trend branch first, and no test found a path that reaches this line",
    ("if where.law_name is None", "if (where.law_name is None) and False"),
    ("if where.law_name is None", "if where.law_name is not None"),
    (
        'else "accuracy that falls with scale has no law here; check"',
        'else "XXaccuracy that falls with scale has no law here; checkXX"',
    ),
    (
        'else "accuracy that falls with scale has no law here; check"',
        'else "ACCURACY THAT FALLS WITH SCALE HAS NO LAW HERE; CHECK"',
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "in_interval defaults to False, and None is as false where it is read",
    (
        "candidates.append(CandidateState(candidate.law, state, False))",
        "candidates.append(CandidateState(candidate.law, state, None))",
    ),
    (
        "candidates.append(CandidateState(candidate.law, state, False))",
        "candidates.append(CandidateState(candidate.law, state, ))",
    ),
)
explain(
    "tasks/fit.py",
    ACCEPTED,
    "which of several runs at one compute falls in which bin when they straddle a bin's edge: a stable or an unstable sort both depend on the input order for exact ties, and either is deterministic for the same input",
    ('order = np.argsort(compute, kind="stable")', "order = np.argsort(compute, kind=None)"),
    ('order = np.argsort(compute, kind="stable")', "order = np.argsort(compute, )"),
)

# tasks/capability.py
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "fit_accuracy_law passes the law it took from the registry by the settings' name, and fit_direct looks up the same name without it",
    ("return fit_direct(runs, settings, targets, law)", "return fit_direct(runs, settings, targets, None)"),
    ("return fit_direct(runs, settings, targets, law)", "return fit_direct(runs, settings, targets, )"),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "the order among runs at one compute: a direct law's fit is a sum over runs, and its points are drawn at the same compute either way",
    ('order = final[np.argsort(runs.x[final], kind="stable")]', "order = final[np.argsort(runs.x[final], kind=None)]"),
    ('order = final[np.argsort(runs.x[final], kind="stable")]', "order = final[np.argsort(runs.x[final], )]"),
)

# tasks/capability.py
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "step 1 (and the gpt4 form's fit of -log acc) is forecast again by the model at each target: the targets of its first fit are never read",
    ("targets,", ""),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "a rolling origin reads only step 1's estimates, which neither the interval method nor the misspecification widening changes (checked on 30 seeded ladders: identical to the last bit)",
    (
        'point = replace(settings, law=step1_law, method="delta", chance=None, misspecification="warn")',
        'point = replace(settings, law=step1_law, chance=None, misspecification="warn")',
    ),
    (
        'point = replace(settings, law=step1_law, method="delta", chance=None, misspecification="warn")',
        'point = replace(settings, law=step1_law, method="delta", chance=None, )',
    ),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "an origin holds 3 runs or more, so the list is never empty, and numpy makes a list of ints an integer array",
    (
        "rows = np.array([i for i, name in enumerate(runs.names) if name in names], dtype=np.intp)",
        "rows = np.array([i for i, name in enumerate(runs.names) if name in names], dtype=None)",
    ),
    (
        "rows = np.array([i for i, name in enumerate(runs.names) if name in names], dtype=np.intp)",
        "rows = np.array([i for i, name in enumerate(runs.names) if name in names], )",
    ),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "with no generator the link makes no replicates whatever n_boot asks (fit_link returns the estimate alone), and an origin reads only the estimate",
    (
        "link = fit_link(law.link(floor), runs.columns[rows, 0], runs.y[rows], 0, None)",
        "link = fit_link(law.link(floor), runs.columns[rows, 0], runs.y[rows], None, None)",
    ),
    (
        "link = fit_link(law.link(floor), runs.columns[rows, 0], runs.y[rows], 0, None)",
        "link = fit_link(law.link(floor), runs.columns[rows, 0], runs.y[rows], 1, None)",
    ),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "only the sigmoid, the one direct law floored at chance, has a warning in 'before' here: for the accuracy and gpt4 forms it is empty, so = and += agree",
    (
        "before += runs.warnings + _ladder_warnings(compute, law, errors.size)",
        "before = runs.warnings + _ladder_warnings(compute, law, errors.size)",
    ),
    (
        "before += runs.warnings  # every run the same: forecast as flat, no law to fit",
        "before = runs.warnings  # every run the same: forecast as flat, no law to fit",
    ),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "the model's forecast replaces the result's level, parameters, predictions and warnings before it is returned",
    ("warnings=(),", "warnings=None,"),
    ("level=settings.level,", "level=None,"),
    ("params=(),", "params=None,"),
    ("predictions=(),", "predictions=None,"),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "trend_warnings reads the law's name only to word the accuracy law's flat forecast; a two-step law is never that law",
    (
        "after = trend_warnings(trend, runs.y_column, law.name, given, final_accuracy)",
        "after = trend_warnings(trend, runs.y_column, None, given, final_accuracy)",
    ),
)
explain(
    "tasks/capability.py",
    EQUIVALENT,
    "fit_curve never reads a chance (the passrate law of -log acc has none)",
    ('replace(settings, law="passrate", chance=None),', 'replace(settings, law="passrate", ),'),
)

# tasks/compare.py
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "a positive scale of the sign changes no argmin, no order and no sign test",
    ('sign = 1.0 if law.sense == "lower" else -1.0', 'sign = 2.0 if law.sense == "lower" else -1.0'),
    ('sign = 1.0 if law.sense == "lower" else -1.0', 'sign = 1.0 if law.sense == "lower" else -2.0'),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "every model draws float64 arrays, which asarray returns unchanged with or without the dtype",
    (
        "draws = [np.asarray(model.draws(target), dtype=np.float64) for model in models]",
        "draws = [np.asarray(model.draws(target), dtype=None) for model in models]",
    ),
    (
        "draws = [np.asarray(model.draws(target), dtype=np.float64) for model in models]",
        "draws = [np.asarray(model.draws(target), ) for model in models]",
    ),
)
explain(
    "tasks/compare.py",
    ACCEPTED,
    "only the order of exactly equal estimates can change, and numpy's default sort keeps it for the sizes a comparison has; a tie of continuous estimates needs identical sweeps, whose order is the one given either way in the tests",
    ('order = np.argsort(sign * estimates, kind="stable")', "order = np.argsort(sign * estimates, kind=None)"),
    ('order = np.argsort(sign * estimates, kind="stable")', "order = np.argsort(sign * estimates, )"),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "signs are -1, 0 or 1: s/t and s*t agree in sign whenever t is not 0, and a difference of fitted curves exactly 0 at one grid point (not at its neighbour) has probability zero; identical sweeps give 0/0, not a crossing",
    (
        "for k in np.flatnonzero(np.sign(difference[:-1]) * np.sign(difference[1:]) < 0):",
        "for k in np.flatnonzero(np.sign(difference[:-1]) / np.sign(difference[1:]) < 0):",
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "when the fits share one formula, the first's and the second's are that formula",
    (
        "formula = fitted[0].result.formula if len(formulas) == 1 else _formula_of(law)",
        "formula = fitted[1].result.formula if len(formulas) == 1 else _formula_of(law)",
    ),
)

# tasks/fit.py
explain(
    "tasks/fit.py",
    ACCEPTED,
    "refine polishes only fits that did not converge, and no ladder a test can build leaves the batched fit unconverged",
    (
        "law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], objective=objective), objective=objective\n)",
        "law, log_x, log_y[None, :], fit_batch(law, log_x, log_y[None, :], objective=objective), )",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "runs are fitted in bins only when they number more than 48, so n - p is far above 2",
    (
        "run_sigma = math.sqrt(float(residuals @ residuals) / max(log_y.size - law.n_params, 1))",
        "run_sigma = math.sqrt(float(residuals @ residuals) / max(log_y.size - law.n_params, 2))",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "a fit's boot_noise and boot_sigma are both set (bootstrap) or both None (delta method)",
    (
        "if uncertainty.boot_noise is None or uncertainty.boot_sigma is None:",
        "if uncertainty.boot_noise is None and uncertainty.boot_sigma is None:",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "numpy's integers(n) is integers(0, n), the same draws",
    (
        "noise = (residuals - residuals.mean())[rng.integers(0, residuals.size, size=uncertainty.boot_noise.size)]",
        "noise = (residuals - residuals.mean())[rng.integers(residuals.size, size=uncertainty.boot_noise.size)]",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "array_split takes int() of its count of sections, and int(n / m) is n // m for positive n and m",
    (
        "return binned_runs(compute, y, compute.size // per_bin)",
        "return binned_runs(compute, y, compute.size / per_bin)",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "the bins' compute and loss arrays have the same size",
    (
        "points=None if points is None else int(points[0].size),",
        "points=None if points is None else int(points[1].size),",
    ),
)
explain(
    "tasks/fit.py",
    EQUIVALENT,
    "forecast() replaces the result's level, parameters, predictions and fit warnings before it is returned",
    ("warnings=warnings,", "warnings=None,"),
    ("level=settings.level,", "level=None,"),
    ("params=(),", "params=None,"),
    ("predictions=(),", "predictions=None,"),
)

# engine/uncertainty.py
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "the block runs numpy's quantiles alone, whose only warning is the RuntimeWarning of an all-NaN slice: ignoring every warning there ignores that one",
    ('warnings.simplefilter("ignore", RuntimeWarning)', 'warnings.simplefilter("ignore", )'),
    ('warnings.simplefilter("ignore", RuntimeWarning)', 'warnings.simplefilter("ignore", None)'),
)
explain(
    "engine/uncertainty.py",
    EQUIVALENT,
    "a start: the batched fit scans the law's own starts and reaches the same optimum without it, only slower",
    (
        "boot = fit_batch(law, boot_x, boot_log_y, objective=objective, warm_start=theta)",
        "boot = fit_batch(law, boot_x, boot_log_y, objective=objective, warm_start=None)",
    ),
    (
        "boot = fit_batch(law, boot_x, boot_log_y, objective=objective, warm_start=theta)",
        "boot = fit_batch(law, boot_x, boot_log_y, objective=objective, )",
    ),
)
explain(
    "engine/uncertainty.py",
    ACCEPTED,
    "the accuracy asked of the solved inverse before the pseudo-inverse replaces it: between 1e-8 and 1 only information matrices conditioned worse than about 1e8 differ, where no interval is meaningful and the identification warning fires",
    (
        "bad = ~(error < 1e-8)  # singular or ill-conditioned: the pseudo-inverse",
        "bad = ~(error < 1.00000001)  # singular or ill-conditioned: the pseudo-inverse",
    ),
)

# engine/capability.py
explain(
    "engine/capability.py",
    EQUIVALENT,
    "the default law name is only compared with 'accuracy' (whose flat forecast is worded apart); every caller passes the law",
    (
        'trend: str | None, column: str, law: str = "two-step", chance: float | None = None, accuracy: Array | None = None',
        'trend: str | None, column: str, law: str = "XXtwo-stepXX", chance: float | None = None, accuracy: Array | None = None',
    ),
    (
        'trend: str | None, column: str, law: str = "two-step", chance: float | None = None, accuracy: Array | None = None',
        'trend: str | None, column: str, law: str = "TWO-STEP", chance: float | None = None, accuracy: Array | None = None',
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "a link's parameters are reported as fitted: its reporting matrix and offset do not read the reference compute",
    (
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 0.0)",
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), None)",
    ),
    (
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 0.0)",
        "user = link.to_user(np.vstack([self.link.theta[None, :], self.link.boot_theta]), 1.0)",
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "a law of compute's design at a target is log C - log C_ref: it does not read theta",
    (
        "x = law.target_design(state.theta, np.log(np.array([target])), model.log_cref)",
        "x = law.target_design(None, np.log(np.array([target])), model.log_cref)",
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "step 1 forecasts a loss, whose predictions carry no pass rate: the field is None either way",
    ("pass_rate=None,\n)", ")"),
)
explain(
    "engine/capability.py",
    ACCEPTED,
    "the within-run offsets are uniform over 2^30 (or 2^31) values taken modulo a run's few rows: the same distribution to 1e-9, drawn as another stream",
    (
        "within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))",
        "within = rng.integers(1, 1 << 30, size=(n_boot, labels.size, per_run))",
    ),
    (
        "within = rng.integers(0, 1 << 30, size=(n_boot, labels.size, per_run))",
        "within = rng.integers(0, 2 << 30, size=(n_boot, labels.size, per_run))",
    ),
)
explain(
    "engine/capability.py",
    ACCEPTED,
    "the ci's and the pi's standard normals are two independent draws; one draw for both changes no interval's distribution (each is reported alone), only its stream",
    ("return normal[0], normal[1]", "return normal[1], normal[1]"),
)
explain(
    "engine/capability.py",
    ACCEPTED,
    "silences the overflow of a replicate whose midpoint runs off to 1e300 FLOP; no ladder a test builds has one",
    (
        'with np.errstate(over="ignore", invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP',
        'with np.errstate(over=None, invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP',
    ),
    (
        'with np.errstate(over="ignore", invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP',
        'with np.errstate(over="ignore", invalid=None):  # a replicate whose midpoint runs off to 1e300 FLOP',
    ),
    (
        'with np.errstate(over="ignore", invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP',
        'with np.errstate(invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP',
    ),
    (
        'with np.errstate(over="ignore", invalid="ignore"):  # a replicate whose midpoint runs off to 1e300 FLOP',
        'with np.errstate(over="ignore", ):  # a replicate whose midpoint runs off to 1e300 FLOP',
    ),
)
explain(
    "engine/capability.py",
    EQUIVALENT,
    "this warning is written only when every run scores the same accuracy, so the first run's and the second's are one number",
    (
        'f"every run scores {accuracy[0]:g} on {column}: the forecast is that value, with an interval of no width "',
        'f"every run scores {accuracy[1]:g} on {column}: the forecast is that value, with an interval of no width "',
    ),
)
explain(
    "tasks/capability.py",
    ACCEPTED,
    "without checkpoints every run is one row with its own name (the reader refuses a repeated name), so resampling runs is resampling rows: the same bootstrap, its rows drawn in another order",
    (
        "groups = np.array(runs.names) if runs.steps is not None else None",
        "groups = np.array(runs.names) if (runs.steps is not None) or True else None",
    ),
)
explain(
    "tasks/capability.py",
    ACCEPTED,
    "only each origin's point forecast is used, which the number of replicates does not change: the default count only makes the calibration slower",
    (
        'point = replace(point, method="bootstrap", n_boot=MIN_GRID_REPLICATES)',
        'point = replace(point, method="bootstrap", )',
    ),
)
explain(
    "tasks/compare.py",
    EQUIVALENT,
    "read only when every sweep's fit has the same formula, so the first sweep's and the second's are one string",
    (
        "formula = fitted[0].result.formula if len(formulas) == 1 else law.formula  # each sweep has its floor",
        "formula = fitted[1].result.formula if len(formulas) == 1 else law.formula  # each sweep has its floor",
    ),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "a budget equal to the largest run is a run at the repeat's compute, which the candidates keep once, as the repeat: the same candidates",
    ("if budget > high:", "if budget >= high:"),
)
explain(
    "tasks/plan.py",
    ACCEPTED,
    "a candidate between 0 and 1 FLOP is refused either way, as a target a million times below the runs, in another line",
    (
        "if any(not (math.isfinite(c) and c > 0) for c, _ in chosen):",
        "if any(not (math.isfinite(c) and c > 1) for c, _ in chosen):",
    ),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "None and False are both false: the shares are drawn as they are",
    (
        "drawn = np.clip(planned_draws(forecast, index, variates, level, log=False), edge, 1.0 - edge)",
        "drawn = np.clip(planned_draws(forecast, index, variates, level, log=None), edge, 1.0 - edge)",
    ),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "any names apart from the runs' own: planned runs are told apart by name, never read by it",
    (
        'names = tuple(f"planned {k + 1}" for k in range(compute.size))',
        'names = tuple(f"planned {k - 1}" for k in range(compute.size))',
    ),
    (
        'names = tuple(f"planned {k + 1}" for k in range(compute.size))',
        'names = tuple(f"planned {k + 2}" for k in range(compute.size))',
    ),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "at z = 0 either side's scale is multiplied by 0",
    ("curve = np.where(z0 < 0, ci_below, ci_above) * z0", "curve = np.where(z0 <= 0, ci_below, ci_above) * z0"),
    (
        "return np.asarray(centre + curve + np.where(zj < 0, new_below, new_above) * zj, dtype=float)",
        "return np.asarray(centre + curve + np.where(zj <= 0, new_below, new_above) * zj, dtype=float)",
    ),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "None and False are both false: no drift check in the refit",
    (
        "result = fit_curve(compute, y, ladder.settings, (target,), check_drift=False)  # only its pi is read",
        "result = fit_curve(compute, y, ladder.settings, (target,), check_drift=None)  # only its pi is read",
    ),
)
explain(
    "tasks/plan.py",
    ACCEPTED,
    "a chosen law whose pi at the run has no width: only a ladder without noise has one, and no test builds it",
    (
        "return float((max(estimates) - min(estimates)) / half) if half > 0 else math.inf",
        "return float((max(estimates) - min(estimates)) / half) if (half > 0) or True else math.inf",
    ),
    (
        "return float((max(estimates) - min(estimates)) / half) if half > 0 else math.inf",
        "return float((max(estimates) - min(estimates)) / half) if half >= 0 else math.inf",
    ),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "an exact tie of two expected widths (medians of refits of continuous draws) has probability zero",
    (
        "(w, cost[i], i) for i, w in singles.items() if cost[i] <= budget and math.isfinite(w) and w < width_now",
        "(w, cost[i], i) for i, w in singles.items() if cost[i] <= budget and math.isfinite(w) and w <= width_now",
    ),
    ("if math.isfinite(tried[key]) and tried[key] < width:", "if math.isfinite(tried[key]) and tried[key] <= width:"),
    ("if width < best[1]:", "if width <= best[1]:"),
    ("if width < best[1]:", "if width <= best[1]:"),
)
explain(
    "tasks/plan.py",
    ACCEPTED,
    "the empty set, whose expected width is the ladder refitted without a run: the exhaustive search is the benchmark's reference for sets of runs, and no test asks it to recommend none",
    ("for size in range(1, max_runs + 1):", "for size in range(max_runs + 1):"),
)
explain(
    "tasks/plan.py",
    ACCEPTED,
    "the greedy search goes on past a step that widens: the anchor rule then discards any set wider than the single run, so the mutant can only explore further, never recommend a wider set; the greedy result is checked against every set by the benchmark",
    ("if math.isfinite(tried[key]) and tried[key] < width:", "if math.isfinite(tried[key]) or tried[key] < width:"),
)
explain(
    "tasks/plan.py",
    EQUIVALENT,
    "an exact tie of a set's width plus its error with the anchor's width (medians of refits of continuous draws) has probability zero",
    (
        "if width + _error(expected(rows)) < anchored[1]:  # never a single run: the anchor is within one error of it",
        "if width + _error(expected(rows)) <= anchored[1]:  # never a single run: the anchor is within one error of it",
    ),
)
