"""Excel (XLSX) disclosures: each worksheet is one table.

Read with openpyxl in read-only mode with cached values (``data_only``), so formulas give
the numbers Excel last showed.  A sheet becomes one ``Table``:

* its **title** is the sheet's first non-empty row when that row holds a single cell
  (``一般公共预算支出预算表``), otherwise the sheet's name; caption rows that follow
  (``部门：… | 单位：万元``) go to ``Table.caption`` and one-cell ``注：`` rows at the
  bottom to ``Table.notes``;
* **numbers** are written back as text the way the cell's number format shows them
  (``683.7`` formatted ``0.00`` → ``683.70``, ``#,##0.00`` → ``1,234.50``), going
  through ``Decimal(str(value))`` so that binary floating point never leaks digits
  (``0.30000000000000004``); a ``General`` number is rounded to ten decimals;
* a **merged** range keeps its value in its top-left cell and ``''`` elsewhere, which is
  how XLSX stores it and how the other readers give merged cells;
* empty rows and columns are dropped.

A sheet holding nothing but one column of text lines, some of them sentences (a cover, a
说明 sheet with the narrative), is not a table: each line becomes a ``Paragraph``.

``Table.line`` is the sheet's ordinal among the sheets that hold a table; sheets have no
pages, so ``page`` is None.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from loaders.blocks import Block, Paragraph, Table
from loaders.normalise import parse_number
from loaders.readers import ReadError
from loaders.readers.pdf import (
    clean_cell,
    head_rows,
    is_caption_line,
    is_caption_row,
    tail_notes,
)

_DECIMALS = re.compile(r"0\.(0+)")


def read_xlsx(path: Path) -> list[Block]:
    """One Table per non-empty worksheet, in workbook order."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as e:
        raise ReadError(f"{path.name}: not a readable XLSX workbook ({e})") from e
    blocks: list[Block] = []
    tables = paragraphs = 0
    try:
        for ws in wb.worksheets:
            rows = [[cell_text(c) for c in row] for row in ws.iter_rows()]
            lines = text_lines(rows)
            if lines is not None:
                for text in lines:
                    paragraphs += 1
                    blocks.append(Paragraph(text=text, line=paragraphs))
                continue
            table = _sheet_table(ws.title, rows, tables + 1)
            if table is not None:
                tables += 1
                blocks.append(table)
    finally:
        wb.close()
    return blocks


_SENTENCE_END = ("。", "；", ";", "：", ":")


def text_lines(rows: list[list[str]]) -> list[str] | None:
    """The lines of a sheet of text (a cover or 说明 sheet), or None for a table.

    A sheet is text when all it holds is one column of lines, some of them sentences
    (ending in 。/；/： or longer than a table cell's label), and no amount.
    """
    filled = [[(k, c) for k, c in enumerate(r) if c] for r in rows]
    filled = [f for f in filled if f]
    if not filled or any(len(f) > 1 for f in filled) or len({f[0][0] for f in filled}) > 1:
        return None
    texts = [f[0][1] for f in filled]
    if any(parse_number(t) is not None for t in texts):
        return None
    if not any(t.endswith(_SENTENCE_END) or len(t) > 40 for t in texts):
        return None
    return texts


def _sheet_table(name: str, rows: list[list[str]], ordinal: int) -> Table | None:
    rows = [r for r in rows if any(r)]
    if not rows:
        return None
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [k for k in range(width) if any(r[k] for r in rows)]
    rows = [[r[k] for k in keep] for r in rows]
    title = name
    caption: list[str] = []
    first = [c for c in rows[0] if c]
    if len(first) == 1 and len(rows) > 1 and not is_caption_line(first[0]):
        title = first[0]
        rows = rows[1:]
    while rows and is_caption_row([c for c in rows[0] if c]):
        caption.append(" ".join(c for c in rows[0] if c))
        rows = rows[1:]
    used, grid_title, grid_caption = head_rows(rows)
    rows = rows[used:]
    rows, notes = tail_notes(rows)
    return Table(title=grid_title or title, rows=rows, line=ordinal,
                 caption=caption + grid_caption, notes=notes)


def cell_text(cell) -> str:
    """A cell's value as the sheet shows it (see the module docstring)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value, getattr(cell, "number_format", "General") or "General")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return clean_cell(str(value))


def format_number(value: int | float, number_format: str = "General") -> str:
    """``value`` as text under an Excel number format, without float artefacts."""
    number = Decimal(str(value))
    fmt = number_format.split(";")[0]
    percent = "%" in fmt
    if percent:
        number *= 100
    match = _DECIMALS.search(fmt)
    if match or (fmt != "General" and re.search(r"[0#]", fmt)):
        places = len(match.group(1)) if match else 0
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{number:,.{places}f}" if "," in fmt else f"{number:.{places}f}"
    else:
        number = number.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP).normalize()
        text = f"{number:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")
