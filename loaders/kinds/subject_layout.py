"""The layout of a table whose rows are classification subjects (科目), read from its grid.

Every such table has the same shape, whatever region printed it::

    [identity columns …] [name column] [value columns …]

Identity columns hold the subject code (split over 类 | 款 | 项 or in one cell), a budget
unit's code (单位代码) and sometimes a row number (序号); the name column holds subject,
unit or project names; every column to its right holds money.  What a value column
measures is said by the header rows above the body, which are often nested (本年支出 over
合计 | 基本支出 | 项目支出) and which text exports print imperfectly: merged cells are
repeated (涞源) or shifted one column to the left (潼南 05表).  So the header is read as a
tree of labels and its leaves are matched to the value columns in order; only when the
counts differ are they matched by position.  A 栏次 row (1 2 3 …) numbers the printed
columns and, where present, says which columns hold values.

Some 决算 tables print two or three subject lists side by side (潼南 06表: 人员经费 |
公用经费 | 公用经费, each ``科目代码 | 科目名称 | 决算数``); ``side_by_side`` finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.normalise import clean_label, parse_number, squash

_CJK = re.compile(r"[\u4e00-\u9fff]")
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
# Header labels of identity columns (and the 类/款/项 sub-labels under them).
_IDENTITY = re.compile(r"科目|编码|代码|名称|序号|栏次|行次|^[类款项]$|^项目$")
_SEQUENCE_LABEL = re.compile(r"序号|行次|栏次")
_UNIT_LABEL = re.compile(r"单位代码|单位编码")
_SUBJECT_CODE_LABEL = re.compile(r"^(?:科目代码|科目编码)$")
# Labels of rows that sum other rows and name no subject.
TOTAL_ROW = re.compile(r"^(?:合计|总计|小计|.{1,12}合计)$")
_BODY_TOTAL = ("合计", "总计")
_NOTHING = ("无", "无数据", "本表无数据")

# What a value column measures, by its leaf label.
_TOTAL_WORDS = frozenset({
    "合计", "小计", "总计", "金额", "本年支出合计", "支出合计", "本年支出", "决算数", "预算数",
    "支出预算", "预算金额", "本年预算", "本年预算数", "支出决算",
})
_OTHER = re.compile(r"上缴上级|上解上级|对附属单位补助|^经营支出$|预留机动经费")
_CARRY = re.compile(r"结转|结余")
_FUND_WORDS = (("一般公共预算", "general_public"), ("政府性基金", "government_fund"),
               ("国有资本", "state_capital"))


def cell(row: list[str], col: int | None) -> str:
    """The cell at ``col`` ('' past the end of a short row or for no column)."""
    if col is None or col >= len(row):
        return ""
    return row[col]


def label(text: str) -> str:
    """A header or name cell as a comparable label (no spaces, radicals folded)."""
    return clean_label(text)


def is_money(text: str) -> bool:
    """A printed amount (as opposed to a code or a column number): has decimals or commas."""
    return parse_number(text) is not None and ("." in text or "," in text)


def is_code(text: str) -> bool:
    return bool(_CODE.match(squash(text)))


def is_identity(text: str) -> bool:
    return bool(_IDENTITY.search(text))


def is_number_row(row: list[str]) -> bool:
    """A 栏次 row: the printed columns numbered 1, 2, 3 … (plus 类/款/项/栏次 labels)."""
    filled = [squash(c) for c in row if squash(c)]
    numbers = [int(c) for c in filled if c.isdigit()]
    words = [c for c in filled if not c.isdigit()]
    return (len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1))
            and all(is_identity(w) for w in words))


@dataclass(frozen=True)
class Column:
    """A value column: where it is and what its cells measure."""

    index: int
    category: str
    item: str | None = None  # set when the category alone does not say what the cell is
    fund: str | None = None  # set when the column's header names a fund
    path: tuple[str, ...] = ()  # the header labels above the cells, outermost first


@dataclass
class Layout:
    """Where the parts of a subject table are."""

    body_start: int
    width: int
    name_col: int | None
    code_cols: list[int] = field(default_factory=list)
    unit_col: int | None = None
    columns: list[Column] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # header labels not understood


@dataclass
class _Label:
    row: int
    start: int
    end: int
    text: str


def body_start(rows: list[list[str]]) -> int:
    """Index of the first body row: the first one holding an amount, a code or a lone 合计."""
    for i, row in enumerate(rows):
        if is_number_row(row):
            continue
        labels = [t for t in (label(c) for c in row) if t]
        if any(is_money(c) for c in row) or any(_CODE.match(t) for t in labels):
            return i
        # A 合计 row of an empty table; a header row prints other labels beside 合计.
        if any(t in _BODY_TOTAL for t in labels) and len(labels) == 1:
            return i
        # An empty table's one body row saying so (无).
        if labels and all(t in _NOTHING for t in labels):
            return i
    return len(rows)


def _name_column(rows: list[list[str]], start: int, width: int) -> int | None:
    """The column holding the most names (Chinese text) in the body; header as fallback."""
    counts = [0] * width
    for row in rows[start:]:
        for c in range(min(width, len(row))):
            t = squash(row[c])
            if t and _CJK.search(t) and parse_number(t) is None:
                counts[c] += 1
    if max(counts, default=0) > 0:
        return counts.index(max(counts))
    for row in rows[:start]:
        for c, text in enumerate(row):
            if "名称" in label(text):
                return c
    return None


def _header_labels(header: list[list[str]], width: int) -> list[list[_Label]]:
    """Labels of each header row with the columns they span.

    A merged cell printed once per column it covers is one label; a label also covers the
    blank cells to its right, up to the next label of its row.
    """
    out: list[list[_Label]] = []
    for r, row in enumerate(header):
        labels: list[_Label] = []
        if not is_number_row(row):
            texts = [label(cell(row, c)) for c in range(width)]
            c = 0
            while c < width:
                if not texts[c]:
                    c += 1
                    continue
                start = c
                while c < width and texts[c] == texts[start]:
                    c += 1
                labels.append(_Label(r, start, c, texts[start]))
            for a, b in zip(labels, labels[1:], strict=False):
                a.end = b.start
            if labels:
                labels[-1].end = width
        out.append(labels)
    return out


def _leaves(rows_labels: list[list[_Label]]) -> list[tuple[_Label, tuple[str, ...]]]:
    """The header's leaves (labels with no value label under them), left to right,
    each with its path of labels from the top."""
    def value_labels(r: int) -> list[_Label]:
        return [x for x in rows_labels[r] if not is_identity(x.text)]

    leaves: list[tuple[_Label, tuple[str, ...]]] = []
    n = len(rows_labels)
    for r in range(n):
        for lab in value_labels(r):
            ancestors = [a for rr in range(r) for a in value_labels(rr)
                         if a.start <= lab.start < a.end]
            if any(a.text == lab.text for a in ancestors):
                continue  # a merged cell repeated on the next header row
            below = [b for rr in range(r + 1, n) for b in value_labels(rr)
                     if lab.start <= b.start < lab.end and b.text != lab.text]
            if below:
                continue
            leaves.append((lab, (*(a.text for a in ancestors), lab.text)))
    leaves.sort(key=lambda lp: (lp[0].start, lp[0].row))
    return leaves


def meaning(path: tuple[str, ...]) -> tuple[str, str | None, str | None, bool]:
    """(category, item, fund, understood) of a value column from its header path.

    合计 → total, 基本支出 → basic, 项目支出 → project, 人员经费 → personnel, 公用经费 →
    public; columns under a 结转/结余 group are carry_over and under a 收入 group income,
    both with the path as item; 上缴上级支出, 对附属单位补助支出, 经营支出 → other with the
    label as item.  A label naming a fund (一般公共预算 …) sets the column's fund.
    """
    leaf, groups = path[-1], path[:-1]
    joined = "/".join(path)
    fund = next((f for p in reversed(path) for word, f in _FUND_WORDS if word in p), None)
    if any(_CARRY.search(g) for g in groups):
        return "carry_over", joined, fund, True
    if any("收入" in g for g in groups) or leaf.endswith("收入"):
        return "income", joined, fund, True
    if "人员经费" in leaf:
        return "personnel", None, fund, True
    if "公用经费" in leaf:
        return "public", None, fund, True
    if "机关运行经费" in leaf:
        return "office_operation", None, fund, True
    if leaf == "基本支出":
        return "basic", None, fund, True
    if leaf == "项目支出":
        return "project", None, fund, True
    if leaf in _TOTAL_WORDS:
        return "total", None, fund, True
    if _OTHER.search(leaf):
        return "other", leaf, fund, True
    if any(word in leaf for word, _ in _FUND_WORDS):
        return "total", None, fund, True
    if "当年" in leaf or "本年" in leaf:
        return "total", leaf, fund, True
    if _CARRY.search(leaf):
        return "carry_over", joined, fund, True
    return "other", joined, fund, False


def _sequence_column(rows: list[list[str]], start: int, col: int) -> bool:
    """A 序号 column by its content: 1, 2, 3 … down the body."""
    values = [squash(cell(r, col)) for r in rows[start:]]
    filled = [v for v in values if v]
    if len(filled) < 2 or not all(v.isdigit() and len(v) <= 3 for v in filled):
        return False
    numbers = [int(v) for v in filled]
    return all(b == a + 1 for a, b in zip(numbers, numbers[1:], strict=False))


def read_totals_layout(rows: list[list[str]]) -> Layout | None:
    """The layout of a table of totals only: header rows over rows that print nothing but
    amounts, with no name or code column (江苏 支出预算总表)::

        合计 | 基本支出 | 项目支出 | 单位预留机动经费 | 结转下年资金
        24,458.43 | 10,403.11 | 12,081.46 | 1,973.86 |

    Every column is a value column, read by its header like any other.  None when a body
    cell holds anything but an amount.
    """
    start = body_start(rows)
    width = max((len(r) for r in rows), default=0)
    body = rows[start:]
    if not body or start == 0:
        return None
    if any(squash(c) and parse_number(c) is None for r in body for c in r):
        return None
    layout = Layout(body_start=start, width=width, name_col=None)
    leaves = _leaves(_header_labels(rows[:start], width))
    if len(leaves) != width:
        return None
    for c, (_, path) in enumerate(leaves):
        category, item, fund, understood = meaning(path)
        if not understood:
            layout.unknown.append("/".join(path))
        layout.columns.append(Column(c, category, item, fund, path))
    return layout


def read_layout(rows: list[list[str]]) -> Layout:
    """Find the identity, name and value columns of a subject table and what each value
    column measures."""
    start = body_start(rows)
    width = max((len(r) for r in rows), default=0)
    header = rows[:start]
    name_col = _name_column(rows, start, width)
    layout = Layout(body_start=start, width=width, name_col=name_col)
    if name_col is None:
        return layout

    def header_has(col: int, pattern: re.Pattern[str]) -> bool:
        return any(pattern.search(label(cell(r, col))) for r in header)

    sequence = {c for c in range(name_col)
                if header_has(c, _SEQUENCE_LABEL) or _sequence_column(rows, start, c)}
    units = [c for c in range(name_col) if c not in sequence and header_has(c, _UNIT_LABEL)]
    layout.unit_col = units[0] if units else None
    layout.code_cols = [c for c in range(name_col) if c not in sequence and c not in units]

    leaves = _leaves(_header_labels(header, width))
    numbered = next((r for r in header if is_number_row(r)), None)
    if numbered is not None:
        candidates = [c for c, t in enumerate(numbered) if squash(t).isdigit() and c > name_col]
    else:
        candidates = list(range(name_col + 1, width))
    while len(candidates) > len(leaves) and not any(squash(cell(r, candidates[-1]))
                                                    for r in rows):
        candidates.pop()
    if len(candidates) == len(leaves):
        pairs = [(c, path) for c, (_, path) in zip(candidates, leaves, strict=True)]
    else:
        pairs = []
        for c in candidates:
            covering = [(lab, path) for lab, path in leaves if lab.start <= c < lab.end]
            if covering:
                pairs.append((c, max(covering, key=lambda lp: lp[0].row)[1]))
    for c, path in pairs:
        category, item, fund, understood = meaning(path)
        if not understood:
            layout.unknown.append("/".join(path))
        layout.columns.append(Column(c, category, item, fund, path))
    return layout


@dataclass(frozen=True)
class Group:
    """One of several subject lists printed side by side: code, name and value columns."""

    code_col: int
    name_col: int
    value_col: int
    category: str  # personnel | public | basic, from the label printed over the group
    title: str
    # all the columns the code is printed over (类 | 款), when more than ``code_col``
    code_cols: tuple[int, ...] = ()

    def code_columns(self) -> tuple[int, ...]:
        return self.code_cols or (self.code_col,)


def side_by_side(rows: list[list[str]]) -> tuple[int, list[Group]] | None:
    """(first body row, groups) when the table prints ≥ 2 ``科目代码 | 科目名称 | 金额``
    groups next to each other; None for an ordinary table."""
    for r, row in enumerate(rows[:6]):
        labels = [label(c) for c in row]
        code_cols = [c for c, t in enumerate(labels) if _SUBJECT_CODE_LABEL.match(t)]
        if len(code_cols) < 2:
            found = _named_groups(rows, r)
            if found is not None:
                return found
            continue
        above = rows[r - 1] if r > 0 else []
        groups = []
        for k in code_cols:
            if "名称" not in label(cell(row, k + 1)):
                return None
            title = next((label(cell(above, c)) for c in range(k, -1, -1)
                          if label(cell(above, c))), "")
            category = ("personnel" if "人员" in title else
                        "public" if "公用" in title else "basic")
            groups.append(Group(k, k + 1, k + 2, category, title))
        return r + 1, groups
    return None


def _named_groups(rows: list[list[str]], r: int) -> tuple[int, list[Group]] | None:
    """Side-by-side lists found by their name columns (上海 决算 05/06表)::

        经济分类科目编码 | 科目名称 | 决算数 | 经济分类科目编码 | 科目名称 | 决算数
        类 | 款 | 科目名称 | 决算数 | 类 | 款 | 科目名称 | 决算数

    Row ``r`` prints ``…名称`` over two or more columns; each group's code is printed in
    the columns left of its name (up to the previous group's value) and its value in the
    column right of it.  Every group must print codes and amounts in the body, so a
    per-unit table (单位名称 | 科目编码 | 科目名称 | …) is not taken for one.
    """
    labels = [label(c) for c in rows[r]]
    names = [c for c, t in enumerate(labels) if t.endswith("名称") and "单位" not in t]
    if len(names) < 2:
        return None
    groups = []
    low = 0
    for k in names:
        code_cols = tuple(range(low, k))
        value = k + 1
        low = k + 2
        body = rows[r + 1:]
        if not code_cols or value in names:
            return None
        has_code = any(_CODE.match(squash("".join(cell(b, c) for c in code_cols)))
                       for b in body)
        has_money = any(is_money(cell(b, value)) for b in body)
        if not (has_code and has_money):
            return None
        groups.append(Group(code_cols[0], k, value, "basic", "", code_cols))
    return r + 1, groups
