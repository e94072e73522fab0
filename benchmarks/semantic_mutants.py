"""The mutants mutmut cannot write: several tokens changed at once, in the uncertainty code's maths.

Run: ``python benchmarks/semantic_mutants.py [--only NAME] [--list]`` (on demand, about 8 minutes).

mutmut (``benchmarks/mutation.py``, ``[tool.mutmut]`` in ``pyproject.toml``) changes one token at a
time. These change an expression: a pivot's or a difference's sign reflected (``a - b`` to
``b - a``), a mean made a median, two arguments or band edges swapped, a term dropped from a sum, a
subject replaced by a constant or by its own output. Each is applied to one exact snippet of
``src/`` in a copy of the project, and the tests that own that code run with a time limit (golden
files left out: they catch change, not error). A mutant is killed only when a test fails (pytest's
exit code 1); an error collecting or importing the tests, or the time limit, is reported as such and
fails the run, so a mutant that breaks the code's syntax is not counted as caught.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    mutated: str
    tests: tuple[str, ...]


U, C, D, B, S, F, K, R, T = (
    "uncertainty.py",
    "compare.py",
    "drift.py",
    "backtest.py",
    "selection.py",
    "fitting.py",
    "capability.py",
    "reach.py",
    "trend.py",
)
UNC_TESTS = ("tests/unit/test_uncertainty.py", "tests/unit/test_procedure.py")
MUTATIONS = (
    Mutation(
        "bootstrap-t pivot reflected",
        U,
        "pivot, pivot_scale = (boot_centre - boot_estimate) / boot_stderr, stderr",
        "pivot, pivot_scale = (boot_estimate - boot_centre) / boot_stderr, stderr",
        UNC_TESTS,
    ),
    Mutation(
        "studentised draws reflected (p_better, p_best)",
        U,
        "draws = estimate + stderr * (estimate - boot_estimate) / boot_stderr",
        "draws = estimate + stderr * (boot_estimate - estimate) / boot_stderr",
        (*UNC_TESTS, "tests/unit/test_compare.py"),
    ),
    Mutation(
        "interval tail not halved",
        U,
        "    tail = (1.0 - level) / 2.0\n    with np.errstate",
        "    tail = 1.0 - level\n    with np.errstate",
        UNC_TESTS,
    ),
    Mutation(
        "probability keeps the farther of the two",
        U,
        "closer = (count > 0) & (np.abs(bootstrap - 0.5) < np.abs(student - 0.5))",
        "closer = (count > 0) & (np.abs(bootstrap - 0.5) > np.abs(student - 0.5))",
        UNC_TESTS,
    ),
    Mutation(
        "residual variance divides by n",
        U,
        "sigma2 = (residuals**2).sum(axis=-1) / (n_runs - n_params)",
        "sigma2 = (residuals**2).sum(axis=-1) / n_runs",
        UNC_TESTS,
    ),
    Mutation(
        "leverage adjustment dropped",
        U,
        "adjusted = residuals / np.sqrt(1.0 - leverage)",
        "adjusted = residuals",
        UNC_TESTS,
    ),
    Mutation(
        "bootstrap draws n - 1 runs",
        U,
        "rng.integers(0, log_y.size, size=(n_boot, log_y.size))",
        "rng.integers(0, log_y.size - 1, size=(n_boot, log_y.size))",
        (*UNC_TESTS, "tests/unit/test_chinchilla.py"),
    ),
    Mutation(
        "fit dof n + p",
        U,
        "dof = log_y.size - theta.size",
        "dof = log_y.size + theta.size",
        UNC_TESTS,
    ),
    Mutation(
        "pi without the new run's noise (delta floor)",
        U,
        "scale = np.sqrt(stderr**2 + self.sigma**2) if new_run else stderr",
        "scale = stderr",
        UNC_TESTS,
    ),
    Mutation(
        "pi without the new run's noise (replicates)",
        U,
        "boot_se2 = boot_se2 + self.boot_sigma[:, None] ** 2",
        "boot_se2 = boot_se2",
        UNC_TESTS,
    ),
    Mutation(
        "case-bootstrap stderr with ddof 0 (Chinchilla)",
        U,
        "stderr = np.nanstd(draws, axis=0, ddof=1)",
        "stderr = np.nanstd(draws, axis=0, ddof=0)",
        (*UNC_TESTS, "tests/unit/test_chinchilla.py"),
    ),
    Mutation(
        "compare dof n + p",
        C,
        "            n_runs - law.n_params,",
        "            n_runs + law.n_params,",
        ("tests/unit/test_compare.py",),
    ),
    Mutation(
        "compare delta se drops the baseline's",
        C,
        "delta_se = np.hypot(stderrs[cols], stderrs[base])",
        "delta_se = stderrs[cols]",
        ("tests/unit/test_compare.py",),
    ),
    Mutation(
        "case-bootstrap delta share reflected",
        C,
        "share = ((boot_delta < 0).sum(axis=0) + 0.5 * (boot_delta == 0).sum(axis=0)) / count",
        "share = ((boot_delta > 0).sum(axis=0) + 0.5 * (boot_delta == 0).sum(axis=0)) / count",
        ("tests/unit/test_compare.py", "tests/unit/test_chinchilla.py", "tests/cli/test_compare_cli.py"),
    ),
    Mutation(
        "drift statistic drops the variance inflation",
        D,
        "(sigma * np.sqrt(np.nansum(weight**2 * inflation, axis=1)))",
        "(sigma * np.sqrt(np.nansum(weight**2, axis=1)))",
        ("tests/unit/test_drift.py",),
    ),
    Mutation(
        "drift statistic drops the noise scale",
        D,
        "statistic = np.abs(total) / (sigma * np.sqrt(np.nansum(weight**2 * inflation, axis=1)))",
        "statistic = np.abs(total) / np.sqrt(np.nansum(weight**2 * inflation, axis=1))",
        ("tests/unit/test_drift.py",),
    ),
    Mutation(
        "widening adds the drift linearly, not in quadrature",
        "forecasting.py",
        "math.copysign(math.hypot(math.log(v) - centre, extra), math.log(v) - centre)",
        "math.copysign(abs(math.log(v) - centre) + extra, math.log(v) - centre)",
        ("tests/unit/test_drift.py",),
    ),
    Mutation(
        "drift windows not centred",
        D,
        "        centre = log_c[:k].mean()\n",
        "        centre = 0.0\n",
        ("tests/unit/test_drift.py",),
    ),
    Mutation(
        "drift p-value without the +1",
        D,
        "p_value = float((1 + (finite >= observed).sum()) / (1 + finite.size))",
        "p_value = float(((finite >= observed).sum()) / (finite.size))",
        ("tests/unit/test_drift.py",),
    ),
    Mutation(
        "backtest mean error as a median",
        B,
        "mean_are=float(errors.mean()),",
        "mean_are=float(np.median(errors)),",
        ("tests/unit/test_backtest.py", "tests/cli/test_backtest_cli.py"),
    ),
    Mutation(
        "Akaike weight exp(-d)",
        S,
        "relative = np.exp(-(scores - scores.min()) / 2.0)",
        "relative = np.exp(-(scores - scores.min()))",
        ("tests/unit/test_selection.py",),
    ),
    Mutation(
        "split normal sides swapped (two-step)",
        K,
        "estimate + normal * np.where(normal < 0, below, above)",
        "estimate + normal * np.where(normal < 0, above, below)",
        ("tests/unit/test_capability.py",),
    ),
    Mutation(
        "flat pi without the new run's variance",
        K,
        "pi = (max(mean - half * math.sqrt(1.0 + 1.0 / n), 0.0), min(mean + half * math.sqrt(1.0 + 1.0 / n), 1.0))",
        "pi = (max(mean - half * math.sqrt(1.0 / n), 0.0), min(mean + half * math.sqrt(1.0 / n), 1.0))",
        ("tests/unit/test_capability.py",),
    ),
    Mutation(
        "two-step pi without the step-2 scatter",
        K,
        "new_run = np.clip(new_run + self.link.noise, 0.0, 1.0)",
        "new_run = np.clip(new_run, 0.0, 1.0)",
        ("tests/unit/test_capability.py",),
    ),
    Mutation(
        "reach band edges swapped",
        R,
        "early, late = (low, high) if falling else (high, low)",
        "early, late = (high, low) if falling else (low, high)",
        ("tests/unit/test_reach.py",),
    ),
    Mutation(
        "trend t-test one-sided level",
        T,
        "critical = student_t_quantile(1.0 - TREND_ALPHA / 2.0, n - 2)",
        "critical = student_t_quantile(1.0 - TREND_ALPHA * 2.0, n - 2)",
        ("tests/unit/test_capability.py",),
    ),
)
CHINCHILLA = (
    Mutation(
        "chinchilla N_opt exponent alpha / (alpha + beta)",
        "chinchilla.py",
        "n_opt = g * (budget / 6.0) ** (beta / (alpha + beta))",
        "n_opt = g * (budget / 6.0) ** (alpha / (alpha + beta))",
        ("tests/unit/test_chinchilla.py",),
    ),
    Mutation(
        "chinchilla G ratio inverted",
        "chinchilla.py",
        "g = (alpha * a_coef / (beta * b_coef)) ** (1.0 / (alpha + beta))",
        "g = (beta * b_coef / (alpha * a_coef)) ** (1.0 / (alpha + beta))",
        ("tests/unit/test_chinchilla.py",),
    ),
    Mutation(
        "chinchilla allocation exponents swapped",
        "chinchilla.py",
        'return {"a": beta / (alpha + beta), "b": alpha / (alpha + beta)}',
        'return {"a": alpha / (alpha + beta), "b": beta / (alpha + beta)}',
        ("tests/unit/test_chinchilla.py",),
    ),
)
#: The subject replaced by a constant or by its own output: a test that still passes checks nothing.
CONSTANTS = (
    Mutation(
        "constant: bootstrap-t interval is the estimate",
        U,
        "    return np.column_stack([low, high])",
        "    return np.column_stack([estimate, estimate])",
        UNC_TESTS,
    ),
    Mutation(
        "constant: every probability is 1/2",
        U,
        "    return np.asarray(np.where(closer, bootstrap, student), dtype=float)",
        "    return np.full(np.shape(estimate), 0.5)",
        (*UNC_TESTS, "tests/unit/test_compare.py"),
    ),
    Mutation(
        "constant: P(best) uniform",
        C,
        "p_best = np.bincount(winners, minlength=len(fitted)) / max(int(usable.sum()), 1)",
        "p_best = np.full(len(fitted), 1.0 / len(fitted))",
        ("tests/unit/test_compare.py",),
    ),
    Mutation(
        "constant: Akaike weights uniform",
        S,
        "    return [float(w) for w in relative / relative.sum()]",
        "    return [1.0 / len(aicc)] * len(aicc)",
        ("tests/unit/test_selection.py",),
    ),
    Mutation(
        "constant: backtest coverage 0.9",
        B,
        "coverage=float(covered.mean()),",
        "coverage=0.9,",
        ("tests/unit/test_backtest.py", "tests/cli/test_backtest_cli.py"),
    ),
    Mutation(
        "constant: every trend improving",
        T,
        "    distinct = np.unique(x).size\n",
        '    return "improving"\n',
        ("tests/unit/test_capability.py",),
    ),
    Mutation(
        "own output: reach interval is the estimate",
        R,
        "reaches.append(Reach(value=value, compute=compute, ci=(lower, upper), status=status))",
        "reaches.append(Reach(value=value, compute=compute, ci=(compute, compute), status=status))",
        ("tests/unit/test_reach.py",),
    ),
    Mutation(
        "constant: drift p-value 0.5",
        D,
        "p_value = float((1 + (finite >= observed).sum()) / (1 + finite.size))",
        "p_value = 0.5",
        ("tests/unit/test_drift.py",),
    ),
)
CONSTANTS += (
    Mutation(
        "constant: pass@k is the raw share",
        "passrates.py",
        "    return np.asarray(np.where(certain, 1.0, -np.expm1(log_ratio)), dtype=float)",
        "    return np.asarray(c / n, dtype=float)",
        ("tests/unit/test_passrate.py",),
    ),
    Mutation(
        "constant: no crossing is ever found",
        C,
        "    return tuple(sorted(crossings, key=lambda c: (c.compute, c.below, c.above)))",
        "    return ()",
        ("tests/unit/test_compare.py",),
    ),
    Mutation(
        "constant: held-out error 1%",
        S,
        "            error = float(np.sqrt(np.mean(np.square(errors))))",
        "            error = 0.01",
        ("tests/unit/test_selection.py",),
    ),
    Mutation(
        "constant: Chinchilla's rule of 20 tokens per parameter",
        "chinchilla.py",
        "n_opt = g * (budget / 6.0) ** (beta / (alpha + beta))",
        "n_opt = g * 0.0 + np.sqrt(budget / 120.0)",
        ("tests/unit/test_chinchilla.py",),
    ),
    Mutation(
        "constant: two-step accuracy is the sigmoid's midpoint",
        K,
        "accuracy = float(link.log_predict(self.link.theta[None, :], np.array([p.estimate]))[0, 0])",
        "accuracy = float(link.log_predict(self.link.theta[None, :], self.link.theta[None, 1:2])[0, 0])",
        ("tests/unit/test_capability.py",),
    ),
)
MUTATIONS = MUTATIONS + CHINCHILLA + CONSTANTS
#: Survivors that cannot change an answer, and why.
EQUIVALENT: dict[str, str] = {}
#: Seconds a mutant's tests may run before it is reported as timed out (not as killed).
TIME_LIMIT = 600


def run(mutation: Mutation, workdir: Path) -> tuple[str, float, str]:
    """Apply ``mutation`` in a fresh copy of ``src`` and run its tests: the outcome, seconds, which test failed."""
    shutil.rmtree(workdir / "src", ignore_errors=True)
    shutil.copytree(ROOT / "src", workdir / "src")
    holders = [p for p in sorted((workdir / "src").rglob(mutation.file)) if mutation.original in p.read_text("utf-8")]
    if len(holders) != 1 or holders[0].read_text(encoding="utf-8").count(mutation.original) != 1:
        raise SystemExit(f"{mutation.name}: the snippet is not found exactly once in a file named {mutation.file}")
    target = holders[0]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace(mutation.original, mutation.mutated), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(workdir / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    tests = [str(workdir / t) for t in mutation.tests]
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--rootdir", str(workdir), *tests]
    try:
        completed = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, ""
    failed = [line for line in completed.stdout.splitlines() if line.startswith("FAILED")]
    which = failed[0].split(" - ")[0].split("::", 1)[-1] if failed else ""
    outcome = {0: "survived", 1: "killed"}.get(completed.returncode, f"error (pytest exit {completed.returncode})")
    return outcome, time.perf_counter() - start, which


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.only is None or args.only in m.name]
    if args.list:
        for m in chosen:
            print(f"{m.name}: {m.file}: {m.original.strip()!r} -> {m.mutated.strip()!r}")
        return 0
    killed = survived = equivalent = broken = 0
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for folder_name in ("tests", "examples", "benchmarks"):  # some tests run a benchmark at a small size
            shutil.copytree(ROOT / folder_name, workdir / folder_name)
        for name in ("pyproject.toml", "README.md", "mkdocs.yml", "configs", "docs"):
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, workdir / name)
            elif source.exists():
                shutil.copy(source, workdir / name)
        # tests look for the real data beside their own root: in the copy they skip (what ships must stand alone)
        for mutation in chosen:
            outcome, seconds, which = run(mutation, workdir)
            if outcome == "killed":
                killed += 1
                verdict = f"killed by {which}"
            elif outcome != "survived":
                broken += 1
                verdict = outcome.upper()
            elif mutation.name in EQUIVALENT:
                equivalent += 1
                verdict = f"survived, equivalent: {EQUIVALENT[mutation.name]}"
            else:
                survived += 1
                verdict = "SURVIVED"
            print(f"{mutation.name:48s} {seconds:6.1f} s  {verdict}", flush=True)
    scored = killed + survived
    rate = killed / scored if scored else 1.0
    print(
        f"{killed} killed, {survived} survived, {equivalent} equivalent, {broken} errors or timeouts; "
        f"kill rate {rate:.0%} of {scored}"
    )
    return 1 if survived or broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
