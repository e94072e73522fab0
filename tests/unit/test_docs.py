"""The documentation (the README and the pages of the site in ``docs/``) documents every command, option, output
key and exit code, and its console examples print what they show; the docstrings' examples run."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaling_forecast.cli import app

from ..conftest import ROOT

README_TEXT = (ROOT / "README.md").read_text(encoding="utf-8")
#: Every page: the README, then the site's pages.
PAGES = {"README.md": README_TEXT} | {
    f"docs/{path.name}": path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))
}
README = "\n".join(PAGES.values())
#: Every module with a docstring example.
MODULES = sorted(
    ".".join(path.relative_to(ROOT / "src").with_suffix("").parts).removesuffix(".__init__")
    for path in (ROOT / "src").rglob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)


def _options(command: str) -> list[str]:
    text = CliRunner().invoke(app, [command, "--help"], terminal_width=200).stdout
    return sorted(set(re.findall(r"(--[a-z][a-z-]+)", text)) - {"--help"})


@pytest.mark.parametrize("command", ["fit", "check", "predict", "compare", "backtest", "optimal", "plan"])
def test_every_command_and_option_is_in_the_readme(command: str) -> None:
    assert f"forecast {command}" in README
    missing = [option for option in _options(command) if f"`{option}" not in README]
    assert not missing, f"README lacks {missing}"


def test_readme_starts_with_the_two_setup_commands_and_stays_short() -> None:
    head = README_TEXT[:400]
    assert len(README_TEXT.splitlines()) < 250
    assert "pip install . && forecast fit examples/runs.csv" in head
    assert "pip install '.[test]' && python -m pytest" in head


@pytest.mark.parametrize(
    "key", ["schema_version", "extrapolation_factor", "stderr", "converged", "warnings", "rmse", "pi", "ci"]
)
def test_json_keys_are_documented(key: str) -> None:
    assert f"`{key}`" in README or f'"{key}"' in README


def test_exit_codes_are_documented() -> None:
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in README


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_use_in_ci_commands_run_as_written(tmp_path: Path) -> None:
    """Each command of the README's "Use in CI" block, run by bash in a copy of the project."""
    forecast = Path(sys.executable).parent / "forecast"
    if not forecast.exists():
        pytest.skip("the forecast command is not installed next to this Python")
    block = PAGES["docs/ci.md"].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("  #")[0].strip() for line in block.strip().splitlines()]
    for folder in ("configs", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    env = {**os.environ, "PATH": f"{forecast.parent}{os.pathsep}{os.environ['PATH']}"}
    expected = [0, 0, 0, 0]  # the second command echoes its exit code, so bash exits 0
    for command, code in zip(commands, expected, strict=True):
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == code, (command, done.stderr)
    assert (
        "exit 1"
        in subprocess.run(["bash", "-c", commands[1]], cwd=tmp_path, env=env, capture_output=True, text=True).stdout
    )
    assert (tmp_path / "forecast.md").read_text().startswith("**PASS**")
    assert (tmp_path / "summary.md").read_text().startswith("**PASS**")
    document = json.loads((tmp_path / "forecast.json").read_text())  # the gate script's JSON artifact
    assert document["check"]["passed"] is True


def test_the_library_examples_run_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``python`` block of the README's Library section, executed from the project root."""
    blocks = re.findall(r"```python\n(.*?)```", PAGES["docs/library.md"], flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(ROOT)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def _console_examples() -> list[tuple[str, str]]:
    """Each ``$ forecast ...`` line of every page's console blocks with the output shown under it."""
    examples = []
    for text in PAGES.values():
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
            for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
                command, _, output = chunk.partition("\n")
                examples.append((command, output))
    return examples


def test_every_page_is_in_the_site_navigation() -> None:
    """A page left out of ``mkdocs.yml``'s nav is built but unreachable: every page is listed."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    missing = [name for name in PAGES if name.startswith("docs/") and name.removeprefix("docs/") not in nav]
    assert not missing, f"mkdocs.yml's nav lacks {missing}"


def _stripped(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.mark.parametrize(("command", "shown"), _console_examples(), ids=lambda value: value[:60])
def test_the_readme_console_examples_print_what_the_readme_shows(
    command: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every console example is rerun and must print exactly what the README shows (trailing spaces aside)."""
    args = command.split()
    assert args[0] == "forecast"
    if not shown.strip():
        pytest.skip("the README shows the command only")
    paths = [ROOT / a for a in args if "/" in a and not a.startswith("-")]
    if any(not p.exists() for p in paths):
        pytest.skip(f"{[str(p) for p in paths if not p.exists()]} not present")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, args[1:])
    assert _stripped(result.output) == _stripped(shown), f"README example out of date: {command}"
