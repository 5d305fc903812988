"""Word (DOCX) disclosures, and the one reader for zip packages (DOCX and XLSX).

DOCX and XLSX files are both zip packages and start with the same magic bytes ``PK``, so
one reader is registered for them; it looks inside the package and hands a workbook
(``xl/workbook.xml``) to ``xlsx.read_xlsx`` and a Word document (``word/document.xml``)
to ``read_docx``.

A Word document is read in body order — paragraphs and tables interleaved, as printed:

* **Tables** keep Word's real cells.  A merged cell is emitted once, at its first grid
  position, and the other positions it covers get ``''`` — horizontally (``gridSpan``)
  and vertically (``vMerge``) alike — the same shape the PDF reader gives merged cells,
  so that a header spanning three columns is not read as three headers.  Cell text is
  one line (paragraphs inside a cell joined), CJK radicals mapped.
* **Title and caption**: the paragraphs just before a table — the nearest plain short one
  is the title, caption lines (``编制部门：…``, ``单位：万元``, ``表3``) are kept in
  ``Table.caption`` — or the table's own first rows when it carries them inside the grid.
  ``注：`` paragraphs (and ``空表说明：…``) right after a table are its notes.
* Other paragraphs become ``Paragraph`` blocks (``heading=True`` for Word heading styles
  and short numbered headings).

``Table.line`` and ``Paragraph.line`` number tables and paragraphs in reading order;
a Word file has no pages, so ``page`` is None.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from loaders.blocks import Block, Paragraph, Table
from loaders.normalise import fix_chars
from loaders.readers import ReadError, binary_format
from loaders.readers.pdf import (
    clean_cell,
    head_rows,
    is_caption_line,
    is_title_line,
    tail_notes,
)

_NOTE = re.compile(r"^(?:注|说明|备注|附注)\s*\d*\s*[:：.．、]")
_NUMBERED = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
_SENTENCE_END = ("。", "；", ";", "，", ",", "：", ":")
_MAX_HEADING = 40


@binary_format(b"PK")
def read_zip(path: Path) -> tuple[list[Block], int | None]:
    """Read a DOCX or XLSX package, chosen by what the package holds."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError) as e:
        raise ReadError(f"{path.name}: a damaged zip package, not a readable DOCX or XLSX "
                        f"({e})") from e
    if "word/document.xml" in names:
        return read_docx(path), None
    if "xl/workbook.xml" in names:
        from loaders.readers.xlsx import read_xlsx

        return read_xlsx(path), None
    raise ReadError(f"{path.name}: a zip archive that is neither a DOCX nor an XLSX document")


@binary_format(b"\xd0\xcf\x11\xe0")
def read_legacy_office(path: Path) -> tuple[list[Block], int | None]:
    """Old binary Word/Excel files and password-protected Office files share this magic."""
    raise ReadError(f"{path.name}: a Word/Excel 97-2003 file or a password-protected Office "
                    "document; save it as DOCX or XLSX without a password to load it")


# --- Word documents ---------------------------------------------------------------------

def read_docx(path: Path) -> list[Block]:
    """Blocks of a Word document in body order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise ReadError(f"{path.name}: not a readable DOCX document ({e})") from e
    items = list(_body_items(document))
    return _blocks(items)


def _body_items(document):
    """Paragraphs (as (text, heading)) and tables (as raw rows) in body order."""
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    def walk(parent):
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                p = DocxParagraph(child, document)
                text = fix_chars(p.text).strip()
                if text:
                    yield (text, _is_heading_style(p))
            elif child.tag == qn("w:tbl"):
                yield _grid(DocxTable(child, document))
            elif child.tag == qn("w:sdt"):  # content controls (a table of contents …)
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from walk(content)

    yield from walk(document.element.body)


def _is_heading_style(p) -> bool:
    name = (p.style.name if p.style is not None else "") or ""
    return name.lower().startswith(("heading", "title")) or name.startswith("标题")


def _grid(table) -> list[list[str]]:
    """A Word table's rows on its layout grid; merged cells printed once (see module doc)."""
    from docx.table import _Cell

    rows: list[list[str]] = []
    for tr in table._tbl.tr_lst:
        row: list[str] = [""] * tr.grid_before
        for tc in tr.tc_lst:
            span = tc.grid_span
            if tc.vMerge == "continue":
                row.extend([""] * span)
                continue
            row.append(clean_cell(_Cell(tc, table).text))
            row.extend([""] * (span - 1))
        row.extend([""] * tr.grid_after)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _blocks(items: list) -> list[Block]:
    blocks: list[Block] = []
    tables = paragraphs = 0
    pending: list[tuple[str, bool]] = []  # paragraphs not yet given out

    def flush(keep: list[tuple[str, bool]]) -> None:
        nonlocal paragraphs
        for text, style_heading in keep:
            paragraphs += 1
            blocks.append(Paragraph(text=text, line=paragraphs,
                                    heading=style_heading or _numbered_heading(text)))

    last_table: Table | None = None
    for item in items:
        if isinstance(item, tuple):
            text = item[0]
            if last_table is not None and not pending and (_NOTE.match(text)
                                                           or "空表" in text):
                last_table.notes.append(text)
                continue
            last_table = None
            pending.append(item)
            continue
        used, grid_title, grid_caption = head_rows(item)
        rows, notes = tail_notes(item[used:])
        rows = [r for r in rows if any(r)]
        title, caption, taken = _title_above([t for t, _ in pending], grid_title)
        flush(pending[:len(pending) - taken])
        pending = []
        tables += 1
        last_table = Table(title=title, rows=rows, line=tables,
                           caption=caption + grid_caption, notes=notes)
        blocks.append(last_table)
    flush(pending)
    return blocks


def _title_above(texts: list[str], grid_title: str | None) -> tuple[str, list[str], int]:
    """Title and caption from the paragraphs just before a table: (title, caption, used)."""
    caption: list[str] = []
    title = grid_title
    used = 0
    for text in reversed(texts):
        if is_caption_line(text):
            caption.insert(0, text)
        elif title is None and is_title_line(text):
            title = text
        else:
            break
        used += 1
    return title or "", caption, used


def _numbered_heading(text: str) -> bool:
    return (len(text) <= _MAX_HEADING and not text.endswith(_SENTENCE_END)
            and bool(_NUMBERED.match(text)))
