"""PDF disclosures: ruled tables and the text around them, read with pdfplumber.

Each page is read once: pdfplumber finds the ruled tables (``find_tables``) and the
characters outside them are grouped into lines (``pdf_words.text_lines``).  A page whose
ruling finder found no table but whose lines look like one (codes and amounts in columns)
is read by position instead (``pdf_words.find_tables``).  Then, page by page in reading
order:

* **Title and caption.**  A table's title is the nearest line above it that is neither a
  caption nor a label; the caption keeps the lines in between (``编制部门：… 单位：元``,
  ``部门名称：…``) and table labels (``公开01表``, ``公开表一``, ``表3``).  Some exports
  print the title and caption inside the grid's first rows (one cell spanning the
  width): those rows become the title and caption, and win over lines above the grid.
* **Notes.**  Lines after a table that start with ``注：``/``说明：``/``备注：`` (with their
  numbered points and wrapped lines) are its notes, as are such one-cell rows at the
  bottom of the grid.
* **Cells.**  A cell wrapped over two lines is joined without the line break
  (``机关事业单位基本养老保险缴费支`` + ``出``), the padding printed between CJK characters
  (``合 计``) is dropped, and a merged cell gives its text to its first grid position and
  ``''`` to the others.  Empty rows and columns are dropped.  A grid ruled much finer
  than its text (spreadsheet exports) is mended: text in a sliver column too narrow to
  print in belongs to the column on its right, and a column holding nothing but a
  header joins the neighbouring column that holds the body under it.
* **Pages.**  A table that opens a page with no title above it and no title in its grid,
  right after a table that closed the previous page, continues that table when it has
  the same number of columns or the same column positions; the header rows it repeats
  are dropped.  ``Table.page`` is the page where a table starts and ``Table.line`` its
  ordinal in the document (1, 2, …), which keys its cells.
* **Paragraphs.**  Other lines are joined into paragraphs: a line that reaches the right
  margin continues into the next one unless that one is indented, numbered or set apart.
  Page numbers printed alone in the top or bottom band of a page are dropped.

All text goes through ``normalise.fix_chars`` (CJK radical glyphs → the characters they
stand for).  A file that is not a readable PDF, is encrypted, or has no text layer raises
``ReadError`` naming the file and the reason.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from loaders.blocks import Block, Paragraph, Table
from loaders.normalise import fix_chars, parse_number
from loaders.readers import ReadError, binary_format
from loaders.readers.pdf_words import TextLine, find_tables, join_pieces, text_lines

# Lines printed between a title and its grid.
_CAPTION = re.compile(
    # a label may open with a bracket (（单位：万元）) but not hold one: 价值（金额单位：万元）
    # is a column's header
    r"^(?:[（(]?[^（(]{0,8}(?:单位|年度|时间|日期|部门|编制|年份|状态)(?:名称)?\s*[:：]"
    r"|[（(]?\s*20\d\d\s*年(?:度)?\s*[）)]?$"
    # the publishing unit under its code, unlabelled: 434涞源县人民政府办公室
    r"|\d{3,9}(?!\d|\s*年)\s*[-－]?\s*[\u4e00-\u9fff（）()]{2,40}$)")
_LABEL = re.compile(
    r"^(?:(?:公开)?\s*(?:\d{1,2}|[一二三四五六七八九十]+)\s*[-－]?\s*\d{0,2}\s*表"
    r"|公开\s*表\s*[\d一二三四五六七八九十]+"
    r"|表\s*\d+(?:\s*[-－]\s*\d+)?)$")
_NOTE = re.compile(r"^(?:注|说明|备注|附注)\s*\d*\s*[:：.．、]|^[:：]\S")
_NOTE_FIRST_POINT = re.compile(r"^(?:注|说明|备注|附注)\s*[:：]?\s*[1１一][.．、]")
_NOTE_POINT = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十])\s*[.．、]")
_TITLE_TABLE = re.compile(r"表(?:\s*[（(][^（）()]{0,20}[）)])?$")
_PAGE_NUMBER = re.compile(
    r"^[-－—─\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[-－—─\s]*$")
_NUMBERED = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]"
    r"|\d{1,2}\s*[.．、](?!\d))")
_SENTENCE_END = ("。", "；", ";", "，", ",", "：", ":")
_CJK_GAP = re.compile(r"(?<=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])\s+"
                      r"(?=[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef])")
_MAX_TITLE = 60
_THIN = 8.0  # points: a grid column narrower than a character holds no text of its own
_MAX_HEADING = 40


# --- what one page holds ----------------------------------------------------------------

@dataclass
class _Part:
    """A table as found on one page, before continuation pages are joined to it."""

    page: int
    top: float
    bottom: float
    columns: list[tuple[float, float]]
    rows: list[list[str]]
    grid_title: str | None = None
    title: str | None = None
    caption: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Text:
    line: TextLine
    page: int
    left: float  # the page's text margins, for telling wrapped lines from paragraph ends
    right: float
    body_size: float


def is_caption_line(text: str) -> bool:
    """A caption or label line printed between a title and its grid (letter-spaced ones,
    ``编 制 部 门 ： …``, too)."""
    tight = _CJK_GAP.sub("", text)
    return len(text) <= 80 and bool(_CAPTION.match(tight) or _LABEL.match(tight))


def is_caption_row(texts: list[str]) -> bool:
    """A grid row holding the caption (``部门： | 江苏省… | 单位：万元``), not headers."""
    return 0 < len(texts) <= 4 and (
        is_caption_line(" ".join(texts))
        or (any(is_caption_line(t) for t in texts)
            and all(len(t) <= 60 and not _is_amount(t) for t in texts)))


def is_title_line(text: str) -> bool:
    """A line short and plain enough to be the title of the grid below it."""
    return (0 < len(text) <= _MAX_TITLE and not text.endswith(_SENTENCE_END)
            and not _PAGE_NUMBER.match(text))


def clean_cell(text: str | None) -> str:
    """A cell as one line: wrapped lines joined, CJK padding dropped, radicals mapped."""
    if not text:
        return ""
    t = join_pieces([fix_chars(p) for p in text.split("\n")])
    return _CJK_GAP.sub("", t).strip()


# --- grids ------------------------------------------------------------------------------

def _grid_columns(table) -> list[tuple[float, float]]:
    """Each grid column's x-range, as pdfplumber lays the cells out (by distinct x0)."""
    xs = sorted({c[0] for c in table.cells})
    right = max(c[2] for c in table.cells)
    return [(x, xs[k + 1] if k + 1 < len(xs) else right) for k, x in enumerate(xs)]


def head_rows(raw: list[list[str | None]]) -> tuple[int, str | None, list[str]]:
    """Title and caption printed in a grid's first rows: (rows used, title, caption).

    Shared with the DOCX and XLSX readers, whose tables often carry them the same way.
    """
    used, title, caption = 0, None, []
    for row in raw[:4]:
        texts = [t for t in row if t and t.strip()]
        if not texts:
            used += 1
            continue
        if len(texts) == 1:
            lines = [fix_chars(x).strip() for x in texts[0].split("\n") if x.strip()]
            first = lines[0]
            if title is None and _TITLE_TABLE.search(first) and len(first) <= _MAX_TITLE:
                title = first
            elif is_caption_line(first):
                caption.append(first)
            else:
                break
            # Later lines of a title cell: labels and captions; anything else is text of
            # the rows below that a spanning cell's box overlapped, and is read there.
            caption.extend(x for x in lines[1:] if is_caption_line(x))
            used += 1
            continue
        flat = [fix_chars(t).replace("\n", " ").strip() for t in texts]
        if is_caption_row(flat):
            caption.append(" ".join(flat))
            used += 1
            continue
        break
    if title is None and not caption:
        return 0, None, []
    return used, title, caption


def tail_notes(rows: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """Split off one-cell ``注：…`` rows (and empty rows) at the bottom of a grid."""
    notes: list[str] = []
    while rows:
        filled = [c for c in rows[-1] if c]
        if not filled:
            rows = rows[:-1]
            continue
        if len(filled) == 1 and _NOTE.match(filled[0]):
            notes.insert(0, filled[0])
            rows = rows[:-1]
            continue
        break
    return rows, notes


def _drop_empty(rows: list[list[str]], columns: list[tuple[float, float]]
                ) -> tuple[list[list[str]], list[tuple[float, float]], int]:
    rows = [r for r in rows if any(r)]
    keep = [k for k in range(len(columns)) if any(r[k] for r in rows)]
    return ([[r[k] for k in keep] for r in rows], [columns[k] for k in keep],
            len(columns) - len(keep))


def _merge_thin(rows: list[list[str]], columns: list[tuple[float, float]]
                ) -> tuple[list[list[str]], list[tuple[float, float]]]:
    """Give the text of columns too narrow to print in to the column on their right.

    In an over-ruled grid a cell's text can start in a sliver column left over between
    two rulings and run on into the next one; it belongs to the wider column.
    """
    groups: list[list[int]] = []
    pending: list[int] = []
    for k, (x0, x1) in enumerate(columns):
        pending.append(k)
        if x1 - x0 >= _THIN or k == len(columns) - 1:
            groups.append(pending)
            pending = []
    merged_rows = [[join_pieces([r[g] for g in grp]) for grp in groups] for r in rows]
    merged_cols = [(columns[grp[0]][0], columns[grp[-1]][1]) for grp in groups]
    return merged_rows, merged_cols


def _merge_header_only(rows: list[list[str]], columns: list[tuple[float, float]]
                       ) -> tuple[list[list[str]], list[tuple[float, float]]]:
    """Merge a column that only holds a header into its neighbour holding the body.

    An over-ruled grid can put a header (``功能科目名称``) in a different sliver of the
    grid than the names under it; the two never share a row, so they are one column.
    """
    body = next((n for n, r in enumerate(rows) if any(_is_amount(c) for c in r)), len(rows))

    def apart(a: int, b: int) -> bool:
        """Never on one row, and the body column ``b`` prints no header of its own (a
        column with its own header, 机关运行经费预算数, is not the same column as an empty
        one beside it, 运行费)."""
        return not any(r[a] and r[b] for r in rows) and not any(r[b] for r in rows[:body])

    k = 0
    while k < len(columns) and len(columns) > 1:
        if any(r[k] for r in rows[body:]) or body == len(rows):
            k += 1
            continue
        other = k - 1 if k > 0 and apart(k, k - 1) else (
            k + 1 if k + 1 < len(columns) and apart(k, k + 1) else None)
        if other is None:
            k += 1
            continue
        lo, hi = sorted((k, other))
        rows = [r[:lo] + [r[lo] or r[hi]] + r[hi + 1:] for r in rows]
        columns = columns[:lo] + [(columns[lo][0], columns[hi][1])] + columns[hi + 1:]
        k = lo
    return rows, columns


def _is_amount(text: str) -> bool:
    return parse_number(text) is not None and ("." in text or "," in text)


def _part_from_grid(page_no: int, table) -> _Part | None:
    raw = table.extract()
    columns = _grid_columns(table)
    if not raw or len(columns) != len(raw[0]):
        columns = [(table.bbox[0], table.bbox[2])] * (len(raw[0]) if raw else 0)
    used, title, caption = head_rows(raw)
    rows = [[clean_cell(c) for c in r] for r in raw[used:]]
    rows, notes = tail_notes(rows)
    # Sliver and empty columns are the marks of a grid ruled finer than its text.
    slivers = sum(1 for x0, x1 in columns if x1 - x0 < _THIN)
    if slivers:
        rows, columns = _merge_thin(rows, columns)
    rows, columns, dropped = _drop_empty(rows, columns)
    rows, columns = _merge_header_only(rows, columns)
    if len(columns) < 2 or not rows:
        return None
    return _Part(page=page_no, top=table.bbox[1], bottom=table.bbox[3], columns=columns,
                 rows=rows, grid_title=title, caption=caption, notes=notes)


# --- pages ------------------------------------------------------------------------------

@dataclass
class _Page:
    number: int
    items: list[_Part | _Text]  # reading order
    chars: int
    images: int


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def _is_background(obj: dict) -> bool:
    """A rectangle filled white and not stroked: a cell's background, invisible on the page.

    Spreadsheet exports paint one behind every cell, each cell group with its own heights;
    taken for rulings they would cut a wrapped cell (``2.政府性基金预`` / ``算``) into rows
    that fall out of step with its neighbours.
    """
    if obj.get("object_type") != "rect" or not obj.get("fill") or obj.get("stroke"):
        return False
    colour = obj.get("non_stroking_color")
    values = colour if isinstance(colour, list | tuple) else (colour,)
    if len(values) == 4:  # CMYK white is 0 0 0 0
        return all(v == 0 for v in values)
    return bool(values) and all(isinstance(v, int | float) and v >= 0.99 for v in values)


def _rulings(page):
    """The page as the table finder should see it: without white cell backgrounds."""
    if any(_is_background(r) for r in page.rects):
        return page.filter(lambda obj: not _is_background(obj))
    return page


def _read_page(page, number: int) -> _Page:
    chars = page.chars
    found = _rulings(page).find_tables() if chars else []
    parts: list[_Part] = []
    boxes: list[tuple[float, float, float, float]] = []
    for t in found:
        part = _part_from_grid(number, t)
        if part is not None:
            parts.append(part)
            boxes.append(t.bbox)
    lines = text_lines([c for c in chars if not _inside(c, boxes)])
    for ln in lines:
        ln.text = fix_chars(ln.text)
    height = float(page.height)
    lines = [ln for ln in lines
             if not (_PAGE_NUMBER.match(ln.text)
                     and (ln.top > height * 0.85 or ln.bottom < height * 0.1))]
    if not parts and lines:
        found_by_words = find_tables(lines)
        for wt in found_by_words:
            rows = [[clean_cell(c) for c in r] for r in wt.rows]
            rows, notes = tail_notes(rows)
            parts.append(_Part(page=number, top=wt.top, bottom=wt.bottom, columns=wt.columns,
                               rows=rows, notes=notes))
        consumed = {k for wt in found_by_words for k in wt.lines}
        lines = [ln for k, ln in enumerate(lines) if k not in consumed]
    long_lines = [ln for ln in lines if len(ln.text) >= 15] or lines
    left = min((ln.x0 for ln in long_lines), default=0.0)
    # Justified CJK lines end a character or so apart (punctuation is compressed), and a
    # stray long line can overrun: the upper quartile of line ends is the margin.
    ends = sorted(ln.x1 for ln in long_lines)
    right = ends[(3 * len(ends)) // 4] if ends else float(page.width)
    body = statistics.median([ln.size for ln in lines]) if lines else 10.0
    texts = [_Text(ln, number, left, right, body) for ln in lines]
    items = _attach(texts, parts)
    return _Page(number=number, items=items, chars=len(chars), images=len(page.images))


def _attach(texts: list[_Text], parts: list[_Part]) -> list[_Part | _Text]:
    """Order a page's lines and tables; give each table its title, caption and notes."""
    items: list[_Part | _Text] = sorted(
        [*texts, *parts], key=lambda it: it.top if isinstance(it, _Part) else it.line.top)
    claimed: set[int] = set()
    for i, it in enumerate(items):
        if isinstance(it, _Part):
            _claim_notes(items, i, claimed)
    for i, it in enumerate(items):
        if isinstance(it, _Part):
            _claim_title(items, i, claimed)
    return [it for k, it in enumerate(items) if k not in claimed]


def _claim_notes(items: list[_Part | _Text], i: int, claimed: set[int]) -> None:
    """The notes after a table: 注：/说明： lines, their numbered points and wrapped lines.

    A wrapped line is joined to the note it continues, so each note is one string.  A
    few other lines may stand between the table and a note (the template's own
    instructions, ``…并在本表下方作下述说明：``); they stay paragraphs.  The search stops
    at the next table, heading, caption or table title.
    """
    part = items[i]
    assert isinstance(part, _Part)
    others = 0
    for k in range(i + 1, len(items)):
        item = items[k]
        if not isinstance(item, _Text):
            break
        t = item.line.text
        previous = items[k - 1]
        after_note = k - 1 in claimed and isinstance(previous, _Text)
        starts = bool(_NOTE.match(t)) or "空表" in t
        wraps = (after_note and previous.line.x1 >= previous.right - 2 * previous.line.size
                 and not (is_caption_line(t) or _NUMBERED.match(t) or _TITLE_TABLE.search(t)))
        # 注：1.… is followed by 2.…, 3.…: the numbered points of the same note
        point = (after_note and bool(_NOTE_POINT.match(t))
                 and any(_NOTE_FIRST_POINT.match(n) for n in part.notes))
        if starts or point:
            part.notes.append(t)
        elif wraps and part.notes:
            part.notes[-1] = join_pieces([part.notes[-1], t])
        else:
            others += 1
            if (others > 2 or is_caption_line(t) or _NUMBERED.match(t)
                    or _TITLE_TABLE.search(t)):
                break
            continue
        claimed.add(k)


def _claim_title(items: list[_Part | _Text], i: int, claimed: set[int]) -> None:
    part = items[i]
    assert isinstance(part, _Part)
    caption: list[str] = []
    title = part.grid_title
    k = i - 1
    while k >= 0 and k not in claimed and isinstance(items[k], _Text):
        text_item = items[k]
        assert isinstance(text_item, _Text)
        t = text_item.line.text
        if is_caption_line(t):
            caption.insert(0, t)
        elif title is None and is_title_line(t):
            title = t
            part.title = t
        else:
            break
        claimed.add(k)
        k -= 1
    part.caption = caption + part.caption
    if part.grid_title is not None:
        part.title = part.grid_title


# --- the document -----------------------------------------------------------------------

def _continues(prev: _Part, part: _Part) -> bool:
    if len(prev.columns) == len(part.columns):
        return True
    aligned = sum(1 for c in part.columns
                  if any(abs(c[0] - p[0]) <= 4 for p in prev.columns))
    return aligned >= max(1, round(0.6 * len(part.columns)))


def _aligned_rows(prev: _Part, part: _Part) -> list[list[str]]:
    """The continuation's rows laid onto the first part's columns."""
    if len(prev.columns) == len(part.columns):
        return part.rows
    target = [min(range(len(prev.columns)), key=lambda p: abs(prev.columns[p][0] - c[0]))
              for c in part.columns]
    out = []
    for r in part.rows:
        row = [""] * len(prev.columns)
        for k, text in enumerate(r):
            if text:
                row[target[k]] = join_pieces([row[target[k]], text])
        out.append(row)
    return out


def _join(table: Table, first: _Part, part: _Part) -> None:
    rows = _aligned_rows(first, part)
    n = 0  # header rows the continuation repeats
    while n < len(rows) and n < len(table.rows) and rows[n] == table.rows[n]:
        n += 1
    table.rows.extend(rows[n:])
    table.notes.extend(part.notes)


class _Paragraphs:
    """Joins lines into paragraphs (see the module docstring)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.lines: list[_Text] = []
        self.count = 0

    def add(self, t: _Text) -> None:
        if self.lines and not self._continues(self.lines[-1], t):
            self.close()
        self.lines.append(t)

    def _continues(self, prev: _Text, cur: _Text) -> bool:
        size = cur.line.size
        if abs(prev.line.size - size) > 1:
            return False
        if prev.line.x1 < prev.right - 1.5 * size:
            return False
        if cur.line.x0 > cur.left + 1.2 * size or _NUMBERED.match(cur.line.text):
            return False
        set_apart = cur.page == prev.page and cur.line.top - prev.line.bottom > 1.2 * size
        return not set_apart

    def close(self) -> None:
        if not self.lines:
            return
        text = join_pieces([t.line.text for t in self.lines])
        first = self.lines[0]
        self.count += 1
        self.blocks.append(Paragraph(text=text, page=first.page, line=self.count,
                                     heading=self._heading(text)))
        self.lines = []

    def _heading(self, text: str) -> bool:
        if len(self.lines) != 1 or len(text) > _MAX_HEADING or text.endswith(_SENTENCE_END):
            return False
        t = self.lines[0]
        centred = (t.line.x0 > t.left + 3 * t.line.size
                   and abs((t.line.x0 + t.line.x1) / 2 - (t.left + t.right) / 2)
                   < 2 * t.line.size)
        return bool(_NUMBERED.match(text)) or t.line.size > t.body_size + 1 or centred


def _carry_labels(pages: list[_Page]) -> None:
    """A table label printed alone at the foot of a page (``公开04表``) names the table
    that opens the next page."""
    for page, following in zip(pages, pages[1:], strict=False):
        if not following.items or not isinstance(following.items[0], _Part):
            continue
        labels: list[_Text] = []
        for item in reversed(page.items):
            if not (isinstance(item, _Text) and _LABEL.match(item.line.text)):
                break
            labels.insert(0, item)
        if labels:
            following.items[0].caption[:0] = [t.line.text for t in labels]
            page.items = page.items[:len(page.items) - len(labels)]


def _assemble(pages: list[_Page]) -> list[Block]:
    _carry_labels(pages)
    blocks: list[Block] = []
    paragraphs = _Paragraphs(blocks)
    # A table that closed the previous page, with the part whose columns lay out the
    # table (the latest part as wide as the table: column positions drift a little).
    open_table: tuple[Table, _Part] | None = None
    ordinal = 0
    for page in pages:
        current: tuple[Table, _Part] | None = None
        for index, item in enumerate(page.items):
            if isinstance(item, _Text):
                paragraphs.add(item)
                current = None
                continue
            paragraphs.close()
            if (index == 0 and open_table is not None and item.title is None
                    and not open_table[1].notes and _continues(open_table[1], item)):
                _join(open_table[0], open_table[1], item)
                same_width = len(item.columns) == len(open_table[1].columns)
                current = (open_table[0], item) if same_width else open_table
                continue
            ordinal += 1
            table = Table(title=item.title or "", rows=item.rows, page=item.page, line=ordinal,
                          caption=item.caption, notes=item.notes)
            blocks.append(table)
            current = (table, item)
        open_table = current if current is not None and not current[0].notes else None
    paragraphs.close()
    return blocks


# --- the reader -------------------------------------------------------------------------

def _open_error(path: Path, e: Exception) -> ReadError:
    # pdfplumber wraps pdfminer's error as the first argument of its own exception.
    causes = [e, *e.args, e.__cause__, e.__context__]
    said = " ".join(f"{type(c).__name__} {c}" for c in causes if c is not None)
    if re.search(r"password|encrypt", said, re.IGNORECASE):
        return ReadError(f"{path.name}: the PDF is encrypted (password-protected); "
                         "it cannot be read")
    reason = next((str(c) for c in causes if c is not None and str(c)), type(e).__name__)
    return ReadError(f"{path.name}: not a readable PDF, the file is damaged or truncated "
                     f"({reason})")


@binary_format(b"%PDF")
def read_pdf(path: Path) -> tuple[list[Block], int]:
    """Blocks of a PDF in reading order, and its page count."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    pdf_errors = (PdfminerException, PSException, PDFSyntaxError)
    pages: list[_Page] = []
    try:
        with pdfplumber.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                pages.append(_read_page(page, number))
                page.close()
    except pdf_errors as e:
        raise _open_error(path, e) from e
    if not pages:
        raise ReadError(f"{path.name}: not a readable PDF, the file is damaged or truncated "
                        "(no page could be read)")
    if not any(p.chars for p in pages):
        images = sum(1 for p in pages if p.images)
        if images:
            raise ReadError(f"{path.name}: no text layer: {images} pages of images — "
                            "OCR is not supported")
        raise ReadError(f"{path.name}: no text layer: the {len(pages)} pages are blank")
    return _assemble(pages), len(pages)
