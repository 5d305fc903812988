"""Reader for PDF text whose layout fell apart: prose wrapped line by line, forms shredded.

Some disclosures (江油市 2020 部门决算 is the seed) reach us as the plain text a PDF
converter produced without keeping any table structure.  What the text still shows:

* Every printed line is its own line, followed by a blank line.  A line that ends with
  a space closes a paragraph (or a table cell); a line without one was wrapped in the
  middle of a sentence and continues on the next line.  A new page starts with a space.
* Stray noise sits between lines: hyperlink targets of the source file
  (``https://baike.baidu.com/…``), lone page numbers (``10``), chart captions
  (``图 1：…``) followed by the chart's own short labels, which repeat the prose.
* The 项目绩效目标完成情况表 forms have no separators at all.  Their row headers are
  printed vertically, one character per line (预/算/执/行/情/况/(万/元)); cells that
  wrap continue on the next line; cells printed on the same line are separated by
  spaces; a cell that ends closes its last line with a space.

This reader re-joins the prose into paragraphs and rebuilds each 项目绩效目标完成情况表
as a ``Table`` (see ``_CompletionForm`` for the rows it produces and the heuristics).
There are no TAB-separated tables in this shape, so no other table is rebuilt; forms
that are not recognised stay prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.blocks import Block, Paragraph, Table
from loaders.readers import text_shape

COMPLETION_TITLE = "项目绩效目标完成情况表"

_URL = re.compile(r"https?://\S+")
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_CHART_CAPTION = re.compile(r"^\s*图\s*\d+\s*[：:]")
_CHART_LABEL_MAX = 24  # chart labels are short (一般公共服务支出1308.16 / 万元，占80.88%)
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．](?!\d)"
    r"|[（(]\d+[）)]|附件\s*\d+|第[一二三四五六七八九十]+部分)")
# A line that starts prose again (a numbered heading or list item) inside a form.
_PROSE_START = re.compile(
    r"^(?:\d+[.、．](?!\d)|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|附件)")
_PROSE_GAP_MAX = 15  # non-blank prose lines a form may be interrupted by (a page break)


# --- sniffing ----------------------------------------------------------------------------

def sniff(text: str) -> float:
    """How much a text looks like broken-layout PDF text.

    The marks: no TABs at all (every table-keeping export has them); many lines closed
    by a trailing space (the converter's end-of-block mark); one-character lines (the
    vertical row headers of forms); double spacing; stray link targets or chart
    captions.  A text with TAB rows or Markdown headings is another shape.
    """
    lines = text.splitlines()
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return 0.0
    tabbed = sum(1 for ln in nonblank if "\t" in ln)
    if tabbed / len(nonblank) > 0.02:
        return 0.0
    markdown = sum(1 for ln in nonblank if ln.lstrip().startswith(("#", "|")))
    if markdown / len(nonblank) > 0.02:
        return 0.0
    trailing = sum(1 for ln in nonblank if ln != ln.rstrip()) / len(nonblank)
    single = sum(1 for ln in nonblank if len(ln.strip()) == 1) / len(nonblank)
    blank = (len(lines) - len(nonblank)) / len(lines)
    noise = any(_URL.search(ln) or _CHART_CAPTION.match(ln) for ln in nonblank)
    score = (0.45 * min(1.0, trailing / 0.3) + 0.25 * min(1.0, single / 0.05)
             + 0.2 * min(1.0, blank / 0.4) + (0.1 if noise else 0.0))
    return round(min(score, 0.95), 3)


# --- lines -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    """One printed line: its 1-based number, its text and whether it closes a block."""

    no: int
    text: str  # stripped
    closes: bool  # the converter ended the line with a space: end of paragraph / cell


def _lines(text: str) -> tuple[list[_Line | None], set[int]]:
    """Printed lines (None for blank ones) and the indices of lines holding only spaces.

    Blank lines separate every printed line, so they carry no meaning; a line of
    spaces is what the converter leaves after a chart, so it ends the chart's labels.
    """
    out: list[_Line | None] = []
    spaces: set[int] = set()
    for i, raw in enumerate(text.splitlines()):
        s = raw.strip()
        out.append(_Line(i + 1, s, raw != raw.rstrip()) if s else None)
        if raw and not s:
            spaces.add(i)
    return out, spaces


def _join(left: str, right: str) -> str:
    """Glue a wrapped line to the text before it (no space between CJK characters)."""
    if left and right and left[-1].isascii() and left[-1].isalnum() \
            and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def _is_title(line: _Line) -> bool:
    return re.sub(r"\s+", "", line.text) == COMPLETION_TITLE


# --- paragraphs --------------------------------------------------------------------------

@dataclass
class _Prose:
    """Builds paragraphs from prose lines, dropping the converter's noise."""

    blocks: list[Block] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _first: int | None = None
    _in_chart: bool = False

    def feed(self, line: _Line | None, space_only: bool = False) -> None:
        """Take the next line; ``space_only`` marks a line holding nothing but spaces."""
        if line is None:
            if space_only:
                self._in_chart = False  # a chart's labels end at a line of spaces
            return
        text = _URL.sub("", line.text).strip()
        if not text or _PAGE_NUMBER.match(text):
            return
        if _CHART_CAPTION.match(text):
            self._in_chart = True
            return
        if self._in_chart:
            if not line.closes and len(text) <= _CHART_LABEL_MAX:
                return
            self._in_chart = False
        if self._parts and self._parts[-1].endswith(("。", "！", "？")) and _HEADING.match(text):
            self.flush()  # a sentence ended without the closing space; a heading follows
        if self._first is None:
            self._first = line.no
        self._parts.append(text)
        if line.closes:
            self.flush()

    def flush(self) -> None:
        if not self._parts:
            return
        text = ""
        for part in self._parts:
            text = _join(text, part)
        heading = (len(self._parts) == 1 and len(text) <= 30 and bool(_HEADING.match(text))
                   and not text.endswith(("。", "；", "，")))
        self.blocks.append(Paragraph(text=text, line=self._first, heading=heading))
        self._parts = []
        self._first = None


# --- the 项目绩效目标完成情况表 form --------------------------------------------------------

# Boundaries between the pieces of text inside a form.
_WRAP = 0  # line wrapped inside a cell: no boundary
_SPACE = 1  # space between two cells printed on one line (or inside a cell: "2020 年")
_CLOSE = 2  # line closed by the converter's trailing space: end of a cell

LEVEL1 = ("项目完成指标", "产出指标", "效益指标", "满意度指标", "成本效益指标")
LEVEL2 = (
    "数量指标", "质量指标", "时效指标", "成本指标", "经济成本指标", "社会成本指标",
    "生态环境成本指标", "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标",
    "服务对象满意度指标", "管理部门满意度指标", "社会公众满意度指标",
)
_LEVEL1_START = ("项目完成", "产出指标", "效益指标", "满意度指", "成本效益")
_KEY_VALUE = re.compile(r"([^\s:：]+)\s*[:：]\s*(.*?)\s*(?=[^\s:：]+\s*[:：]|$)")


@dataclass
class _Pieces:
    """Text of a stretch of form lines as pieces with the boundary that follows each."""

    texts: list[str] = field(default_factory=list)
    after: list[int] = field(default_factory=list)

    def add_line(self, line: _Line) -> None:
        tokens = line.text.split()
        for i, tok in enumerate(tokens):
            self.texts.append(tok)
            last = i == len(tokens) - 1
            self.after.append((_CLOSE if line.closes else _WRAP) if last else _SPACE)

    def flat(self) -> tuple[str, dict[int, int]]:
        """All text without whitespace, and the boundary kind at each piece end offset."""
        text, bounds, pos = "", {}, 0
        for t, kind in zip(self.texts, self.after, strict=True):
            pos += len(t)
            text += t
            bounds[pos] = kind
        return text, bounds


def _cells(text: str, bounds: dict[int, int], start: int, end: int, n: int) -> list[str]:
    """Cut ``text[start:end]`` into ``n`` cells at the most telling boundaries.

    Cell ends marked by the converter (_CLOSE) come first; then spaces between two
    non-digits (``提升服务质量 提升机关服务质量``), leftmost first; then a space between
    text and a following number (``完成时间 2020 年度``), leftmost first.  Spaces next to
    a number are otherwise part of a cell (``2020 年 12 月底``, ``450 人次``).  Should the
    text show more cell ends than cells, the surplus is joined into the last cell.
    """
    inner = {p: k for p, k in bounds.items() if start < p < end}

    def digit_side(p: int) -> bool:
        return text[p - 1].isdigit() or text[p].isdigit()

    cuts = sorted(p for p, k in inner.items() if k == _CLOSE)
    tiers = (
        [p for p, k in sorted(inner.items()) if k == _SPACE and not digit_side(p)],
        [p for p, k in sorted(inner.items())
         if k == _SPACE and not text[p - 1].isdigit() and text[p].isdigit()],
    )
    for tier in tiers:
        for p in tier:
            if len(cuts) + 1 >= n:
                break
            cuts.append(p)
        cuts.sort()
    edges = [start, *cuts, end]
    cells = [_cell_text(text, inner, a, b) for a, b in zip(edges, edges[1:], strict=False)]
    if len(cells) > n:
        cells = cells[:n - 1] + ["".join(cells[n - 1:])]
    return cells + [""] * (n - len(cells))


def _cell_text(text: str, inner: dict[int, int], a: int, b: int) -> str:
    """One cell: wrapped pieces glued, a space next to a number kept as printed."""
    out = ""
    for p in sorted([*(q for q in inner if a < q < b), b]):
        if out and inner.get(a) == _SPACE:
            out += " "
        out += text[a:p]
        a = p
    return out.strip()


def _match(text: str, pos: int, labels: tuple[str, ...]) -> str | None:
    for label in sorted(labels, key=len, reverse=True):
        if text.startswith(label, pos):
            return label
    return None


def _vertical_label(lines: list[_Line | None], i: int) -> tuple[str, int] | None:
    """A header printed one or two characters per line (预/算/…/(万/元)), if one starts here."""
    chars: list[str] = []
    j = i
    while j < len(lines):
        line = lines[j]
        if line is None:
            j += 1
            continue
        if len(line.text) > 2:
            break
        chars.append(line.text)
        j += 1
    return ("".join(chars), j) if len(chars) >= 3 else None


@dataclass
class _CompletionForm:
    """Rebuilds one 项目绩效目标完成情况表 from its shredded lines.

    Rows produced (first cell = the form's row header, vertical labels joined):

    * ``[项目名称, name]``, ``[预算单位, unit]``
    * ``[预算执行情况(万元), 预算数, "260 万元", 执行数, "260 万元"]`` and the 其中 lines
    * ``[年度目标完成情况, 预期目标, 实际完成目标]`` then ``[年度目标完成情况, goal, result]``
    * ``[绩效指标完成情况, 一级指标, 二级指标, 三级指标, 预期指标值…, 实际完成指标值…]`` then
      one row per indicator with the five cells.

    Indicator rows are found by their printed 一级指标/二级指标 names (``LEVEL1``,
    ``LEVEL2``), which wrap freely across lines (管理部门满 / 意度指标); a row whose
    一级指标 is not printed again inherits the previous one.  The remaining text of a
    row is cut into 三级指标 / 预期 / 实际 by ``_cells``.  A numbered heading inside the
    indicator rows (the next page's prose printed between two halves of a form) pauses
    the form; the form resumes if an 一级指标 follows within a few lines, and the prose
    in between is handed back as paragraphs.
    """

    lines: list[_Line | None]
    start: int  # index of the title line
    rows: list[list[str]] = field(default_factory=list)
    caption: list[str] = field(default_factory=list)
    interruptions: list[int] = field(default_factory=list)  # indices of prose lines

    def read(self) -> tuple[Table, int]:
        """The form as a Table, and the index of the first line after it."""
        i = self._head(self.start + 1)
        group = ""
        while i < len(self.lines):
            line = self.lines[i]
            if line is None:
                i += 1
                continue
            if _is_title(line) or (_PROSE_START.match(line.text) and not group.endswith("指标")):
                break
            vertical = _vertical_label(self.lines, i)
            if vertical:
                group, i = vertical
                continue
            if "预算" in group and "执行" in group:
                self._money_row(group, line)
                i += 1
            elif "指标" in group:
                i = self._indicators(group, i)
                break
            elif "目标" in group:
                before, i = i, self._goals(group, i)
                if i == before:
                    break
            else:
                break
        title = self.lines[self.start]
        assert title is not None
        table = Table(title=COMPLETION_TITLE, rows=self.rows, line=title.no,
                      caption=self.caption)
        return table, i

    def _head(self, i: int) -> int:
        """Caption lines ((2020 年度)) and the 项目名称 / 预算单位 rows."""
        while i < len(self.lines):
            line = self.lines[i]
            if line is None:
                i += 1
                continue
            key = next((k for k in ("项目名称", "预算单位") if line.text.startswith(k)), None)
            if key:
                self.rows.append([key, line.text[len(key):].strip(" ：:")])
            elif not self.rows and len(line.text) <= 20:
                self.caption.append(line.text)
            else:
                break
            i += 1
        return i

    def _money_row(self, group: str, line: _Line) -> None:
        row = [group]
        for key, value in _KEY_VALUE.findall(line.text):
            row += [key, value]
        self.rows.append(row)

    def _goals(self, group: str, i: int) -> int:
        pieces = _Pieces()
        while i < len(self.lines):
            line = self.lines[i]
            if line is not None:
                if _vertical_label(self.lines, i) or _is_title(line):
                    break
                if line.text.startswith("预期目标"):
                    self.rows.append([group, *line.text.split()[:2]])
                else:
                    pieces.add_line(line)
            i += 1
        text, bounds = pieces.flat()
        if text:
            self.rows.append([group, *_cells(text, bounds, 0, len(text), 2)])
        return i

    def _indicators(self, group: str, i: int) -> int:
        i = self._indicator_header(group, i)
        pieces = _Pieces()
        while i < len(self.lines):
            line = self.lines[i]
            if line is None:
                i += 1
                continue
            if _is_title(line):
                break
            if _PROSE_START.match(line.text):
                resume = self._resume_after_prose(i)
                if resume is None:
                    break
                i = resume
                continue
            pieces.add_line(line)
            i += 1
        self._indicator_rows(group, pieces)
        return i

    def _indicator_header(self, group: str, i: int) -> int:
        """Skip the wrapped header (一级指标 二级指标 三级指标 / 预期指标值(包含… ) …)."""
        seen_actual, seen, j = False, 0, i
        while j < len(self.lines) and seen < 8:
            line = self.lines[j]
            j += 1
            if line is None:
                continue
            seen += 1
            if "实际完成指标值" in line.text:
                seen_actual = True
            if seen_actual and "描述)" in line.text.replace("）", ")"):
                self.rows.append([group, "一级指标", "二级指标", "三级指标",
                                  "预期指标值(包含数字及文字描述)",
                                  "实际完成指标值(包含数字及文字描述)"])
                return j
        return i  # no header printed: rows start right away

    def _resume_after_prose(self, i: int) -> int | None:
        """Index where the form resumes after interrupting prose, or None if it ended."""
        seen: list[int] = []
        j = i
        while j < len(self.lines) and len(seen) <= _PROSE_GAP_MAX:
            line = self.lines[j]
            if line is not None:
                if _is_title(line):
                    return None
                if seen and line.text.startswith(_LEVEL1_START):
                    self.interruptions.extend(seen)
                    return j
                seen.append(j)
            j += 1
        return None

    def _indicator_rows(self, group: str, pieces: _Pieces) -> None:
        text, bounds = pieces.flat()
        starts = {0, *(p for p, k in bounds.items() if k != _WRAP)}
        pos, level1 = 0, ""
        while pos < len(text):
            l1 = _match(text, pos, LEVEL1)
            if l1:
                level1 = l1
                pos += len(l1)
            l2 = _match(text, pos, LEVEL2) or ""
            pos += len(l2)
            end = next((p for p in sorted(starts) if p > pos
                        and (_match(text, p, LEVEL1) or _match(text, p, LEVEL2))), len(text))
            self.rows.append([group, level1, l2, *_cells(text, bounds, pos, end, 3)])
            pos = end


# --- the reader --------------------------------------------------------------------------

@text_shape("broken_layout", sniff)
def read_broken_layout(text: str) -> list[Block]:
    """Paragraphs and rebuilt 项目绩效目标完成情况表 forms, in reading order."""
    lines, spaces = _lines(text)
    prose = _Prose()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line is not None and _is_title(line):
            prose.flush()
            form = _CompletionForm(lines, i)
            table, i = form.read()
            prose.blocks.append(table)
            for j in form.interruptions:
                prose.feed(lines[j])
            prose.flush()
            continue
        prose.feed(line, i in spaces)
        i += 1
    prose.flush()
    return prose.blocks
