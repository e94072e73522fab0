"""The exit-code contract under fuzzing: random bytes, tables, documents and options through the CLI in-process.

Property: the exit code is one of 0, 1, 2, 3 (4 is a bug, so it fails here too); no traceback; on stderr every
line is a ``warning:`` line except at most one (the error or the failed-gate verdict), and an error is exactly
one line; the input file is byte-for-byte untouched and nothing else is written. Python warnings are made
errors, so a numpy or pandas warning that would leak to stderr shows up as an internal error.

CI runs ``FUZZ_EXAMPLES`` (default 40) examples per test, derandomised; ``benchmarks/fuzz.py`` runs many more.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scaling_forecast.cli import app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("FUZZ_EXPLORE") is None,
    database=None,
)

#: Each command with the options it needs to get past its own parser.
COMMANDS: dict[str, list[str]] = {
    "fit": [],
    "check": ["-t", "1e24", "--max-loss", "3"],
    "backtest": [],
    "optimal": ["--budget", "1e23"],
    "compare": ["--by", "sweep"],
    "predict": ["-t", "1e24"],
}
COLUMNS = [
    "compute",
    "loss",
    "params",
    "tokens",
    "pass_rate",
    "problem",
    "run",
    "sweep",
    "step",
    "n",
    "k",
    "accuracy",
    "task_loss",
    "chance",
    "flops",
    "train/loss",
    "state",
    "",
    "x",
]
ODD = ["", "nan", "NaN", "inf", "-inf", "-1", "0", "1e400", "1e-400", "abc", '"', "1,2", "true", "null", "é", " 1e18 "]
VALUES = [
    "nan",
    "inf",
    "-1",
    "0",
    "1e400",
    "10x",
    "abc",
    "",
    "0.9",
    "3",
    "1e24",
    "100",
    "-5",
    "1e308x",
    "auto",
    "two-step",
    "accuracy",
    "0.25",
    "s0",
    "s1",
]
OPTIONS = [
    "--target",
    "--level",
    "--bootstrap",
    "--law",
    "--y",
    "--x",
    "--buckets",
    "--seed",
    "--format",
    "--drop-highest",
    "--min-compute",
    "--huber-delta",
    "--k",
    "--max-loss",
    "--max-rmse",
    "--holdout",
    "--budget",
    "--metric",
    "--zeros",
    "--method",
    "--loss-fn",
    "--misspecification",
    "--tolerance",
    "--input-format",
    "--exclude",
    "--baseline",
    "--sweep",
    "--chance",
    "--reach",
]

cells = st.one_of(
    st.sampled_from(ODD),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 10**25).map(str),
    st.text(max_size=6),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(-(10**20), 10**25), st.text(max_size=8)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from([*COLUMNS, "runs", "targets"]), inner, max_size=5)
    ),
    max_leaves=25,
)
options = st.lists(st.tuples(st.sampled_from(OPTIONS), st.sampled_from(VALUES)), max_size=3)
commands = st.sampled_from(sorted(COMMANDS))


def _check(tmp_path: Path, name: str, content: bytes, command: str, extra: list[tuple[str, str]]) -> None:
    """Run ``command`` on ``content`` saved as ``name`` and assert the contract."""
    folder = tmp_path / hashlib.sha256(content + name.encode() + command.encode()).hexdigest()[:16]
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    args = [command, str(path), *COMMANDS[command], *(item for pair in extra for item in pair)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = CliRunner().invoke(app, args)
    shown = f"forecast {' '.join(args)}\n{result.output}"
    assert result.exit_code in (0, 1, 2, 3), shown
    assert "Traceback" not in result.output, shown
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    others = [line for line in lines if not line.startswith("warning:")]
    assert len(others) <= 1, shown
    if result.exit_code in (2, 3):
        assert len(lines) == 1 and lines[0].startswith("error: "), shown
    assert path.read_bytes() == content, shown
    assert [p.name for p in folder.iterdir()] == [name], shown


@fuzz
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".json", ".yaml", ".jsonl", ".tsv", ".csv.gz"]))
def test_random_bytes(tmp_path_factory: object, content: bytes, suffix: str) -> None:
    tmp = _tmp(tmp_path_factory)
    for command in ("fit", "check", "predict"):
        _check(tmp, "runs" + suffix, content, command, [])


@fuzz
@given(
    header=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5),
    rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=12),
    command=commands,
    extra=options,
    gz=st.booleans(),
)
def test_random_tables(
    tmp_path_factory: object,
    header: list[str],
    rows: list[list[str]],
    command: str,
    extra: list[tuple[str, str]],
    gz: bool,
) -> None:
    text = "\n".join([",".join(header), *(",".join(row) for row in rows)]) + "\n"
    content = text.encode("utf-8", "surrogatepass")
    _check(
        _tmp(tmp_path_factory),
        "runs.csv.gz" if gz else "runs.csv",
        gzip.compress(content, mtime=0) if gz else content,
        command,
        extra,
    )


@fuzz
@given(document=documents, as_yaml=st.booleans(), command=commands, extra=options)
def test_random_documents(
    tmp_path_factory: object, document: object, as_yaml: bool, command: str, extra: list[tuple[str, str]]
) -> None:
    if as_yaml:
        content, name = yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass"), "runs.yaml"
    else:
        content, name = json.dumps(document).encode("utf-8", "surrogatepass"), "runs.json"
    _check(_tmp(tmp_path_factory), name, content, command, extra)


@fuzz
@given(
    n=st.one_of(st.integers(0, 9), st.integers(49, 120)),
    slope=st.floats(-0.5, 0.5),
    floor=st.floats(-1.0, 3.0),
    noise=st.floats(0.0, 0.5),
    bad_row=st.integers(0, 9),
    bad_cell=st.sampled_from([*ODD, "keep"]),
    command=commands,
    extra=options,
    seed=st.integers(0, 1000),
)
def test_plausible_ladders_with_one_odd_cell(
    tmp_path_factory: object,
    n: int,
    slope: float,
    floor: float,
    noise: float,
    bad_row: int,
    bad_cell: str,
    command: str,
    extra: list[tuple[str, str]],
    seed: int,
) -> None:
    """Ladders near what users bring (rising, flat, negative floors, noisy; some long enough to be fitted as
    points), one cell spoiled; 100 replicates."""
    rng = np.random.default_rng(seed)
    compute = np.geomspace(1e17, 1e21, n)
    loss = (50.0 * (compute / 1e17) ** slope + floor) * np.exp(rng.normal(0.0, noise, n))
    params = np.sqrt(compute / 120.0)
    rows = [
        [f"{c:.6g}", f"{v:.6g}", f"{p:.6g}", f"{20 * p:.6g}", f"s{i % 2}"]
        for i, (c, v, p) in enumerate(zip(compute, loss, params, strict=True))
    ]
    if rows and bad_cell != "keep":
        rows[bad_row % len(rows)][bad_row % 2] = bad_cell
    text = "\n".join(["compute,loss,params,tokens,sweep", *(",".join(row) for row in rows)]) + "\n"
    if not any(option == "--bootstrap" for option, _ in extra):
        extra = [*extra, ("--bootstrap", "100")] if command != "predict" else extra
    _check(_tmp(tmp_path_factory), "runs.csv", text.encode(), command, extra)


def _tmp(factory: object) -> Path:
    path: Path = factory.mktemp("fuzz")  # type: ignore[attr-defined]
    return path
