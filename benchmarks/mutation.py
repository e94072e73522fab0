"""Mutation testing with mutmut: the per-module score of a full run, and the smoke that CI runs.

Run:

- ``mutmut run`` (the configuration is ``[tool.mutmut]`` in ``pyproject.toml``; about 2 hours on 2
  cores), then ``python benchmarks/mutation.py report`` for the score of every module of ``laws/``,
  ``engine/`` and ``tasks/`` and the list of survivors (``--markdown`` for the table in the docs);
- ``python benchmarks/mutation.py smoke`` (about 2 minutes; run by ``.ci/run``): every mutant of a
  fixed set of functions, one or more in each package, run by mutmut in a copy of the project against
  the tests that call them. It fails when one survives, so the score cannot fall there unseen.

mutmut changes one token at a time (an operator, a comparison, a constant, a keyword, an argument
dropped, a string) inside a function, and runs only the tests that call that function; a mutant is
killed when one of them fails. A mutant is switched on at run time, so it cannot break an import or
the collection of the tests: an error there is not counted as a kill. Mutants that cannot change any
answer are marked ``# pragma: no mutate`` in the code, with the reason beside them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutation_triage import EXPLAINED

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "src/scaling_forecast"
#: mutmut's exit codes, as its ``results`` command names them.
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 37: "type check"}
TIMEOUT = {36, -24, 24, 152, 255}
#: The smoke: mutant names (mutmut's ``module.x_function__mutmut_*``) and the test files that own them.
CALIBRATED, PASSRATES = "scaling_forecast.engine.calibrated", "scaling_forecast.engine.passrates"
SMOKE: dict[str, tuple[str, ...]] = {
    f"{CALIBRATED}.x_gpt4_line__mutmut_*": ("tests/unit/test_calibrated.py",),
    f"{CALIBRATED}.xǁCalibrationǁhalves__mutmut_*": ("tests/unit/test_calibrated.py",),
    f"{CALIBRATED}.xǁCalibratedModelǁparams__mutmut_*": ("tests/unit/test_calibrated.py",),
    f"{CALIBRATED}.xǁCalibratedModelǁdraws__mutmut_*": ("tests/unit/test_calibrated.py",),
    "scaling_forecast.engine.selection.x_akaike_weights__mutmut_*": ("tests/unit/test_selection.py",),
    f"{PASSRATES}.x_pass_at_k__mutmut_*": ("tests/unit/test_passrate.py",),
    f"{PASSRATES}.x_smoothed_pass_at_k__mutmut_*": ("tests/unit/test_passrate.py",),
    "scaling_forecast.laws.passrate.x*": ("tests/unit/test_passrate.py",),
    "scaling_forecast.tasks.backtest.x_summarise__mutmut_*": ("tests/unit/test_backtest.py",),
    f"{PASSRATES}.x_handle_zeros__mutmut_*": ("tests/unit/test_passrate.py",),
    f"{PASSRATES}.xǁPassRatesǁproblem_bootstrap__mutmut_*": ("tests/unit/test_passrate.py",),
    "scaling_forecast.tasks.fit.x_rate_inputs__mutmut_*": ("tests/unit/test_passrate.py",),
    "scaling_forecast.tasks.compare.x__percentile_delta__mutmut_*": ("tests/unit/test_compare.py",),
    "scaling_forecast.tasks.compare.x_require_best_failure__mutmut_*": ("tests/unit/test_compare.py",),
    "scaling_forecast.engine.trend.x_trend_verdict__mutmut_*": ("tests/unit/test_trend.py",),
    "scaling_forecast.engine.trend.x_trend_warning__mutmut_*": ("tests/unit/test_trend.py",),
    "scaling_forecast.engine.reliability.x_identification_warnings__mutmut_*": ("tests/unit/test_reliability.py",),
    "scaling_forecast.laws.base.x_solve_rows__mutmut_*": ("tests/unit/test_laws.py",),
}


#: The owner-file run (``owners``): each module of ``laws/``, ``engine/`` and ``tasks/`` against the test files that
#: own it, not the whole suite. A mutant killed here is killed by the suite, so each score is a lower bound on the
#: full run's, at a cost that fits a working day: a survivor reruns only its owners, not most of the suite.
LAW_TESTS = ("test_laws", "test_chinchilla", "test_fitting", "test_invariants", "test_selection")
TWO_STEP = ("test_capability", "test_calibrated")
#: Everything that fits a law of accuracy: the two-step tests, and the files, trends and checkpoints that reach it.
ACCURACY = (
    *TWO_STEP,
    "test_trend",
    "test_runs",
    "test_labels",
    "test_invariants",
    "cli/test_fit_cli",
    "cli/test_harnesses",
    "cli/test_new_law",
    "cli/test_matrices",
)
OWNERS: dict[str, tuple[str, ...]] = {
    "laws/registry.py": LAW_TESTS,
    "laws/base.py": LAW_TESTS,
    "laws/loss.py": LAW_TESTS,
    "laws/chinchilla.py": LAW_TESTS,
    "laws/accuracy.py": ("test_laws", *TWO_STEP),
    "laws/passrate.py": ("test_passrate",),
    "engine/fitting.py": ("test_fitting", "test_laws", "test_chinchilla"),
    "engine/selection.py": ("test_selection",),
    "engine/rolling.py": ("test_selection", "test_drift", "test_backtest"),
    "engine/drift.py": ("test_drift",),
    "engine/trend.py": ("test_trend", *TWO_STEP),
    "engine/reliability.py": ("test_labels", "test_drift", "test_reliability"),
    "engine/uncertainty.py": (
        "test_uncertainty",
        "test_invariants",
        "test_procedure",
        "test_chinchilla",
        "test_passrate",
    ),
    "engine/streams.py": ("test_uncertainty",),
    "engine/forecasting.py": (
        "test_procedure",
        "test_labels",
        "test_drift",
        "test_invariants",
        "test_uncertainty",
        "test_chinchilla",
    ),
    "engine/models.py": ("test_procedure", "test_labels", "test_drift"),
    "engine/reach.py": ("test_reach",),
    "engine/runs.py": ("test_runs", "test_compare", *TWO_STEP),
    "engine/capability.py": ACCURACY,
    "engine/calibrated.py": TWO_STEP,
    "engine/passrates.py": ("test_passrate",),
    "tasks/backtest.py": ("test_backtest", "cli/test_backtest_cli"),
    "tasks/capability.py": (*ACCURACY, "test_compare"),
    "tasks/check.py": ("test_labels", "cli/test_check_cli"),
    "tasks/compare.py": (
        "test_compare",
        "test_capability",
        "cli/test_compare_cli",
        "cli/test_matrices",
        "cli/test_new_option_errors",
        "cli/test_exit_contract",
        "cli/test_chinchilla_cli",
    ),
    "tasks/fit.py": (
        "test_library",
        "test_runs",
        "test_passrate",
        "test_labels",
        "test_drift",
        "test_trend",
        "test_selection",
        "test_chinchilla",
        "test_procedure",
        "test_uncertainty",
        "test_many_runs",
        "cli/test_fit_cli",
    ),
    "tasks/ladder.py": (
        "test_runs",
        "test_procedure",
        "test_labels",
        "test_chinchilla",
        "test_backtest",
        "test_passrate",
        "test_calibrated",
        "test_capability",
        "cli/test_fit_cli",
    ),
    "tasks/plan.py": ("test_plan",),
}
OWNED = ROOT / "benchmarks" / "results" / "mutation"


def owner_files(module: str) -> tuple[str, ...]:
    """The test files of :data:`OWNERS` for one module, as paths."""
    return tuple(f"tests/{name}.py" if "/" in name else f"tests/unit/{name}.py" for name in OWNERS[module])


def owned_pattern(module: str) -> str:
    return "scaling_forecast." + module.removesuffix(".py").removesuffix("/__init__").replace("/", ".") + ".x*"


def owners(modules: list[str], again: bool) -> int:
    """Run each module against its owners, one after another, each saved to :data:`OWNED` (skipped when saved)."""
    OWNED.mkdir(parents=True, exist_ok=True)
    failed = 0
    for module in modules or list(OWNERS):
        saved = OWNED / (module.replace("/", "-").removesuffix(".py") + ".json")
        if saved.exists() and not again:
            continue
        code = smoke({owned_pattern(module): owner_files(module)}, saved, module)
        failed += code > 1 or not saved.exists()
    return 1 if failed else 0


def survivors(modules: list[str], functions: list[str]) -> int:
    """Rerun each saved module's survivors against its owners, with every mutant of ``functions`` (patterns of
    functions whose code changed since the run, so whose mutants did), and lay the new statuses over the saved run.

    A mutant the saved run killed stays killed: tests are only added between runs, and a function whose code
    changed is named in ``functions`` and run whole.
    """
    failed = 0
    for module in modules:
        saved = OWNED / (module.replace("/", "-").removesuffix(".py") + ".json")
        document = json.loads(saved.read_text(encoding="utf-8"))
        prefix = owned_pattern(module).removesuffix("*")
        wild = [pattern for pattern in functions if pattern.startswith(prefix)]
        matches = [re.compile(p.replace(".", r"\.").replace("*", ".*")) for p in wild]
        old = document["statuses"]
        names = [k for k, s in old.items() if s in ("survived", "no tests", "not checked", "suspicious")]
        names = [k for k in names if not any(m.fullmatch(k) for m in matches)]
        with tempfile.TemporaryDirectory() as folder:
            later_path = Path(folder) / "later.json"
            code = smoke(dict.fromkeys([*names, *wild], owner_files(module)), later_path, f"{module} survivors")
            if not later_path.exists():
                failed += 1
                continue
            later = json.loads(later_path.read_text(encoding="utf-8"))
        for key in [k for k in old if any(m.fullmatch(k) for m in matches)]:
            del old[key]
        for key, status in later["statuses"].items():
            old[key] = status
            for part in ("changes", "diffs"):
                if key in later[part]:
                    document[part][key] = later[part][key]
                else:
                    document[part].pop(key, None)
        document.setdefault("rechecked", []).append(
            {"date": datetime.date.today().isoformat(), "mutants": len(later["statuses"]), "functions": wild}
        )
        saved.write_text(json.dumps(document, indent=1), encoding="utf-8")
        failed += code > 1
    return 1 if failed else 0


def owned_results() -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, str] | None]]:
    """``{module file: {mutant name: status}}`` and the survivors' changed lines, from the saved owner-file runs."""
    found: dict[str, dict[str, str]] = {}
    changes: dict[str, tuple[str, str] | None] = {}
    for module in OWNERS:
        saved = OWNED / (module.replace("/", "-").removesuffix(".py") + ".json")
        if saved.exists():
            document = json.loads(saved.read_text(encoding="utf-8"))
            found[module] = document["statuses"]
            changes.update({k: None if c is None else (c[0], c[1]) for k, c in document["changes"].items()})
            changes.update({k: change_in(d) for k, d in document["diffs"].items() if changes.get(k) is None})
    return found, changes


def status_of(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in TIMEOUT:
        return "timeout"
    return STATUS.get(code, "suspicious")


def results(root: Path) -> dict[str, dict[str, str]]:
    """``{module file: {mutant name: status}}`` from mutmut's files under ``root/mutants``."""
    found: dict[str, dict[str, str]] = {}
    for meta in sorted((root / "mutants").glob(f"{PACKAGE}/**/*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            name = str(meta.relative_to(root / "mutants" / PACKAGE)).removesuffix(".meta")
            found[name] = {key: status_of(code) for key, code in codes.items()}
    return found


#: Mutants equivalent by construction, recognised from their one changed line, and why each cannot change an answer.
EQUIVALENT_CLASSES = {
    "dtype": (
        "`dtype=float` made `None` or dropped: every array so converted is already float64 (numpy arithmetic on "
        "floats, or the floats of a saved JSON), and numpy promotes integers in each operation that follows"
    ),
    "strict": (
        "`zip(..., strict=True)` made lax: the sequences zipped have equal lengths by construction; `strict` only "
        "raises on a bug that would already fail other tests"
    ),
    "case": '`kind="stable"` made `"STABLE"`: numpy reads a sort kind in any case',
    "einsum": "einsum's subscripts upper-cased: any letters name the same contraction",
}


def equivalent_class(change: tuple[str, str] | None) -> str | None:
    """The class of :data:`EQUIVALENT_CLASSES` a one-line change belongs to, or ``None``."""
    if change is None:
        return None
    before, after = change
    if re.search(r'einsum\("[a-z,>-]+"', before) and after == re.sub(
        r'einsum\("([a-z,>-]+)"', lambda m: f'einsum("{m.group(1).upper()}"', before
    ):
        return "einsum"
    for name, keyword, mutated in (
        ("dtype", "dtype=float", ("dtype=None", "")),
        ("strict", "strict=True", ("strict=False", "strict=None", "")),
        ("case", 'kind="stable"', ('kind="STABLE"',)),
    ):
        at = [i for i in range(len(before)) if before.startswith(keyword, i)]
        if after in {before[:i] + m + before[i + len(keyword) :] for i in at for m in mutated}:
            return name
    return None


def explained(module: str, change: tuple[str, str] | None) -> tuple[str, str] | None:
    """The triage of a surviving mutant of :data:`EXPLAINED`, or ``None``."""
    return None if change is None else EXPLAINED.get((module, *change))


def diff_of(module: str, key: str, root: Path = ROOT) -> str:
    """mutmut's diff of one mutant."""
    os.chdir(root)
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # the mutmut of the `dev` extra

    return str(get_diff_for_mutant(key, path=Path(PACKAGE) / module))


def change_of(module: str, key: str, root: Path = ROOT) -> tuple[str, str] | None:
    """The lines a mutant changes, before and after (:func:`change_in`)."""
    return change_in(diff_of(module, key, root))


def change_in(diff: str) -> tuple[str, str] | None:
    """A diff's lines before and after, stripped (several joined by newlines); ``None`` when it changes none."""
    lines = diff.splitlines()
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    return ("\n".join(removed), "\n".join(added)) if removed or added else None


def score(statuses: dict[str, str]) -> tuple[Counter[str], float | None]:
    """Counts by status and the score: caught (killed or timed out) over caught and surviving non-equivalent."""
    counts = Counter(statuses.values())
    caught = counts["killed"] + counts["timeout"]
    tried = caught + counts["survived"]
    return counts, (caught / tried if tried else None)


def report(markdown: bool, diffs: bool, rechecks: list[Path], against: str, owned: bool = False) -> int:
    changes: dict[str, tuple[str, str] | None] = {}
    found = results(ROOT)
    if owned:
        found, changes = owned_results()
    for path in rechecks:
        recheck(found, path, changes)
    if not found:
        print("no mutmut results: run `mutmut run` first", file=sys.stderr)
        return 2
    for module, statuses in found.items():
        for key, status in statuses.items():
            if status == "survived":
                if key not in changes:
                    changes[key] = change_of(module, key)
                if equivalent_class(changes[key]) is not None:
                    statuses[key] = "equivalent"
            triaged = explained(module, changes.get(key)) if status in ("survived", "equivalent") else None
            if triaged is not None and triaged[0] == "equivalent":
                statuses[key] = "equivalent"
    head = ("module", "mutants", "killed", "timeout", "survived", "equivalent", "no tests", "not checked", "score")
    rows = []
    total: Counter[str] = Counter()
    for module, statuses in found.items():
        counts, rate = score(statuses)
        total.update(counts)
        rows.append((module, len(statuses), *(counts[k] for k in head[2:8]), "-" if rate is None else f"{rate:.1%}"))
    caught = total["killed"] + total["timeout"]
    tried = caught + total["survived"]
    rows.append(("all", sum(total.values()), *(total[k] for k in head[2:8]), f"{caught / max(tried, 1):.1%}"))
    classes = Counter(equivalent_class(c) for c in changes.values())
    survivors = [
        (key, changes[key], explained(module, changes.get(key)))
        for module, statuses in found.items()
        for key, s in statuses.items()
        if s == "survived"
    ]
    one_by_one = [
        (key, changes[key], triaged[1])
        for module, statuses in found.items()
        for key, s in statuses.items()
        if s == "equivalent" and (triaged := explained(module, changes.get(key))) is not None
    ]
    checked = sum(total.values()) - total["not checked"]
    if markdown:
        print("# Mutation results\n")
        print(
            f"Report of {datetime.date.today().isoformat()} (mutmut {version('mutmut')}{against}): {checked} of "
            f"{sum(total.values())} mutants checked, score {caught / max(tried, 1):.1%} (caught over caught and "
            "surviving, equivalents left out). Written by `python benchmarks/mutation.py report "
            f"{'--owners ' if owned else ''}--markdown`; how the "
            "run works is on [Mutation testing](mutation.md).\n"
        )
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" + "---:|" * (len(head) - 1))
        for row in rows:
            print("| " + " | ".join(str(x) for x in row) + " |")
        if owned:
            print("\n## The test files that own each module\n")
            print("Each module's mutants run against these files only (`OWNERS` in `benchmarks/mutation.py`).\n")
            print("| module | owner test files |\n|---|---|")
            for module in OWNERS:
                print(f"| {module} | {', '.join(f'`{name}`' for name in owner_files(module))} |")
        print("\n## Equivalent by construction\n")
        for name, reason in EQUIVALENT_CLASSES.items():
            print(f"- {classes[name]} **{name}**: {reason}")
        print(f"\n## Equivalent, one by one ({len(one_by_one)})\n")
        for key, change, reason in one_by_one:
            shown = "several lines" if change is None else f"`{change[0]}` → `{change[1]}`"
            print(f"- `{key.removeprefix('scaling_forecast.')}`: {shown}. {reason}")
        print(f"\n## Survivors ({len(survivors)})\n")
        print("Each with the line it changes (`mutmut show NAME` shows the whole function) and why no test kills it.\n")
        for key, change, triaged in survivors:
            shown = "several lines" if change is None else f"`{change[0]}` → `{change[1]}`"
            why = "" if triaged is None else f". {triaged[1]}"
            print(f"- `{key.removeprefix('scaling_forecast.')}`: {shown}{why}")
        return 0
    for row in (head, *rows):
        print(f"{row[0]:28s}" + "".join(f"{x!s:>12s}" for x in row[1:]))
    print("\nEquivalent by construction:")
    for name, reason in EQUIVALENT_CLASSES.items():
        print(f"- {classes[name]} {name}: {reason}")
    print(f"\n{len(survivors)} survivors (`mutmut show NAME` shows one):")
    for key, change, triaged in survivors:
        shown = "several lines" if change is None else f"`{change[0]}` => `{change[1]}`"
        why = "" if triaged is None else f" [{triaged[1]}]"
        print(f"- {key}" + (f": {shown}" if diffs else "") + why)
    return 0


def smoke(chosen: dict[str, tuple[str, ...]], save: Path | None = None, label: str = "mutation smoke") -> int:
    """Run mutmut on ``chosen`` (:data:`SMOKE`) in a copy of the project; 1 when a mutant survives or has no test.

    ``save``: a JSON file of the patterns and each mutant's status, which ``report --recheck`` lays over a full run.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("src", "tests", "examples", "configs", "benchmarks"):
            shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, copy / name)
        modules = sorted({".".join(pattern.split(".")[:-1]) for pattern in chosen})
        tests = sorted({test for owners in chosen.values() for test in owners})
        config = (copy / "pyproject.toml").read_text(encoding="utf-8")
        only = json.dumps([f"src/{module.replace('.', '/')}.py" for module in modules])
        config = re.sub(r"(?m)^only_mutate = .*$", f"only_mutate = {only}", config)
        selection = f"pytest_add_cli_args_test_selection = {json.dumps(tests)}"
        config = config.replace("[tool.mutmut]\n", f"[tool.mutmut]\n{selection}\n")
        (copy / "pyproject.toml").write_text(config, encoding="utf-8")
        env = {key: value for key, value in os.environ.items() if key != "SCALING_FORECAST_SHARED_DATA"}
        beside = Path(sys.executable).parent / "mutmut"
        mutmut = str(beside) if beside.exists() else shutil.which("mutmut")
        if mutmut is None:
            print(f"{label}: mutmut is not installed (pip install -e '.[dev]')", file=sys.stderr)
            return 2
        command = [mutmut, "run", "--max-children", str(os.cpu_count() or 2), *chosen]
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        found = results(copy)
        statuses = {
            key: status
            for module in found.values()
            for key, status in module.items()
            if any(re.fullmatch(pattern.replace(".", r"\.").replace("*", ".*"), key) for pattern in chosen)
        }
        if done.returncode != 0 or not statuses:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
            print(f"{label}: mutmut exited {done.returncode}", file=sys.stderr)
            return 1
        changes, diffs = {}, {}
        for key, status in statuses.items():
            module = next(m for m, found_here in found.items() if key in found_here)
            if status == "survived":
                diffs[key] = diff_of(module, key, copy)
                changes[key] = change_of(module, key, copy)
                triaged = explained(module, changes[key])
                if equivalent_class(changes[key]) is not None or (triaged is not None and triaged[0] == "equivalent"):
                    statuses[key] = "equivalent"
        os.chdir(ROOT)
    counts, _ = score(statuses)
    bad = sorted(key for key, status in statuses.items() if status not in ("killed", "timeout", "equivalent"))
    print(
        f"{label}: {len(statuses)} mutants of {len(chosen)} function sets, {counts['killed']} killed, "
        f"{counts['timeout']} timed out, {counts['equivalent']} equivalent by construction, {len(bad)} not caught "
        f"({time.perf_counter() - start:.0f} s)"
    )
    for key in bad:
        print(f"  {statuses[key]}: {key} (mutmut show {key})", file=sys.stderr)
    if save is not None:
        document = {"patterns": list(chosen), "statuses": statuses, "changes": changes, "diffs": diffs}
        save.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return 1 if bad else 0


def recheck(found: dict[str, dict[str, str]], path: Path, changes: dict[str, tuple[str, str] | None]) -> None:
    """Lay a later run of some mutants (``some --save``) over a full run's results, in place: a pattern with ``*``
    replaces every mutant of the full run it matches (the function's code changed since, so its mutants did),
    and an exact name takes its new status."""
    later = json.loads(path.read_text(encoding="utf-8"))
    wild = [re.compile(p.replace(".", r"\.").replace("*", ".*")) for p in later["patterns"] if "*" in p]
    for statuses in found.values():
        for key in [k for k in statuses if any(w.fullmatch(k) for w in wild)]:
            del statuses[key]
    for key, status in later["statuses"].items():
        module = key.split(".")[1:-1]
        statuses = found.setdefault("/".join(module) + ".py", {})
        statuses[key] = status
    for key, change in later.get("changes", {}).items():
        changes[key] = None if change is None else (change[0], change[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    shown = commands.add_parser("report", help="per-module scores of the last `mutmut run`")
    shown.add_argument("--markdown", action="store_true", help="the table as Markdown")
    shown.add_argument("--diffs", action="store_true", help="each survivor's changed lines")
    shown.add_argument("--recheck", type=Path, action="append", default=[], help="a `some --save` file laid over")
    shown.add_argument("--against", default="", help="what the run was made against, for the page")
    shown.add_argument("--owners", action="store_true", help="the saved owner-file runs, not the last `mutmut run`")
    commands.add_parser("smoke", help="the CI smoke: a fixed set of mutants, failing when one survives")
    some = commands.add_parser("some", help="the smoke's run on other mutants, against the tests named")
    some.add_argument("patterns", nargs="+", help="mutant names, with * (e.g. 'scaling_forecast.engine.trend.x_*')")
    some.add_argument("--tests", nargs="+", required=True, help="the test files that own them")
    some.add_argument("--save", type=Path, help="write each mutant's status to this JSON file")
    owned = commands.add_parser("owners", help="each module against the test files that own it, saved one by one")
    owned.add_argument("modules", nargs="*", help="module files such as engine/trend.py (default: all)")
    owned.add_argument("--again", action="store_true", help="rerun modules already saved")
    again = commands.add_parser("survivors", help="rerun saved modules' survivors, laid over their saved runs")
    again.add_argument("modules", nargs="+", help="module files such as engine/trend.py")
    again.add_argument("--function", action="append", default=[], help="a changed function's mutants, with *")
    args = parser.parse_args()
    if args.command == "report":
        return report(args.markdown, args.diffs, args.recheck, f", {args.against}" if args.against else "", args.owners)
    if args.command == "smoke":
        return smoke(SMOKE)
    if args.command == "owners":
        return owners(args.modules, args.again)
    if args.command == "survivors":
        return survivors(args.modules, args.function)
    return smoke(dict.fromkeys(args.patterns, tuple(args.tests)), args.save, "mutants")


if __name__ == "__main__":
    raise SystemExit(main())
