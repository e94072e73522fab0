"""Evaluation harness outputs as tables of runs: one model's results file is one run.

* EleutherAI lm-evaluation-harness: ``results_<date>.json`` (``results.<task>."<metric>,<filter>"``,
  ``config.model_num_parameters``, ``model_name``), or a folder of them (``<output_path>/<model>/``).
* bigcode-evaluation-harness: ``evaluation_results.json`` (``<task>: {"pass@1": ...}`` and ``config``).
* OpenAI human-eval: ``<model>_results.jsonl`` (``task_id`` and ``passed`` per sample), which gives each
  problem's ``n_samples`` and ``n_correct``, so pass@k is unbiased; lm-evaluation-harness's
  ``--log_samples`` output ``<model>/samples_<task>_<date>.jsonl`` (``doc_id`` and the metric per
  document) likewise, with the parameters from the ``results_*.json`` beside it.
* TensorBoard's scalar CSV download (``Wall time,Step,Value``): a folder of them, one file per run,
  each run's value its last step's.

Parameters come from the file where it has them; training tokens from one count for every model
(``--tokens N``) or a table of models (``--models FILE``: model, and params, tokens or compute).
An accuracy becomes an ``accuracy`` column (with the task's perplexity or bits per byte, when the
results hold one, as its ``task_loss`` for the two-step law), a pass@k a ``pass_rate`` column; a metric
where lower is better (bits per byte, perplexity) a column of its own name, fitted like a loss.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError

#: Metrics where higher is better and the value is a share in [0, 1]: accuracies (fitted by the accuracy laws)
#: and pass@k (fitted by the pass-rate law).
ACCURACIES = ("acc", "acc_norm", "exact_match", "mc1", "mc2", "em", "f1")
#: Metrics of the same task where lower is better that the two-step law reads as its task loss, and how:
#: the log of a perplexity (a mean negative log-likelihood), bits per byte as they are.
TASK_LOSSES = {
    "perplexity": "log",
    "ppl": "log",
    "word_perplexity": "log",
    "byte_perplexity": "log",
    "bits_per_byte": "as is",
}
#: How many task names an error line shows before it points to the way to list them all.
SHOWN_TASKS = 8
#: The metric chosen when none is named, first found first.
PREFERRED = ("pass@1", "acc", "acc_norm", "exact_match")


@dataclass(frozen=True)
class HarnessOptions:
    """Which task and metric to read, and where training tokens come from."""

    task: str | None = None
    metric: str | None = None
    tokens: float | None = None
    models: str | None = None


def harness_kind(document: Any) -> str | None:
    """``lm-eval`` or ``bigcode`` for a results document, else ``None``."""
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("results"), dict) and isinstance(document.get("config"), dict):
        return "lm-eval"
    tasks = [v for k, v in document.items() if k != "config" and isinstance(v, dict)]
    if isinstance(document.get("config"), dict) and tasks and all(any(m.startswith("pass@") for m in t) for t in tasks):
        return "bigcode"
    return None


def result_files(folder: Path) -> list[Path]:
    """The harness results files below ``folder``, in a fixed order."""
    patterns = ("results_*.json", "evaluation_results*.json", "*_results.jsonl", "samples_*.jsonl")
    found = {p for pattern in patterns for p in folder.rglob(pattern)}
    with_samples = {p.parent for p in found if p.name.startswith("samples_")}
    found = {p for p in found if not (p.name.startswith("results_") and p.parent in with_samples)}
    found |= {p for p in folder.glob("*.csv") if _is_scalar_csv(p)}
    if not found:  # lm-eval v0.3: one JSON per model, named as the user chose
        found = {p for p in folder.rglob("*.json") if _lm_eval_tasks(p) is not None}
    return sorted(found)


def _lm_eval_tasks(path: Path) -> set[str] | None:
    """The tasks of an lm-eval results file, or ``None`` for any other file."""
    if path.suffix.lower() != ".json":
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return set(document["results"]) if harness_kind(document) == "lm-eval" else None


def _is_scalar_csv(path: Path) -> bool:
    """A TensorBoard scalar download: its header is ``Wall time,Step,Value``."""
    try:
        with path.open(encoding="utf-8-sig") as stream:
            header = stream.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return [cell.strip().lower() for cell in header.split(",")] == ["wall time", "step", "value"]


def harness_records(
    path: Path, label: str, options: HarnessOptions, models: dict[str, dict[str, Any]] | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The runs of a results file, or of every results file in a folder: columns and one record per model.

    ``models`` is the ``--models`` table read (model name -> its params, tokens and compute).
    """
    files = result_files(path) if path.is_dir() else [path]
    if not files:
        raise DataError(
            f"{label}: is a folder with no harness results (results_*.json, evaluation_results.json, "
            "*_results.jsonl, or lm-eval v0.3 JSON with 'results' and 'config'); give the runs file inside it"
        )
    records: list[dict[str, Any]] = []
    others: set[str] = set()
    for file in files:
        tasks = _lm_eval_tasks(file) if options.task is not None and len(files) > 1 else None
        if tasks is not None and options.task not in tasks:  # another run of the harness, for other tasks
            others |= tasks
            continue
        records += _file_records(file, options)
    if not records and others:
        raise DataError(
            f"{label}: --task {options.task!r}: no results file holds it; they hold {', '.join(sorted(others))}"
        )
    seen: set[str] = set()
    for record in records:
        if record["run"] in seen and "problem" not in record:
            raise DataError(f"{label}: model {record['run']!r} appears in two results files; keep one per model")
        seen.add(record["run"])
    _add_compute(records, label, options, models or {})
    columns = list(dict.fromkeys(key for record in records for key in record))
    return columns, records


def _file_records(file: Path, options: HarnessOptions) -> list[dict[str, Any]]:
    label = str(file)
    text = file.read_text(encoding="utf-8-sig")
    if file.suffix.lower() == ".csv":
        return [_scalar(text, file, label)]
    if file.name.startswith("samples_"):
        return _lm_eval_samples(text, file, label, options)
    if file.suffix.lower() == ".jsonl":
        return _human_eval(text, file, label)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(f"{label}: line {error.lineno}: invalid JSON ({error.msg}); fix the syntax") from None
    kind = harness_kind(document)
    if kind == "lm-eval":
        return [_lm_eval(document, file, label, options)]
    if kind == "bigcode":
        return [_bigcode(document, file, label, options)]
    raise DataError(f"{label}: not an lm-evaluation-harness or bigcode-evaluation-harness results file")


def _choose(tasks: dict[str, dict[str, Any]], label: str, options: HarnessOptions) -> tuple[str, str, Any]:
    """The task, metric key and value the options ask for (defaults: the one task, its pass@1 or accuracy)."""
    if options.task is not None:
        if options.task not in tasks:
            listed = options.task == "?"
            intro = f"holds {len(tasks)} tasks:" if listed else f"--task {options.task!r}: no such task; tasks are"
            raise DataError(f"{label}: {intro} {', '.join(sorted(tasks))}")
        task = options.task
    elif len(tasks) == 1:
        task = next(iter(tasks))
    else:
        names = sorted(tasks)
        shown = ", ".join(names[:SHOWN_TASKS]) + (", ..." if len(names) > SHOWN_TASKS else "")
        raise DataError(
            f"{label}: holds {len(tasks)} tasks ({shown}); pick one with --task NAME (--task '?' lists them all)"
        )
    metrics = {k.split(",")[0]: k for k in tasks[task] if "stderr" not in k and k != "alias"}
    if options.metric is not None:
        options = HarnessOptions(options.task, options.metric.split(",")[0], options.tokens, options.models)
        if options.metric not in metrics:
            raise DataError(
                f"{label}: --metric {options.metric!r}: task {task!r} has {', '.join(sorted(metrics))}; pick one"
            )
        metric = options.metric
    else:
        found = [m for m in PREFERRED if m in metrics]
        if not found:
            raise DataError(
                f"{label}: task {task!r} has no pass@1 or accuracy ({', '.join(sorted(metrics))}); pick --metric NAME"
            )
        metric = found[0]
    return task, metric, tasks[task][metrics[metric]]


def _value_column(metric: str) -> str:
    """The column a metric is read into: ``accuracy``, ``pass_rate`` (pass@k), or its own name (lower is better)."""
    if metric.startswith("pass@"):
        return "pass_rate"
    return "accuracy" if metric in ACCURACIES else metric


def _task_loss(metrics: dict[str, Any], metric: str) -> dict[str, float]:
    """For an accuracy, the task's loss-like metric as a ``task_loss`` column, when the results hold one."""
    import math

    if _value_column(metric) != "accuracy":
        return {}
    for name, how in TASK_LOSSES.items():
        key = next((k for k in metrics if k.split(",")[0] == name), None)
        value = metrics.get(key) if key is not None else None
        if isinstance(value, (int, float)) and value > 0 and (how == "as is" or value > 1):
            return {"task_loss": math.log(value) if how == "log" else float(value)}
    return {}


def _lm_eval(document: dict[str, Any], file: Path, label: str, options: HarnessOptions) -> dict[str, Any]:
    """One model's results: v0.4's ``results_<date>.json`` in ``<output_path>/<model_name_sanitized>/`` (names:
    ``model_name``, ``model_name_sanitized``, ``pretrained=`` of ``config.model_args``, the folder), or a v0.3
    output named as the user chose (names: ``pretrained=``, the file's stem)."""
    config = document["config"]
    pretrained = _pretrained(config.get("model_args"))
    v3 = not file.name.startswith("results_")
    names = [document.get("model_name"), document.get("model_name_sanitized"), pretrained]
    names += [file.stem] if v3 else [file.parent.name]
    known = tuple(dict.fromkeys(str(n) for n in names if n))
    name = file.stem if v3 else known[0]
    task, metric, value = _choose(document["results"], label, options)
    record: dict[str, Any] = {"run": name, "benchmark": task, "metric": metric, _value_column(metric): value}
    record[NAMES] = known
    record.update(_task_loss(document["results"][task], metric))
    params = config.get("model_num_parameters")
    if isinstance(params, (int, float)) and params > 0:
        record["params"] = params
    return record


def _pretrained(model_args: Any) -> str | None:
    """``pretrained=EleutherAI/pythia-160m,revision=...`` -> ``EleutherAI/pythia-160m``."""
    if isinstance(model_args, dict):
        return str(model_args.get("pretrained")) if model_args.get("pretrained") else None
    for part in str(model_args or "").split(","):
        key, _, value = part.partition("=")
        if key.strip() == "pretrained" and value.strip():
            return value.strip()
    return None


def _bigcode(document: dict[str, Any], file: Path, label: str, options: HarnessOptions) -> dict[str, Any]:
    config = document["config"]
    tasks = {k: v for k, v in document.items() if k != "config" and isinstance(v, dict)}
    task, metric, value = _choose(tasks, label, options)
    name = str(config.get("model") or file.parent.name)
    return {"run": name, "benchmark": task, "metric": metric, _value_column(metric): value}


def json_lines(text: str, label: str) -> list[tuple[int, Any]]:
    """Each non-empty line's JSON value, with its line number; a bad line is a DataError naming it."""
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise DataError(
                f"{label}: line {number}, column {error.colno}: invalid JSON ({error.msg}); one JSON object per line"
            ) from None
    return values


def _human_eval(text: str, file: Path, label: str) -> list[dict[str, Any]]:
    """Per problem, the samples and the correct ones of one model (the file's name less ``_results``)."""
    counts: dict[str, list[int]] = {}
    for number, sample in json_lines(text, label):
        if not isinstance(sample, dict) or "task_id" not in sample or "passed" not in sample:
            raise DataError(f"{label}: line {number}: a human-eval result needs 'task_id' and 'passed'")
        tally = counts.setdefault(str(sample["task_id"]), [0, 0])
        tally[0] += 1
        tally[1] += bool(sample["passed"])
    name = human_eval_model(file.name)
    return [{"run": name, "problem": task, "n_samples": n, "n_correct": k} for task, (n, k) in counts.items()]


def human_eval_model(file_name: str) -> str:
    """The model a human-eval results file is of: ``evaluate_functional_correctness X`` writes
    ``X_results.jsonl``, so ``pythia-160m_samples.jsonl_results.jsonl``, ``pythia-160m.jsonl_results.jsonl`` and
    ``pythia-160m_results.jsonl`` are all ``pythia-160m`` (``samples_`` before or ``_samples``/``-samples`` after
    the name are the samples file's own)."""
    name = file_name.removesuffix(".jsonl").removesuffix("_results").removesuffix(".jsonl")
    for suffix in ("_samples", "-samples", ".samples"):
        name = name.removesuffix(suffix)
    return name.removeprefix("samples_") or file_name


def _scalar(text: str, file: Path, label: str) -> dict[str, Any]:
    """A run's last logged value: TensorBoard's ``run-<name>-tag-<tag>.csv`` names the run."""
    import csv
    import io

    rows = [row for row in csv.reader(io.StringIO(text)) if row][1:]
    if not rows:
        raise DataError(f"{label}: no logged values under the header Wall time,Step,Value")
    try:
        step, value = max((float(row[1]), float(row[2])) for row in rows)
    except (ValueError, IndexError):
        raise DataError(f"{label}: Step and Value must be numbers in every row") from None
    name = file.stem.removeprefix("run-").split("-tag-")[0] or file.stem
    return {"run": name, "step": step, "value": value}


def _lm_eval_samples(text: str, file: Path, label: str, options: HarnessOptions) -> list[dict[str, Any]]:
    """Per document, the samples and the correct ones of one model (the folder's name), from ``--log_samples``."""
    task = file.name.removeprefix("samples_").rsplit("_", 1)[0]
    if options.task is not None and options.task != task:
        return []
    metric = options.metric
    counts: dict[str, list[float]] = {}
    for number, sample in json_lines(text, label):
        if not isinstance(sample, dict):
            raise DataError(f"{label}: line {number}: expected one JSON object per document")
        if metric is None:
            metric = next((m for m in PREFERRED if m in sample), None)
            if metric is None:
                raise DataError(f"{label}: line {number}: no pass@1 or accuracy per document; pick --metric NAME")
        value = sample.get(metric)
        if value not in (0, 1, True, False):
            raise DataError(
                f"{label}: line {number}: {metric} is {value!r}, not 0 or 1 per sample; "
                "read the results_*.json file instead"
            )
        tally = counts.setdefault(f"{task}/{sample.get('doc_id', number)}", [0, 0])
        tally[0] += 1
        tally[1] += float(value)
    name = file.parent.name
    params = _sibling_params(file)
    extra = {} if params is None else {"params": params}
    return [
        {"run": name, **extra, "problem": doc, "n_samples": n, "n_correct": int(k)} for doc, (n, k) in counts.items()
    ]


def _sibling_params(file: Path) -> float | None:
    """``config.model_num_parameters`` from a ``results_*.json`` in the same folder, if there is one."""
    for results in sorted(file.parent.glob("results_*.json")):
        try:
            params = json.loads(results.read_text(encoding="utf-8-sig"))["config"]["model_num_parameters"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(params, (int, float)) and params > 0:
            return float(params)
    return None


#: A record's key for every name its model goes by (removed before the records become a table).
NAMES = "__names__"


def _lookup(table: dict[str, dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any] | None:
    """The ``--models`` row of a model, by any of its names: as given, with ``__`` read as ``/`` (lm-eval's
    sanitised folder names) or ``/`` as ``__``, or the part after the organisation (``EleutherAI/pythia-160m``
    is ``pythia-160m``)."""
    for name in names:
        for variant in (name, name.replace("__", "/"), name.replace("/", "__"), name.replace("__", "/").split("/")[-1]):
            if variant in table:
                return table[variant]
    return None


def _add_compute(
    records: Iterable[dict[str, Any]], label: str, options: HarnessOptions, table: dict[str, dict[str, Any]]
) -> None:
    """Training tokens (and params, compute) for each model, from ``--tokens N`` or the ``--models`` table."""
    for record in records:
        known = _lookup(table, record.pop(NAMES, (str(record["run"]),)))
        if known is not None:
            record.update({k: v for k, v in known.items() if v is not None})
        elif options.models:
            raise DataError(
                f"{label}: model {record['run']!r} is not in {options.models}; add a row for it "
                f"(models are {', '.join(sorted(table))})"
            )
        if options.tokens is not None and "tokens" not in record:
            record["tokens"] = options.tokens
        if "compute" not in record and "tokens" in record and "params" not in record:
            raise DataError(
                f"{label}: model {record['run']!r}: no parameter count in its results (lm-eval v0.3 outputs, and "
                "human-eval's, carry none), so no compute; give --models FILE (model, params, and tokens or compute)"
            )
        if "compute" not in record and ("params" not in record or "tokens" not in record):
            missing = "training tokens" if "params" in record else "parameters and tokens"
            raise DataError(
                f"{label}: model {record['run']!r}: no {missing}, so no compute; give --tokens N (one count for "
                "every model, e.g. 3e11) or --models FILE (model, params, tokens or compute)"
            )
