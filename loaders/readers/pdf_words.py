"""Text lines and words of a PDF page from character positions, and tables without rulings.

Two jobs that both work from where each character is printed:

1. **Lines.**  Characters are grouped into lines by vertical position.  A character joins
   the line whose vertical extent holds its centre, so glyphs printed a few points off the
   baseline (a year or a pair of quotes set in another font inside a title, as in
   ``财政拨款“三公”经费支出决算表``) stay in their line instead of becoming a line of their
   own.  Within a line characters are ordered left to right and a space is put where the
   gap between two characters is wider than a third of the font size.

2. **Tables printed without ruling lines.**  Some disclosures lay their tables out with
   spaces only, so a ruling-based table finder sees nothing.  The rule used here is kept
   deliberately simple:

   * a line is *row-like* when it ends with an amount and has at least two words, and
     *strong* when it is row-like and also has two amounts or starts with a subject code
     (``201``, ``20101``, ``2010101``);
   * a table is a run of row-like lines (at most two other lines between two of them,
     e.g. a row label without amounts) holding at least three strong lines, plus up to
     four header lines directly above it (lines of two or more words that are not
     sentences, captions or titles);
   * the columns are the x-intervals covered by the words of the strong lines, merged
     where they overlap: left-aligned names and right-aligned amounts each make one
     interval.  Every word of the table goes to the column it overlaps most (the nearest
     one when it overlaps none); words falling in the same cell are joined;
   * a line holding one piece of text and no amount, printed closer to the row above
     than rows are to each other, is the wrapped end of that row's cell and is joined to
     it (``机关事业单位基本养老保险缴费支`` + ``出``).

   Narrative lines rarely end in an amount with another amount earlier in the line, so
   pages of prose do not produce tables; the reader only tries this on pages where the
   ruling-based finder found no table.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from loaders.normalise import parse_number

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_WORDY = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_SENTENCE_END = ("。", "；", ";", "，")
_CAPTION_START = re.compile(r"^.{0,8}(?:单位|年度|时间|日期|部门|编制|年份)(?:名称)?\s*[:：]")
_TITLE_END = re.compile(r"表(?:\s*[（(][^（）()]{0,20}[）)])?$")


@dataclass
class TextLine:
    """One printed line: its text, box and the characters it was made of (left to right)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    chars: list[dict] = field(default_factory=list, repr=False)


@dataclass
class Word:
    text: str
    x0: float
    x1: float


@dataclass
class WordTable:
    """A table found from word positions: its box, column intervals and rows of cells."""

    top: float
    bottom: float
    x0: float
    x1: float
    columns: list[tuple[float, float]]
    rows: list[list[str]]
    lines: list[int]  # indexes of the page lines it consumed


def joins_tight(left: str, right: str) -> bool:
    """Whether two pieces of text meet without a space (either side is CJK)."""
    return bool(left and right and (_CJK.match(left[-1]) or _CJK.match(right[0])))


def join_pieces(pieces: list[str], sep: str = " ") -> str:
    """Join text pieces, with no separator next to CJK characters."""
    out = ""
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        out = out + p if not out or joins_tight(out, p) else out + sep + p
    return out


# --- lines ---------------------------------------------------------------------------

def _gap(size: float) -> float:
    """The blank between two characters that separates words (a third of the font size)."""
    return max(2.0, size / 3)


def _size(c: dict) -> float:
    return float(c.get("size") or (c["bottom"] - c["top"]) or 10.0)


def text_lines(chars: list[dict]) -> list[TextLine]:
    """Group characters into lines, top to bottom; see the module docstring."""
    visible = [c for c in chars if c["text"].strip()]
    spaces = [c for c in chars if not c["text"].strip()]
    visible.sort(key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"]))
    groups: list[tuple[float, float, list[dict]]] = []  # (top, bottom) of the anchor char
    for c in visible:
        centre = (c["top"] + c["bottom"]) / 2
        for top, bottom, members in reversed(groups[-3:]):
            if top <= centre <= bottom:
                clash = _clash(c, members)
                if clash == "duplicate":
                    break  # the same glyph printed twice (fake bold): keep one
                if clash is None:
                    members.append(c)
                    break
        else:
            groups.append((c["top"], c["bottom"], [c]))
    lines = [_make_line(members, spaces) for _, _, members in groups]
    lines.sort(key=lambda ln: (round(ln.top, 1), ln.x0))
    return lines


def _clash(c: dict, members: list[dict]) -> str | None:
    """Whether ``c`` is printed over a character already in the line.

    ``"duplicate"`` for the same glyph at the same place (drawn twice to look bold),
    ``"overlap"`` for another glyph (a second line sharing the band), None otherwise.
    """
    width = max(c["x1"] - c["x0"], 0.1)
    for m in reversed(members[-60:]):
        overlap = min(c["x1"], m["x1"]) - max(c["x0"], m["x0"])
        if overlap <= 0:
            continue
        if m["text"] == c["text"] and abs(m["x0"] - c["x0"]) < 1 and abs(m["top"] - c["top"]) < 1:
            return "duplicate"
        # Neighbours' boxes often overlap (full-width punctuation is set on half its box).
        if (overlap > 0.7 * min(width, max(m["x1"] - m["x0"], 0.1))
                and _WORDY.match(c["text"]) and _WORDY.match(m["text"])):
            return "overlap"
    return None


def _make_line(members: list[dict], spaces: list[dict]) -> TextLine:
    members.sort(key=lambda c: c["x0"])
    size = statistics.median(_size(c) for c in members)
    parts: list[str] = []
    prev: dict | None = None
    for c in members:
        if prev is not None and c["x0"] - prev["x1"] > _gap(size):
            parts.append(" ")
        parts.append(c["text"])
        prev = c
    text = re.sub(r" {2,}", " ", "".join(parts)).strip()
    top = min(c["top"] for c in members)
    bottom = max(c["bottom"] for c in members)
    return TextLine(text=text, x0=members[0]["x0"], x1=max(c["x1"] for c in members),
                    top=top, bottom=bottom, size=size, chars=members)


def words(line: TextLine) -> list[Word]:
    """Words of a line: runs of characters separated by a gap wider than ``_gap``."""
    out: list[Word] = []
    current: list[dict] = []
    for c in line.chars:
        if current and c["x0"] - current[-1]["x1"] > _gap(line.size):
            out.append(_word(current))
            current = []
        current.append(c)
    if current:
        out.append(_word(current))
    return out


def _word(chars: list[dict]) -> Word:
    return Word("".join(c["text"] for c in chars), chars[0]["x0"], max(c["x1"] for c in chars))


# --- tables without rulings -------------------------------------------------------------

def _is_amount(text: str) -> bool:
    t = text.strip()
    return parse_number(t) is not None and not _YEAR.match(t)


def _row_like(ws: list[Word], text: str) -> bool:
    return len(ws) >= 2 and _is_amount(ws[-1].text) and "。" not in text


def _strong(ws: list[Word], text: str) -> bool:
    if not _row_like(ws, text):
        return False
    amounts = sum(1 for w in ws if _is_amount(w.text))
    return amounts >= 2 or bool(_CODE.match(ws[0].text))


def _header_like(line: TextLine, ws: list[Word]) -> bool:
    t = line.text
    return (len(ws) >= 2 and not t.endswith(_SENTENCE_END) and "。" not in t
            and not _CAPTION_START.match(t) and not _TITLE_END.search(t))


def find_tables(lines: list[TextLine]) -> list[WordTable]:
    """Tables laid out with spaces only, found among a page's lines (top to bottom)."""
    ws = [words(ln) for ln in lines]
    row_like = [_row_like(w, ln.text) for w, ln in zip(ws, lines, strict=True)]
    strong = [_strong(w, ln.text) for w, ln in zip(ws, lines, strict=True)]
    tables: list[WordTable] = []
    i = 0
    while i < len(lines):
        if not strong[i]:
            i += 1
            continue
        end = i  # last row-like line of the run
        j = i + 1
        while j < len(lines) and j - end <= 3:
            if row_like[j]:
                end = j
            j += 1
        members = list(range(i, end + 1))
        if sum(strong[k] for k in members) >= 3:
            start = i
            while (start > 0 and i - start < 4 and _header_like(lines[start - 1], ws[start - 1])
                   and lines[start].top - lines[start - 1].bottom < 2.5 * lines[start].size):
                start -= 1
            tables.append(_build(lines, ws, list(range(start, end + 1)),
                                 [k for k in members if strong[k]]))
        i = end + 1
    return tables


def _columns(ws: list[list[Word]], size: float) -> list[tuple[float, float]]:
    spans = sorted((w.x0, w.x1) for row in ws for w in row)
    merged: list[list[float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1] + size * 0.3:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _column_of(w: Word, columns: list[tuple[float, float]]) -> int:
    def overlap(col: tuple[float, float]) -> float:
        return min(w.x1, col[1]) - max(w.x0, col[0])

    best = max(range(len(columns)), key=lambda k: overlap(columns[k]))
    if overlap(columns[best]) > 0:
        return best
    centre = (w.x0 + w.x1) / 2
    return min(range(len(columns)),
               key=lambda k: abs(centre - (columns[k][0] + columns[k][1]) / 2))


def _build(lines: list[TextLine], ws: list[list[Word]], members: list[int],
           strong: list[int]) -> WordTable:
    size = statistics.median(lines[k].size for k in members)
    columns = _columns([ws[k] for k in strong], size)
    pitch = statistics.median(
        [lines[b].top - lines[a].top for a, b in zip(strong, strong[1:], strict=False)]
        or [size * 2])
    rows: list[list[str]] = []
    prev_line: TextLine | None = None
    for k in members:
        cells: list[list[str]] = [[] for _ in columns]
        for w in ws[k]:
            cells[_column_of(w, columns)].append(w.text)
        row = [join_pieces(c) for c in cells]
        filled = [n for n, c in enumerate(row) if c]
        wrapped = (rows and prev_line is not None and len(filled) == 1
                   and not _is_amount(row[filled[0]]) and rows[-1][filled[0]]
                   and lines[k].top - prev_line.top < pitch * 0.8)
        if wrapped:
            rows[-1][filled[0]] = join_pieces([rows[-1][filled[0]], row[filled[0]]])
        else:
            rows.append(row)
        prev_line = lines[k]
    return WordTable(
        top=lines[members[0]].top, bottom=lines[members[-1]].bottom,
        x0=min(lines[k].x0 for k in members), x1=max(lines[k].x1 for k in members),
        columns=columns, rows=rows, lines=members)
