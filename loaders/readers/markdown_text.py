"""Markdown-like text exports: ``#`` headings, TAB-separated table rows, bits of markup.

Some disclosures are published (or converted) as Markdown-flavoured text: the narrative
comes as ``#``/``##`` headings and lines that may carry ``**bold**``, and each table is a
run of TAB-separated lines preceded by its title and a few caption lines::

    ## 收入决算表            <- title (a heading) …
    财政拨款收入支出决算表   <- … or a plain line
    04表                     <- caption lines: table number, 单位：元, 部门：政府办
    单位：元
    科目代码<TAB>…           <- the grid, one row per line

Cells may hold ``<b>…</b>`` markup (bold subject rows), which is removed.

Performance self-evaluation forms (绩效自评表) are printed differently: a heading names
the form (``# 2024 年度部门整体绩效自评表``, ``## 2024 年度二级项目绩效自评表``) and the
form's grid is split over sub-headings (``资金情况``, ``绩效目标``, ``绩效指标``) with
key/value rows (``项目名称：<TAB>…<TAB>项目编码：<TAB>…``) on top.  In the printed
original this is ONE table whose merged cells label its parts, so it is read back as one
``Table``: the title is the form's heading, ``caption`` holds the lines printed before
the grid (``状态：绩效审核已审``), and ``rows`` holds every grid row in order, where each
sub-heading becomes a one-cell row (``["资金情况"]``) marking the start of its part.
Blank lines and Markdown separator rows (``----<TAB>---``) inside a grid are skipped.

Everything else becomes a ``Paragraph`` (``heading=True`` for ``#`` lines, with the
hashes and ``**`` removed).  ``Table.line`` is the 1-based line of the title, which keys
the table's cells, so it only changes when the file does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.blocks import Block, Paragraph, Table
from loaders.readers import text_shape

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
# Short lines printed between a table's title and its grid.
_CAPTION = re.compile(
    r"^(?:"
    # 01 表, 04表, 公开01表
    r"(?:公开)?\s*(?:\d{1,2}|[一二三四五六七八九十]+)\s*[-－]?\s*\d{0,2}\s*表"
    r"|表\s*\d+(?:[-－]\d+)?"  # 表3, 表 3-1
    r"|(?:金额)?单位\s*[:：].{0,12}"  # 单位：元, 金额单位：万元
    r"|(?:编制)?部门\s*[:：].{0,30}"  # 部门：政府办
    r"|(?:编制|预算)?单位(?:名称)?\s*[:：].{0,30}"
    r"|状态\s*[:：].{0,20}"  # 状态：绩效审核已审
    r")$")
_NOTE = re.compile(r"^(?:注|说明|备注)\s*\d*\s*[:：]")
# Longest line still taken for a table title; longer lines are narrative.
_MAX_TITLE = 60
# A sub-heading inside a self-evaluation form (资金情况, 绩效指标 …) is short and names no table.
_MAX_PART = 12


def _strip_markup(text: str) -> str:
    """Drop HTML tags and Markdown emphasis; the words are what the document says."""
    text = _TAG.sub("", text)
    text = text.replace("**", "").replace("__", "")
    return text.strip()


def _heading(line: str) -> str | None:
    """The text of a ``#`` heading line, or None for any other line."""
    m = _HEADING.match(line)
    return _strip_markup(m.group(2)) if m else None


def _is_row(line: str) -> bool:
    """A grid row: TAB-separated cells, or a Markdown pipe-table line."""
    if "\t" in line:
        return True
    s = line.strip()
    return s.startswith("|") and s.count("|") >= 2


def _cells(line: str) -> list[str]:
    s = line.rstrip("\r\n")
    if "\t" not in s and s.strip().startswith("|"):
        s = s.strip().strip("|")
        return [_strip_markup(c) for c in s.split("|")]
    return [_strip_markup(c) for c in s.split("\t")]


def _is_separator(cells: list[str]) -> bool:
    """Markdown's ``---`` rule under a header row carries no data."""
    filled = [c.replace(" ", "") for c in cells if c.strip()]
    return bool(filled) and all(_SEPARATOR_CELL.match(c) for c in filled)


def _is_form_heading(text: str) -> bool:
    """A heading that names a performance form whose grid is split over sub-headings."""
    t = re.sub(r"\s+", "", text)
    return "绩效" in t and t.endswith("表") and ("自评" in t or "目标" in t)


def _is_form_part(text: str) -> bool:
    t = re.sub(r"\s+", "", text)
    return len(t) <= _MAX_PART and "表" not in t


@dataclass
class _Line:
    number: int  # 1-based
    text: str
    heading: bool


@dataclass
class _Reader:
    """Walks the lines once, keeping the lines that may still become a table's title."""

    blocks: list[Block] = field(default_factory=list)
    pending: list[_Line] = field(default_factory=list)  # non-blank, non-grid lines
    table: Table | None = None
    form: bool = False  # the open table is a self-evaluation form

    def read(self, text: str) -> list[Block]:
        for number, raw in enumerate(text.splitlines(), start=1):
            self.line(number, raw)
        self.close_table()
        self.flush_paragraphs(self.pending)
        self.pending = []
        return self.blocks

    def line(self, number: int, raw: str) -> None:
        if not raw.strip():
            return
        heading = _heading(raw)
        if self.form and self.table is not None and self.form_line(raw, heading):
            return
        if heading is not None and _is_form_heading(heading):
            self.close_table()
            self.flush_paragraphs(self.pending)
            self.pending = []
            self.table = Table(title=heading, rows=[], line=number)
            self.form = True
            return
        if _is_row(raw):
            cells = _cells(raw)
            if _is_separator(cells):
                return
            if self.table is None:
                self.open_table(number)
            assert self.table is not None
            self.table.rows.append(cells)
            return
        text = heading if heading is not None else _strip_markup(raw)
        if self.table is not None and heading is None and _NOTE.match(text):
            self.table.notes.append(text)
            return
        self.close_table()
        self.pending.append(_Line(number, text, heading is not None))

    def form_line(self, raw: str, heading: str | None) -> bool:
        """Take a line into the open self-evaluation form; False when the form has ended."""
        assert self.table is not None
        if heading is not None:
            if _is_form_part(heading):
                self.table.rows.append([heading])
                return True
            self.close_table()
            return False
        if _is_row(raw):
            cells = _cells(raw)
            if not _is_separator(cells):
                self.table.rows.append(cells)
            return True
        text = _strip_markup(raw)
        if len(text) <= _MAX_TITLE and text.endswith("表") and not _CAPTION.match(text):
            self.close_table()  # a plain table title: the form is over
            return False
        if self.table.rows:
            self.table.notes.append(text)
        else:
            self.table.caption.append(text)
        return True

    def open_table(self, first_row: int) -> None:
        """Start a grid: trailing caption lines and the title come off the pending lines."""
        caption: list[str] = []
        lines = self.pending
        while lines and not lines[-1].heading and _CAPTION.match(lines[-1].text):
            caption.insert(0, lines[-1].text)
            lines = lines[:-1]
        title, line = "", first_row
        if lines and len(lines[-1].text) <= _MAX_TITLE:
            title, line = lines[-1].text, lines[-1].number
            lines = lines[:-1]
        elif caption:
            line = self.pending[len(lines)].number
        self.flush_paragraphs(lines)
        self.pending = []
        self.table = Table(title=title, rows=[], line=line, caption=caption)

    def close_table(self) -> None:
        if self.table is not None:
            self.blocks.append(self.table)
        self.table = None
        self.form = False

    def flush_paragraphs(self, lines: list[_Line]) -> None:
        for ln in lines:
            self.blocks.append(Paragraph(text=ln.text, line=ln.number, heading=ln.heading))


def sniff(text: str) -> float:
    """How Markdown-like a text is: ``#`` headings are the mark; grids of tabs add to it.

    The other text shapes (TAB-separated PDF text, one cell per line, broken layouts) print
    no ``#`` headings at all, so a text without them is not this shape.
    """
    lines = text.splitlines()
    headings = sum(1 for ln in lines if _HEADING.match(ln) and ln.lstrip("# ").strip())
    if headings < 2:
        return 0.0
    tabbed = sum(1 for ln in lines if "\t" in ln)
    score = 0.6 + 0.3 * min(1.0, headings / 10)
    if tabbed:
        score += 0.1 * min(1.0, tabbed / 20)
    return min(score, 1.0)


@text_shape("markdown", sniff)
def read_markdown(text: str) -> list[Block]:
    """Blocks of a Markdown-like text export, in reading order."""
    return _Reader().read(text)
