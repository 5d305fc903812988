"""Text exported from a PDF with table rows as TAB-separated lines.

This is what a PDF-to-text export of a typical 部门预算 looks like (江油市, 若羌县)::

    表1                                   <- table number (caption, optional)
    部门收支总体情况表                     <- title
    编制部门：若羌县人民政府办公室          <- caption lines
    单位：万元
    收 入<TAB><TAB>支 出<TAB>             <- header rows
    项 目<TAB>预算数<TAB>功能分类<TAB>预算数
    一、本年收入<TAB>842.07<TAB>201 一般公共服务支出<TAB>683.70
    …
                                          <- a page break is a blank line, after which
    收 入<TAB><TAB>支 出<TAB>             <- the header rows are printed again
    …
    备注：…为空表。                         <- note (empty-table remark)

Blank lines separate paragraphs and pages.  A run of TAB lines is a table; runs separated
only by blank lines are pages of one table, and the header rows the later pages repeat are
dropped.  The table's title is the short line above its caption lines (a table printed
without one borrows the nearest numbered heading above it, e.g. 二、部门预算单位构成);
everything else becomes ``Paragraph`` blocks.

Cells are kept as printed (only stripped, and CJK radical glyphs mapped), including rows
whose leading empty cells the export lost: deciding what such a row means is the
extractor's business, not the reader's.  The values next to a 联系人 / 联系电话 / 负责人
label are blanked here, because contact persons and phone numbers are never loaded and
the reader is the one place every later step goes through.
"""

from __future__ import annotations

import re

from loaders.blocks import Block, Paragraph, Table
from loaders.normalise import fix_chars, squash
from loaders.readers import text_shape

# --- line classes -------------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_TABLE_NUMBER = re.compile(r"(?:公开)?(?:表\d+(?:[-－—]\d+)?|\d+表)")
_CAPTION = re.compile(
    r"^(?:(?:金额)?单位[:：]|(?:编制部门|编制单位|部门名称|部门|预算单位|单位名称)(?:（盖章）)?[:：]"
    r"|预算年度[:：]|[(（]20\d\d年度?[)）]$)")
_NOTE = re.compile(r"^(?:空表说明|备注|注)\d*[:：]")
_ORDINAL_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d{1,2}[.．、](?!\d))")
_SENTENCE_END = "。；;！!？?：:"
_NOT_TITLE_END = "。；;，,：:、"
_MAX_CAPTION = 60
_MAX_TITLE = 60
_MAX_HEADING = 40
_WRAPPED_MIN = 25  # a body line at least this long that stops mid-sentence wraps onward
_HEADER_CANDIDATES = 4  # leading rows of a table that may be repeated on later pages
_LABELLED_ITEM = re.compile(r"^[^，,。：:]{2,12}[：:]")  # 预算安排规模：… starts its own line
_CONTACT_LABEL = re.compile(r"(?:联系人|联系电话|电话|负责人)[:：]?$")
_CONTACT_INLINE = re.compile(r"^(.*?(?:联系人|联系电话|电话|负责人)[:：])\s*\S.*$")


def _text(line: str) -> str:
    """A narrative line as printed, minus the export's bold markers and radical glyphs."""
    return fix_chars(line.replace("**", "")).strip()


def _is_row(line: str) -> bool:
    return "\t" in line and bool(line.strip())


def _is_caption(line: str) -> bool:
    s = squash(_text(line))
    return bool(s) and len(s) <= _MAX_CAPTION and (
        bool(_CAPTION.match(s)) or bool(_TABLE_NUMBER.fullmatch(s)))


def _is_table_number(line: str) -> bool:
    return bool(_TABLE_NUMBER.fullmatch(squash(_text(line))))


def _is_note(line: str) -> bool:
    s = squash(_text(line))
    return bool(_NOTE.match(s)) or ("空表" in s and len(s) <= 100)


def _is_title_like(line: str) -> bool:
    """Short, not a sentence, not a caption: what a table title looks like."""
    s = squash(_text(line))
    if not (2 <= len(s) <= _MAX_TITLE) or "。" in s or s[-1] in _NOT_TITLE_END:
        return False
    if _is_caption(line) or line.lstrip().startswith("- "):
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def _is_heading(line: str) -> bool:
    """Numbered section headings, bold lines and short lines without punctuation."""
    raw = line.strip()
    if raw.startswith("- "):
        return False  # a list (table of contents) entry
    s = squash(_text(line))
    if not s or len(s) > _MAX_HEADING:
        return False
    if raw.startswith("**"):
        return True
    if s[-1] in "，,、；;":
        return False  # a line the page layout cut off, not a heading
    if _ORDINAL_HEADING.match(s) and "。" not in s:
        return True
    return len(s) <= 20 and not any(ch in s for ch in "。，,；;：:")


# --- sniffing -------------------------------------------------------------------------

def sniff(text: str) -> float:
    """Score the cue of this shape: many lines holding two or more TAB-separated cells.

    PDF text of this kind prints every table row on one line with TABs between cells, so
    a good share of its non-blank lines carry at least two non-empty cells.  The DOCX
    export puts one cell per line (never two on a line) and the broken-layout PDF text has
    no TABs, so both score 0.  The Markdown-like export also has TAB rows but marks its
    headings with ``#``; a text with several such headings is scored low so that its own
    reader wins.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return 0.0
    rows = sum(1 for ln in lines if sum(1 for c in ln.split("\t") if c.strip()) >= 2)
    if rows < 5:
        return 0.0
    share = rows / len(lines)
    score = 0.6 + 0.4 * min(1.0, share / 0.3)
    headings = sum(1 for ln in lines if _MD_HEADING.match(ln))
    if headings >= 3:
        score *= 0.3
    return round(score, 3)


# --- reading --------------------------------------------------------------------------

@text_shape("tabbed", sniff)
def read_tabbed(text: str) -> list[Block]:
    """Blocks of a TAB-separated PDF text export, in reading order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    pending: list[tuple[int, str]] = []
    table: Table | None = None  # the table still open (may continue on the next page)
    header: list[list[str]] = []  # its header rows, to drop when a page repeats them
    i = 0
    while i < len(lines):
        raw = lines[i].rstrip("\r")
        if not _is_row(raw):
            if table is not None and not raw.strip():
                i += 1
                continue
            if table is not None and _is_note(raw):
                table.notes.append(_text(raw))
                i += 1
                continue
            if raw.strip():
                pending.append((i + 1, raw))
                table = table if all(_is_caption(r) for _, r in pending) else None
            i += 1
            continue
        # A run of TAB lines.
        start = i
        run: list[list[str]] = []
        while i < len(lines) and _is_row(lines[i].rstrip("\r")):
            run.append(_cells(lines[i].rstrip("\r")))
            i += 1
        if table is not None and all(_is_caption(r) for _, r in pending):
            _continue(table, header, run, [_text(r) for _, r in pending])
            pending = []
            continue
        title_at = _title_index(pending)
        title, line, caption, before = _split_pending(pending, title_at, start + 1)
        blocks.extend(_paragraphs(before))
        table = Table(title=title, rows=[_redact(r) for r in run], line=line, caption=caption)
        header = _header_rows(run)
        blocks.append(table)
        pending = []
    blocks.extend(_paragraphs(pending))
    return blocks


def _cells(line: str) -> list[str]:
    return [fix_chars(c).strip() for c in line.split("\t")]


def _redact(row: list[str]) -> list[str]:
    """Blank the values printed next to contact labels (names, phone numbers)."""
    out = list(row)
    for k, cell in enumerate(out):
        s = squash(cell)
        m = _CONTACT_INLINE.match(cell)
        if m and not _CONTACT_LABEL.search(s):
            out[k] = m.group(1)
            continue
        if s and _CONTACT_LABEL.search(s):
            for j in range(k + 1, len(out)):
                if not out[j]:
                    continue
                if not squash(out[j]).endswith(("：", ":")):
                    out[j] = ""
                break
    return out


def _norm_row(row: list[str]) -> tuple[str, ...]:
    """A row compared across pages: no spaces, one bracket style, no trailing empties."""
    cells = [squash(c).replace("(", "（").replace(")", "）") for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


def _has_amount(row: list[str]) -> bool:
    return any(re.fullmatch(r"-?[\d,]*\d\.\d+", squash(c)) for c in row)


def _header_rows(run: list[list[str]]) -> list[tuple[str, ...]]:
    """The leading rows before the first row printing an amount: what later pages repeat."""
    out = []
    for row in run[:_HEADER_CANDIDATES]:
        if _has_amount(row):
            break
        out.append(_norm_row(row))
    return out


def _continue(table: Table, header: list[tuple[str, ...]], run: list[list[str]],
              caption: list[str]) -> None:
    """Append the next page of a table, without the header rows it prints again."""
    k = 0
    while k < len(run) and header and _norm_row(run[k]) in header:
        k += 1
    table.rows.extend(_redact(r) for r in run[k:])
    table.caption.extend(c for c in caption if c not in table.caption)


def _title_index(pending: list[tuple[int, str]]) -> int | None:
    """Position in ``pending`` of the table's title: the line above its caption lines, or
    failing that the nearest numbered heading a few lines up."""
    k = len(pending) - 1
    while k >= 0 and _is_caption(pending[k][1]) and not _is_table_number(pending[k][1]):
        k -= 1
    if k >= 0 and _is_title_like(pending[k][1]):
        return k
    for j in range(k, max(-1, k - 6), -1):
        s = squash(_text(pending[j][1]))
        if _ORDINAL_HEADING.match(s) and _is_title_like(pending[j][1]):
            return j
    return None


def _split_pending(pending: list[tuple[int, str]], title_at: int | None, first_row: int
                   ) -> tuple[str, int, list[str], list[tuple[int, str]]]:
    """(title, its line, caption lines, the lines before them that are paragraphs)."""
    if title_at is None:
        captions = []
        k = len(pending)
        while k > 0 and _is_caption(pending[k - 1][1]):
            k -= 1
            captions.insert(0, _text(pending[k][1]))
        return "", first_row, captions, pending[:k]
    number, raw = pending[title_at]
    after = pending[title_at + 1:]
    if not all(_is_caption(r) for _, r in after):
        # A borrowed heading stays a paragraph; the table takes its wording as title.
        return _text(raw), number, [], pending
    caption = [_text(r) for _, r in after]
    k = title_at
    if k > 0 and _is_table_number(pending[k - 1][1]):
        k -= 1
        caption.insert(0, _text(pending[k][1]))
    return _text(raw), number, caption, pending[:k]


def _paragraphs(lines: list[tuple[int, str]]) -> list[Paragraph]:
    """Blank-separated runs of lines as paragraphs; a line cut mid-sentence by the page
    layout (long, no closing punctuation) is joined to the text that carries on after it."""
    out: list[Paragraph] = []
    prev_number = -2
    tail = ""  # the last physical line added, squashed
    for number, raw in lines:
        text = _text(raw)
        if not text:
            continue
        heading = _is_heading(raw)
        last = out[-1] if out else None
        if last is not None and number == prev_number + 1:
            last.text += "\n" + text
            last.heading = last.heading and heading
        elif last is not None and _wraps(last, tail, raw):
            last.text += text
        else:
            out.append(Paragraph(text=text, line=number, heading=heading))
        prev_number = number
        tail = squash(text)
    return out


def _wraps(last: Paragraph, tail: str, next_raw: str) -> bool:
    """Does ``next_raw`` carry on the sentence that ``tail`` (the line before it) broke off?"""
    nxt = squash(_text(next_raw))
    return (not last.heading and len(tail) >= _WRAPPED_MIN and tail[-1] not in _SENTENCE_END
            and not next_raw.lstrip().startswith(("- ", "**"))
            and not _ORDINAL_HEADING.match(nxt) and not _LABELLED_ITEM.match(nxt)
            and not _is_caption(next_raw))
