"""One writer per format over the result protocol: a rich table for people, JSON, CSV or Markdown for scripts.

``render(result, fmt)`` writes any result; a new format is one writer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ..results import Table
from .report import report

FORMATS = ("table", "json", "csv", "markdown")


def json_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def _markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---" if i == 0 else "---:" for i in range(len(headers))]
    return ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"] + [
        "| " + " | ".join(row) + " |" for row in rows
    ]


def _console(color: bool, width: int) -> tuple[Any, io.StringIO]:
    """A rich console that renders into a string buffer."""
    from rich.console import Console

    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False), buffer


def _print_table(console: Any, table: Table) -> None:
    """A borderless table, preceded by a blank line: the first column, intervals and ``left`` flush left.

    Cells equal to ``table.emphasis`` are printed in bold red.
    """
    if console.no_color:
        plain = _plain_table(table, console.width)
        if plain is not None:  # rich lays out a table cell by cell: 5 s for 1,000 sweeps
            console.file.write("\n" + plain)
            return
    from rich.table import Table as RichTable
    from rich.text import Text

    printed = RichTable(title=table.title, title_justify="left", box=None, pad_edge=False)
    for i, header in enumerate(table.headers):
        flush_left = (i == 0 and table.left_first) or header in table.left or header.endswith(("CI", "PI"))
        printed.add_column(Text(header), justify="left" if flush_left else "right", no_wrap=True)
    for row in table.rows:
        printed.add_row(*(Text(cell, style="bold red" if cell == table.emphasis else "") for cell in row))
    console.print()
    console.print(printed)


def _plain_table(table: Table, width: int) -> str | None:
    """The table exactly as rich prints it without colour (borderless, two spaces between columns).

    ``None`` when rich would have to wrap or crop (the table or its title is wider than ``width``) or
    trim a cell (leading or trailing spaces).
    """
    from rich.cells import cell_len

    n_columns = len(table.headers)
    widths = [cell_len(h) for h in table.headers]
    for row in table.rows:
        widths = [max(w, cell_len(cell)) for w, cell in zip(widths, row, strict=True)]
    total = sum(widths) + 2 * (n_columns - 1)
    if total > width or (table.title and cell_len(table.title) > total):
        return None
    if any(cell != cell.strip() for row in [table.headers, *table.rows] for cell in row):
        return None  # rich trims such cells as it justifies them
    left = [
        (i == 0 and table.left_first) or header in table.left or header.endswith(("CI", "PI"))
        for i, header in enumerate(table.headers)
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell + " " * (w - cell_len(cell)) if flush else " " * (w - cell_len(cell)) + cell
            for cell, w, flush in zip(cells, widths, left, strict=True)
        ]
        return "  ".join(padded)

    lines = [] if not table.title else [table.title + " " * (total - cell_len(table.title))]
    lines += [line(table.headers), *(line(row) for row in table.rows)]
    return "\n".join(lines) + "\n"


#: At most this many warnings are printed; the rest are counted in one line (JSON and CSV keep all).
MAX_SHOWN_WARNINGS = 20


def shown_warnings(warnings: tuple[str, ...]) -> tuple[str, ...]:
    """The first :data:`MAX_SHOWN_WARNINGS` warnings, and one that counts the others, so a large
    comparison does not bury its table under thousands of lines."""
    if len(warnings) <= MAX_SHOWN_WARNINGS:
        return warnings
    hidden = len(warnings) - MAX_SHOWN_WARNINGS
    return (
        *warnings[:MAX_SHOWN_WARNINGS],
        f"and {hidden:,} more warning(s), not shown; every one is in --format json (and counts for --strict)",
    )


def _print_warnings(console: Any, warnings: tuple[str, ...]) -> None:
    from rich.text import Text

    for warning in shown_warnings(warnings):
        console.print(Text.assemble(("warning:", "yellow"), f" {warning}"), soft_wrap=True)


def write_table(result: Any, *, color: bool = False, width: int = 100) -> str:
    """A rich rendering for the terminal."""
    from rich.text import Text

    page = report(result)
    console, buffer = _console(color, width)
    console.print(Text(page.headline, style="bold"), soft_wrap=True)
    for note in page.notes:
        console.print(Text(note, style="dim"), soft_wrap=True)
    for table in page.tables:
        _print_table(console, table)
    if page.footer or page.verdict is not None or page.warnings:
        console.print()
    for line in page.footer:
        console.print(Text(line), soft_wrap=True)
    if page.verdict is not None:
        mark = "PASS" if page.passed else "FAIL"
        style = "bold green" if page.passed else "bold red"
        console.print(Text(f"{mark}: {page.verdict}", style=style), soft_wrap=True)
    _print_warnings(console, page.warnings)
    return buffer.getvalue()


def write_markdown(result: Any) -> str:
    """Markdown to paste into a pull request or issue."""
    page = report(result)
    if page.verdict is not None:
        lines = [f"**{'PASS' if page.passed else 'FAIL'}**: {page.verdict}", "", page.headline]
    else:
        lines = [f"**{page.headline}**"]
    lines += [line for note in page.notes for line in ("", f"_{note}_")]
    for table in page.tables:
        lines += ["", f"{table.title}:", "", *_markdown_table(table.headers, table.rows)]
    lines += [line for footer in page.footer for line in ("", f"{footer}.")]
    if page.warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in shown_warnings(page.warnings)]
    return "\n".join(lines) + "\n"


def write_csv(result: Any) -> str:
    """The result's records: one header row, then one row per record (numbers as Python reprs)."""
    header, rows = report(result).records
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def render(result: Any, fmt: str, *, color: bool = False, width: int = 100) -> str:
    """Any result in one of :data:`FORMATS`: one writer per format serves every result."""
    if fmt == "json":
        return json_text(result.to_dict())
    if fmt == "csv":
        return write_csv(result)
    if fmt == "markdown":
        return write_markdown(result)
    return write_table(result, color=color, width=width)
