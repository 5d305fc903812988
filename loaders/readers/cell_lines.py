"""Text exported from a DOCX one table cell per line.

Word documents converted to plain text keep the table structure in a simple way: every
cell is one line starting with a TAB, the cells of a row follow each other and a blank
line ends the row.  A table's title is the text line printed just above its first row
(often carrying a ``[bookmark: _Toc…]`` marker); the first row(s) of a standard budget
table are its caption (``434涞源县人民政府办公室 | 预算年度：2024 | 单位：万元``)::

    [bookmark: _Toc_2_2_0000000002]部门预算收入总表   <- title
    <TAB>434涞源县人民政府办公室                       <- caption row
    <TAB>预算年度：2024
    <TAB>单位：万元
                                                       <- blank: end of row
    <TAB>序号                                          <- header row (merged cells
    <TAB>功能分类科目                                     print once)
    …
    <TAB>栏次                                          <- column numbers (dropped)
    …
    <TAB>1                                             <- body row
    <TAB>                                              <- an empty cell: TAB alone
    <TAB>合计
    <TAB>1486.83

``page number`` lines are page footers.  Text lines that are not a title become
``Paragraph`` blocks (``heading=True`` for bookmarked section titles and numbered
headings); ``注：`` lines right after a table are its notes.

Grids are made rectangular: a header cell that spans several columns prints once, so a
header row narrower than the body is widened by matching it against the row below it
(see ``_spread``), the spanning text repeated in each column it covers.  Form-like tables
(the project 绩效目标表: key/value rows of varying width followed by the indicator grid)
are kept row by row as printed, since they have no single width.  A table printed without
a title after a page footer continues the table before it; its repeated caption and
header rows are dropped.  Cell text loses bookmark markers and the layout spaces Word
pads between CJK characters (``项  目`` → ``项目``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.blocks import Block, Paragraph, Table
from loaders.readers import text_shape

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_PAGE_FOOTER = re.compile(r"^\s*page\s+number\s*$", re.IGNORECASE)
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# Cells of a caption row: the unit code glued to its name, 预算年度：, 单位：, 截止时间：.
_CAPTION_CELL = re.compile(
    r"^(?:\d{2,12}\s*[-－]?\s*[\u4e00-\u9fff].{0,40}"
    r"|.{0,8}(?:单位|年度|时间|日期|部门|编制|年份)\s*[:：].{0,30}"
    r"|[（(]?\s*20\d\d\s*年(?:度)?\s*[）)]?)$")
_NOTE = re.compile(r"^(?:注|说明|备注)\s*\d*\s*[:：]")
_NUMBERED_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
_MAX_TITLE = 60
_MAX_HEADING = 40


def clean_cell(text: str) -> str:
    """A cell as a string: bookmarks removed, Word's padding between CJK characters dropped."""
    t = _CJK_GAP.sub("", _BOOKMARK.sub("", text).strip())
    return _SPACES.sub(" ", t)


def clean_text(text: str) -> str:
    """A narrative line: bookmarks removed, ends trimmed; inner spacing kept."""
    return _BOOKMARK.sub("", text).strip()


@dataclass
class _Row:
    line: int  # 1-based line of the row's first cell
    cells: list[str]


@dataclass
class _Grid:
    """A run of rows read from the file, before it is turned into a Table."""

    rows: list[_Row]
    title: str = ""
    title_line: int | None = None
    notes: list[str] = field(default_factory=list)
    after_footer: bool = False  # only blank lines and page footers since the previous grid


def sniff(text: str) -> float:
    """Share of lines that are a TAB followed by one cell, the mark of this shape.

    TAB-separated exports put several cells on a line and Markdown-like ones start lines
    with ``#``; neither prints most of its lines as ``<TAB>cell``.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return 0.0
    single = sum(1 for ln in lines if ln.startswith("\t") and "\t" not in ln[1:])
    share = single / len(lines)
    if share < 0.3:
        return 0.0
    bonus = 0.05 if "[bookmark:" in text or "page number" in text else 0.0
    return min(1.0, 0.5 + share / 2 + bonus)


@text_shape("cell_lines", sniff)
def read_cell_lines(text: str) -> list[Block]:
    """Blocks of a one-cell-per-line text export, in reading order."""
    items = _scan(text.splitlines())
    blocks: list[Block] = []
    last_table: Table | None = None
    for item in items:
        if isinstance(item, Paragraph):
            blocks.append(item)
            last_table = None
            continue
        if not item.title and item.after_footer and last_table is not None:
            _continue_table(last_table, item)
            continue
        table = _make_table(item)
        blocks.append(table)
        last_table = table
    return blocks


# --- scanning lines into paragraphs and grids -----------------------------------------

def _scan(lines: list[str]) -> list[Paragraph | _Grid]:
    """One pass over the lines: paragraphs, and grids with their title line and notes."""
    out: list[Paragraph | _Grid] = []
    row: _Row | None = None
    grid: _Grid | None = None
    pending_title: tuple[int, str] | None = None  # a text line directly above a cell
    footer_since_grid = False

    def end_row() -> None:
        nonlocal row
        if row is not None and grid is not None:
            grid.rows.append(row)
        row = None

    for number, raw in enumerate(lines, start=1):
        if raw.startswith("\t"):
            if grid is None:
                grid = _Grid(rows=[], after_footer=footer_since_grid and pending_title is None)
                if pending_title is not None:
                    grid.title_line, grid.title = pending_title
                    pending_title = None
                out.append(grid)
            if row is None:
                row = _Row(number, [])
            row.cells.append(clean_cell(raw[1:]))
            continue
        end_row()
        if not raw.strip():
            continue
        if _PAGE_FOOTER.match(raw):
            # A grid going on after a footer is a continuation page, read as a new grid
            # and joined to the open table later.
            footer_since_grid = grid is not None or footer_since_grid
            grid = None
            continue
        text = clean_text(raw)
        if grid is not None and _NOTE.match(text):
            grid.notes.append(text)
            continue
        if pending_title is not None:
            out.append(_paragraph(*pending_title, raw_line=lines[pending_title[0] - 1]))
        grid = None
        footer_since_grid = False
        pending_title = (number, text) if _may_be_title(text, lines, number) else None
        if pending_title is None:
            out.append(_paragraph(number, text, raw_line=raw))
    end_row()
    if pending_title is not None:
        out.append(_paragraph(*pending_title, raw_line=lines[pending_title[0] - 1]))
    return out


def _may_be_title(text: str, lines: list[str], number: int) -> bool:
    """A short line printed directly above a table's first cell names that table."""
    if not text or len(text) > _MAX_TITLE:
        return False
    return number < len(lines) and lines[number].startswith("\t")


def _paragraph(number: int, text: str, raw_line: str) -> Paragraph:
    heading = "[bookmark:" in raw_line or (
        len(text) <= _MAX_HEADING and bool(_NUMBERED_HEADING.match(text)))
    return Paragraph(text=text, line=number, heading=heading)


# --- grids into tables ----------------------------------------------------------------

def _make_table(grid: _Grid) -> Table:
    rows = [r.cells for r in grid.rows]
    caption: list[str] = []
    while len(rows) > 1 and _is_caption_row(rows[0]):
        caption.extend(c for c in rows[0] if c)
        rows = rows[1:]
    rows = _rectangular(rows)
    line = grid.title_line or (grid.rows[0].line if grid.rows else None)
    return Table(title=grid.title, rows=rows, line=line, caption=caption, notes=grid.notes)


def _continue_table(table: Table, grid: _Grid) -> None:
    """Append a continuation page, dropping the caption and header rows it repeats."""
    rows = [r.cells for r in grid.rows]
    while rows and _is_caption_row(rows[0]):
        rows = rows[1:]
    rows = _rectangular(rows)
    width = len(table.rows[0]) if table.rows else 0
    header = [r for r in table.rows[:6] if _header_like(r)]
    while rows and (rows[0] in header or _is_column_numbers(rows[0])):
        rows = rows[1:]
    for r in rows:
        table.rows.append(r + [""] * (width - len(r)) if 0 < len(r) < width else r)
    table.notes.extend(grid.notes)


def _is_caption_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return 0 < len(filled) <= 3 and all(_CAPTION_CELL.match(c) for c in filled)


def _is_column_numbers(cells: list[str]) -> bool:
    """The 栏次 row numbering the columns (栏次 | 1 | 2 | …) carries no data."""
    return bool(cells) and cells[0] == "栏次"


def _header_like(cells: list[str]) -> bool:
    return not any(re.fullmatch(r"-?[\d,]+\.\d+", c) for c in cells)


def _rectangular(rows: list[list[str]]) -> list[list[str]]:
    """Widen leading merged-header rows to the body's width; drop the 栏次 row.

    A grid is leading rows narrower than the body followed by rows all of one width.
    Anything else (a form) is returned as printed, less its 栏次 row.
    """
    rows = [r for r in rows if not _is_column_numbers(r)]
    if not rows:
        return rows
    width = max(len(r) for r in rows)
    first_full = next(i for i, r in enumerate(rows) if len(r) == width)
    if any(len(r) != width for r in rows[first_full:]):
        return rows
    out = [list(r) for r in rows]
    for i in range(first_full - 1, -1, -1):
        out[i] = _spread(out[i], out[i + 1])
    return out


def _spread(parent: list[str], child: list[str]) -> list[str]:
    """Give each cell of a merged header row the columns it spans in the row below.

    Under a parent that spans rows the child row prints an empty cell (span 1); a parent
    spanning columns sits over a run of filled child cells.  When fewer parents than runs
    remain the row cannot be matched and is padded on the right instead.
    """
    width = len(child)
    # Segments of the child row: an empty cell alone, or a run of filled cells.
    segments: list[tuple[int, int]] = []  # (start, length)
    i = 0
    while i < width:
        if not child[i]:
            segments.append((i, 1))
            i += 1
            continue
        j = i
        while j < width and child[j]:
            j += 1
        segments.append((i, j - i))
        i = j
    runs = [s for s in segments if child[s[0]]]
    extra = len(parent) - len(segments)
    if extra < 0:
        return parent + [""] * (width - len(parent))
    spans = _split_runs(segments, runs, child, extra)
    if spans is None or len(spans) != len(parent):
        return parent + [""] * (width - len(parent))
    out: list[str] = []
    for text, span in zip(parent, spans, strict=True):
        out.extend([text] * span)
    return out


def _split_runs(segments: list[tuple[int, int]], runs: list[tuple[int, int]],
                child: list[str], extra: int) -> list[int] | None:
    """Spans of the parents, splitting runs of child cells when there are more parents.

    A run is split first where its first label repeats (项目 | 预算数 | 项目 | 预算数 under
    收入 | 支出), then evenly.
    """
    pieces: dict[tuple[int, int], list[int]] = {s: [s[1]] for s in segments}
    while extra > 0:
        best = max(runs, key=lambda s: max(pieces[s]), default=None)
        if best is None or max(pieces[best]) < 2:
            return None
        pieces[best] = _split_once(best, pieces[best], child)
        extra -= 1
    spans: list[int] = []
    for s in segments:
        spans.extend(pieces[s])
    return spans


def _split_once(run: tuple[int, int], parts: list[int], child: list[str]) -> list[int]:
    """Split the largest part of a run in two, at a repeated first label if there is one."""
    k = parts.index(max(parts))
    start = run[0] + sum(parts[:k])
    size = parts[k]
    label = child[start]
    cut = next((n for n in range(1, size) if child[start + n] == label), size // 2)
    return parts[:k] + [cut, size - cut] + parts[k + 1:]
