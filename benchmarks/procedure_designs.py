"""How the default procedure's interval was chosen: candidate designs for taking the law choice into the interval.

    python benchmarks/procedure_designs.py [--datasets 60] [--bootstrap 300] [--jobs 2]

On the well-specified truths of ``benchmarks/ladders.py`` (5, 8 or 12 runs; 2 or 4 decades; 0.5% or
2% noise) each ladder is fitted by ``--law auto`` and every design below builds a 90% ``ci`` at
10x, 100x and 1000x from the same fits. Per truth, the table gives the range of coverage over the
cells and the median half-width relative to the loss law's best possible (``x nested``, as in
``benchmarks/coverage.py``):

* ``chosen``: the chosen law's own bootstrap-t interval (the default before issue 12).
* ``bagged``: every replicate of a residual bootstrap of the loss law's fit (it nests the power
  law) reruns the choice; bootstrap-t pivot ``(q_gen - q*) / se*`` in the units of the law each
  replicate chose (Efron 2014's bagging of a selection, studentised).
* ``mixture``: the candidates' own bootstrap-t confidence distributions mixed with the shares of
  the bagged replicates that chose each law.
* ``loss``: the loss law's own interval, whatever was chosen.
* ``union``: the union of the chosen law's and the loss law's intervals.
* ``default``: the union, but from the power law's own lower end when it is chosen (what ships).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coverage import best_half_widths
from ladders import GENERATING_LAW, WELL_SPECIFIED, draw_ladder, true_loss

from scaling_forecast.engine.fitting import fit_batch
from scaling_forecast.engine.forecasting import curve_model
from scaling_forecast.engine.selection import CLEAR_MARGIN, SIMPLER_MARGIN
from scaling_forecast.engine.uncertainty import adjusted_residuals, delta_covariance, studentised_interval
from scaling_forecast.laws import Array, get_law
from scaling_forecast.settings import FitSettings, Target
from scaling_forecast.tasks.ladder import fit_law

FACTORS = np.array([10.0, 100.0, 1000.0])
ORDER = ("power", "loss", "broken")
DESIGNS = ("chosen", "bagged", "mixture", "loss", "union", "default")


def choose_batch(compute: Array, log_y: Array) -> tuple[Array, dict[str, Array]]:
    """The choice of ``--law auto`` for every row of ``log_y`` at once, and each law's fit to all runs."""
    n = compute.size
    log_c = np.log(compute)
    held = max(1, round(n / 4))
    below = compute < compute[n - held]
    feasible = [law for law in ORDER if np.unique(compute).size >= get_law(law).n_params + 1]
    holdable = [law for law in feasible if np.unique(compute[below]).size >= get_law(law).n_params + 1]
    errors, aicc, thetas = {}, {}, {}
    for name in feasible:
        law = get_law(name)
        k = law.n_params
        fit = fit_batch(law, log_c - log_c.mean(), log_y)
        thetas[name] = fit.theta
        aicc[name] = (
            n * np.log(np.maximum(2 * fit.objective, 1e-300) / n) + 2 * k + 2 * k * (k + 1) / max(n - k - 1, 1e-9)
        )
        if len(holdable) >= 2 and name in holdable:
            misses = []
            for j in range(n - held, n):
                window = compute < compute[j]
                centre = log_c[window].mean()
                part = fit_batch(law, log_c[window] - centre, log_y[:, window])
                misses.append(log_y[:, j] - law.log_predict(part.theta, np.array([log_c[j] - centre]))[:, 0])
            errors[name] = np.sqrt(np.mean(np.square(misses), axis=0))
    scored = [law for law in ORDER if law in errors]
    if len(scored) < 2:
        stacked = np.stack([aicc[law] for law in feasible])
        return np.array([ORDER.index(feasible[i]) for i in np.argmin(stacked, axis=0)]), thetas
    chosen = np.full(log_y.shape[0], ORDER.index(scored[0]))
    error, score = errors[scored[0]].copy(), aicc[scored[0]].copy()
    for name in scored[1:]:
        ratio = error / np.maximum(errors[name], 1e-300)
        swap = (ratio > CLEAR_MARGIN) | ((ratio > SIMPLER_MARGIN) & (aicc[name] < score))
        chosen = np.where(swap, ORDER.index(name), chosen)
        error, score = np.where(swap, errors[name], error), np.where(swap, aicc[name], score)
    return chosen, thetas


def designs(compute: Array, loss: Array, n_boot: int, seed: int) -> dict[str, Array]:
    """The ``(3, 2)`` log-space ``ci`` of each design at the three targets."""
    with np.errstate(divide="ignore"):  # a collapsed broken-law forecast has a ci starting at 0
        return _designs(compute, loss, n_boot, seed)


def _designs(compute: Array, loss: Array, n_boot: int, seed: int) -> dict[str, Array]:
    targets = compute[-1] * FACTORS
    result = fit_law(
        compute, np.asarray(loss), FitSettings(n_boot=n_boot, seed=seed), tuple(Target(t) for t in targets)
    )
    selection = result.law_selection
    assert selection is not None
    own = {c.law: np.log(np.array([p.ci for p in c.predictions])) for c in selection.candidates if c.in_interval}
    chosen = selection.chosen
    out = {
        "chosen": own[chosen],
        "loss": own.get("loss", own[chosen]),
        "default": np.log(np.array([p.ci for p in result.predictions])),
    }
    out["union"] = np.column_stack(
        [np.minimum(out["chosen"][:, 0], out["loss"][:, 0]), np.maximum(out["chosen"][:, 1], out["loss"][:, 1])]
    )
    # bagging: replicates of the loss law's fit, each rerunning the choice
    log_c = np.log(compute)
    log_x, log_y, log_t = log_c - log_c.mean(), np.log(loss), np.log(targets) - log_c.mean()
    generator = "loss" if "loss" in own else chosen
    law = get_law(generator)
    theta = fit_batch(law, log_x, log_y[None, :]).theta[0]
    fitted = law.log_predict(theta[None, :], log_x)[0]
    pool = adjusted_residuals(law, theta, log_x, log_y - fitted)
    rng = np.random.default_rng([seed, 7])
    replicates = fitted[None, :] + pool[rng.integers(0, pool.size, size=(n_boot, pool.size))]
    picks, thetas = choose_batch(compute, replicates)
    truth_q = law.log_predict(theta[None, :], log_t)[0]
    q_star, se_star = np.empty((n_boot, 3)), np.empty((n_boot, 3))
    for name, rows in thetas.items():
        candidate = get_law(name)
        covariance, _ = delta_covariance(candidate, rows, log_x, replicates - candidate.log_predict(rows, log_x))
        gradient = candidate.log_jacobian(rows, log_t)
        mine = picks == ORDER.index(name)
        q_star[mine] = candidate.log_predict(rows, log_t)[mine]
        se_star[mine] = np.sqrt(np.einsum("bmp,bpq,bmq->bm", gradient, covariance, gradient))[mine]
    chosen_law = get_law(chosen)
    state = curve_model(result).candidate(chosen)
    assert state is not None
    estimate = chosen_law.log_predict(state.theta[None, :], log_t)[0]
    gradient = chosen_law.log_jacobian(state.theta[None, :], log_t)[0]
    stderr = np.sqrt(np.einsum("mp,pq,mq->m", gradient, state.covariance, gradient))
    out["bagged"] = studentised_interval(
        estimate, stderr, np.broadcast_to(truth_q, q_star.shape), q_star, se_star, state.dof, 0.9
    )
    # the mixture of the candidates' confidence distributions, weighted by the bagged shares
    draws, weights = [], []
    for name in own:
        share = float(np.mean(picks == ORDER.index(name)))
        candidate_state = curve_model(result).candidate(name)
        assert candidate_state is not None and candidate_state.boot_theta is not None
        candidate = get_law(name)
        q = candidate.log_predict(candidate_state.theta[None, :], log_t)[0]
        boot = candidate.log_predict(candidate_state.boot_theta, log_t)
        draws.append(2 * q - boot)
        weights.append(np.full(boot.shape[0], share / boot.shape[0]))
    pooled, weight = np.concatenate(draws), np.concatenate(weights)
    mixture = []
    for j in range(3):
        order = np.argsort(pooled[:, j])
        cumulative = np.cumsum(weight[order]) / weight.sum()
        values = pooled[order, j]
        mixture.append(
            [values[np.searchsorted(cumulative, 0.05)], values[min(np.searchsorted(cumulative, 0.95), values.size - 1)]]
        )
    out["mixture"] = np.array(mixture)
    return out


def run_cell(job: tuple[str, int, float, float, int, int]) -> tuple[str, dict[str, tuple[Array, Array]]]:
    truth, runs, decades, noise, datasets, n_boot = job
    hits = {d: np.zeros(3) for d in DESIGNS}
    widths: dict[str, list[Array]] = {d: [] for d in DESIGNS}
    for i in range(datasets):
        rng = np.random.default_rng([WELL_SPECIFIED.index(truth), runs, int(decades), int(noise * 1000), i])
        compute, loss = draw_ladder(truth, runs, decades, noise, rng)
        log_truth = np.log(true_loss(truth, compute[-1] * FACTORS, compute[0]))
        for name, bounds in designs(compute, loss, n_boot, i).items():
            hits[name] += (bounds[:, 0] <= log_truth) & (log_truth <= bounds[:, 1])
            widths[name].append((bounds[:, 1] - bounds[:, 0]) / 2)
    law, params = GENERATING_LAW[truth]
    nested = best_half_widths(
        "loss", params if law == "loss" else (*params, 0.0), compute, compute[-1] * FACTORS, noise, 0.9
    )[0]
    return truth, {d: (hits[d] / datasets, np.median(widths[d], axis=0) / nested) for d in DESIGNS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=60)
    parser.add_argument("--bootstrap", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    jobs = [
        (truth, runs, decades, noise, options.datasets, options.bootstrap)
        for truth, runs, decades, noise in itertools.product(WELL_SPECIFIED, (5, 8, 12), (2.0, 4.0), (0.005, 0.02))
    ]
    collected: dict[str, dict[str, list[Array]]] = {}
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        for truth, cell in pool.map(run_cell, jobs):
            for design, (cover, width) in cell.items():
                collected.setdefault(truth, {}).setdefault(design, []).append(np.concatenate([cover, width]))
    print(
        f"{options.datasets} ladders per cell, 12 cells per truth, {options.bootstrap} replicates; 90% ci at 10x-1000x"
    )
    print("| design | " + " | ".join(f"{t}: covers (x nested)" for t in WELL_SPECIFIED) + " |")
    print("|---|" + "---|" * len(WELL_SPECIFIED))
    for design in DESIGNS:
        cells = []
        for truth in WELL_SPECIFIED:
            rows = np.array(collected[truth][design])
            cover, width = rows[:, :3], rows[:, 3:]
            cells.append(f"{cover.min():.2f} to {cover.max():.2f} ({np.median(width):.2f}x)")
        print(f"| {design} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
