"""Summary tables: 收支总表, 收入总表 and 财政拨款收支总表 (budget and final account).

Two layouts occur, whatever the region:

* two-sided (收支总表, 财政拨款收支总表, 收入支出决算表): income rows on the left, expenditure
  rows on the right, each side with its label column, optional 行次/序号 columns and one
  or more amount columns::

      项 目 | 预算数 | 项 目 | 合计 | 一般公共预算 | 政府性基金预算 | …
      一、一般公共预算拨款收入 | 2,058.80 | 一、一般公共服务支出 | 1,727.84 | …

  On the income side the row says where the money comes from (fund); on the expenditure
  side the row names a 类 of the functional classification (by code or by name) and the
  column says which fund pays.  江苏 prints a second expenditure side, 支出用途 (基本支出
  | 项目支出 | 单位预留机动经费, the department's totals of those uses), and the amounts
  of 当年支出小计 / 支出合计 in that side's column.

* by source (收入总表, 收入决算表): one row per unit (单位代码 301001 …) or per functional
  subject (科目编码 2010301 …), one column per source of income (一般公共预算, 事业收入 …);
  or (江苏 收入预算总表) one row per source under a single 金额 column, the sources grouped
  (一般公共预算资金 | 小计, then its parts).

The grid analysis below (which columns are labels, codes, row numbers, amounts; where the
header ends) is shared with the 三公 tables (``loaders.kinds.three_public``).  Columns are
typed by what their body cells hold, not by position, so 行次/栏次/序号 columns and a
table's layout variants need no special cases.  Blank cells are absent values, never 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.normalise import (
    clean_label,
    join_code,
    money_unit,
    parse_number,
    split_code_name,
    squash,
)
from loaders.recognise import recognise
from ontology.subjects import code_list, normalise_name

# --- labels ---------------------------------------------------------------------------

_PREFIX = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.．、](?!\d)|其中[:：])")
_TOP_LEVEL = re.compile(r"^[一二三四五六七八九十]+、")
_BLANKS = ("", "—", "-", "——", "/", "－", "--")
_DECIMAL = re.compile(r"^-?[\d,，]*\d\.\d+$")
# Whole amounts printed with thousands separators (万里街道: 156,211,123 元).
_GROUPED = re.compile(r"^-?\d{1,3}(?:[,，]\d{3})+$")
_INTEGER = re.compile(r"^\d[\d,，]*$")
_SUBJECT_CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
_COLUMN_NUMBER = re.compile(r"^(?:\d{1,2}|栏次)$")


def plain_label(cell: str) -> str:
    """A row label without spaces, ordinals (一、 1. （一）) or 其中： — as it names a thing."""
    s = clean_label(cell)
    while True:
        t = _PREFIX.sub("", s)
        if t == s:
            return s.strip("：:")
        s = t


def is_top_level(cell: str) -> bool:
    """Rows numbered 一、二、… open a section of the table."""
    return bool(_TOP_LEVEL.match(squash(cell)))


def fund_of(text: str) -> str | None:
    """The fund a label or column header names, or None when it names none."""
    t = squash(text)
    if "非财政拨款" in t:
        return None
    if "一般公共预算" in t or "一般财力" in t:
        return "general_public"
    if "政府性基金" in t:
        return "government_fund"
    if "国有资本" in t:
        return "state_capital"
    if "财政专户" in t:
        return "special_account"
    if any(w in t for w in ("单位资金", "事业收入", "经营收入", "其他收入", "上级补助",
                            "附属单位上缴", "事业基金", "其他资金")):
        return "unit_funds"
    if "财政拨款" in t:
        return "all"
    return None


def row_owner(ctx: Context, name: str, code: str | None) -> str:
    """The Department or Unit a row of a per-unit table speaks of."""
    if squash(name) == squash(ctx.department.name) or (code and code == ctx.department.code):
        return ctx.department.id
    return ctx.unit(name.strip(), code)


def class_code(name: str) -> str | None:
    """The 类 (3-digit functional code) printed by name only (一般公共服务支出 → 201)."""
    wanted = normalise_name(plain_label(name))
    if not wanted:
        return None
    hits = []
    for code, n in code_list("functional").items():
        known = normalise_name(n)
        if len(code) == 3 and wanted in (known, known.removesuffix("支出")):
            hits.append(code)
    return hits[0] if len(hits) == 1 else None


def is_total(name: str) -> bool:
    return "合计" in name or "总计" in name


def table_unit(table: Table, ctx: Context) -> str | None:
    """The money unit printed with a table (万元 or 元); a problem when it prints none."""
    unit = money_unit(table.caption) or money_unit(table.title) or money_unit(table.notes)
    if unit is None:
        ctx.problem("no money unit (单位：万元/元) printed with the table; not read", table)
    return unit


# --- the grid -------------------------------------------------------------------------

@dataclass
class Side:
    """A label column with the code columns before it and the amount columns it governs."""

    label: int
    codes: list[int] = field(default_factory=list)
    amounts: list[int] = field(default_factory=list)


@dataclass
class Grid:
    rows: list[list[str]]  # every row, padded to the same width
    first_body: int  # index of the first row after the header
    headers: list[list[str]]  # per column: its header cells top-down (column numbers dropped)
    roles: list[str]  # per column: label | code | rowno | amount | empty
    sides: list[Side]

    def body(self) -> list[tuple[int, list[str]]]:
        return [(r, self.rows[r]) for r in range(self.first_body, len(self.rows))]

    def header_text(self, col: int) -> str:
        return "".join(self.headers[col])

    def leaf(self, col: int) -> str:
        return self.headers[col][-1] if self.headers[col] else ""

    def code(self, side: Side, row: list[str]) -> str | None:
        """The code printed for a row on this side (over 类/款/项 columns or in one cell)."""
        cells = [row[c] for c in side.codes if squash(row[c])]
        if not cells:
            return None
        if any("单位" in self.header_text(c) for c in side.codes):
            return squash("".join(cells))
        return join_code(*cells)


def _blank(cell: str) -> bool:
    return squash(cell) in _BLANKS


def _is_data_row(row: list[str]) -> bool:
    """A body row: it prints an amount, or its label opens with 合计/一、/a subject code."""
    if any(_DECIMAL.match(squash(c)) or _GROUPED.match(squash(c)) for c in row):
        return True
    first = next(((k, squash(c)) for k, c in enumerate(row) if squash(c)), None)
    if first is None or first[0] > 1:
        return False
    s = first[1]
    return bool(s in ("合计", "总计") or _TOP_LEVEL.match(s) or _SUBJECT_CODE.fullmatch(s))


def analyse(table: Table) -> Grid:
    """Type the columns of a table and group them into sides."""
    width = max((len(r) for r in table.rows), default=0)
    rows = [list(r) + [""] * (width - len(r)) for r in table.rows]
    first_body = next((k for k, r in enumerate(rows) if _is_data_row(r)), len(rows))
    headers = [[squash(rows[h][c]) for h in range(first_body)
                if squash(rows[h][c]) and not _COLUMN_NUMBER.match(squash(rows[h][c]))]
               for c in range(width)]
    roles = [_role(headers[c], [rows[r][c] for r in range(first_body, len(rows))])
             for c in range(width)]
    sides: list[Side] = []
    codes: list[int] = []
    for c, role in enumerate(roles):
        if role == "label":
            sides.append(Side(label=c, codes=codes))
            codes = []
        elif role == "code":
            codes.append(c)
        elif role == "amount" and sides:
            sides[-1].amounts.append(c)
    return Grid(rows=rows, first_body=first_body, headers=headers, roles=roles,
                sides=[s for s in sides if s.amounts])


# Words a code column prints besides codes: its own 类/款/项 sub-header (when that row also
# carries the 合计 amounts, so it reads as body) and a 合计 spanning the code columns.
_CODE_COLUMN_WORDS = frozenset({"类", "款", "项", "合计", "总计", "小计"})


def _role(header: list[str], cells: list[str]) -> str:
    values = [squash(c) for c in cells if not _blank(c)]
    if any(_INTEGER.match(v) for v in values):
        header = header + [v for v in values if v in ("类", "款", "项")]
        values = [v for v in values if v not in _CODE_COLUMN_WORDS]
    decimals = sum(1 for v in values if _DECIMAL.match(v) or _GROUPED.match(v))
    integers = sum(1 for v in values if _INTEGER.match(v) and not _GROUPED.match(v))
    texts = len(values) - decimals - integers
    head = "".join(header)
    if decimals and decimals >= texts:
        return "amount"
    if texts:
        return "label"
    if integers and all(v == "0" for v in values):
        return "amount"  # a column of amounts that are all nothing (事业收入 0)
    if integers:
        if any(w in head for w in ("行次", "序号", "栏次")):
            return "rowno"
        if any(w in head for w in ("编码", "代码", "科目", "类", "款", "项")):
            return "code"
        lengths = {len(v) for v in values}
        return "code" if lengths <= {3, 5, 6, 7} else "rowno"
    if any(w in head for w in ("合计", "小计", "预算数", "决算数", "金额")) or fund_of(head):
        return "amount"
    return "empty"


def emit(ctx: Context, table: Table, kind: str, unit: str, row: int, col: int, cell: str,
         **fields: object) -> bool:
    """Add the amount printed in one cell, if it prints one; True when it did."""
    value = parse_number(cell)
    if value is None:
        return False
    ctx.add_amount(table, row, col, value, unit, table_kind=kind, printed=cell.strip(),
                   **fields)  # type: ignore[arg-type]
    return True


# --- the extractor --------------------------------------------------------------------

@table_extractor("income_expenditure_summary", "income", "fiscal_summary")
def extract_summary(table: Table, ctx: Context) -> None:
    """Amounts of a 收支总表 / 收入总表 / 财政拨款收支总表, whichever layout it has."""
    kind = recognise(table) or "income_expenditure_summary"
    grid = analyse(table)
    if not grid.sides:
        return  # header only (空表) or nothing that reads as amounts
    unit = table_unit(table, ctx)
    if unit is None:
        return
    if len(grid.sides) >= 2:
        _two_sided(table, ctx, kind, unit, grid)
    elif _sources_as_rows(grid, grid.sides[0]):
        _income_rows(table, ctx, kind, unit, grid, grid.sides[0])
    else:
        _by_source(table, ctx, kind, unit, grid, grid.sides[0])


def _side_item(name: str, side: str) -> str:
    """Totals are printed as 合计/总计 on both sides; the item says which side's it is."""
    return name if side in name else side + name


@dataclass
class _IncomeState:
    section: str = "income"  # income | carry_over


def _income_row(name: str, state: _IncomeState) -> tuple[str, str, str] | None:
    """(category, fund, item) of an income-side row."""
    if not name:
        return None
    if is_total(name) or name == "本年收入" or name.endswith("小计"):
        state.section = "income"
        return "total", "all", _side_item(name, "收入")
    if ("结转" in name or "结余" in name) and not any(w in name for w in ("年末", "年终", "下年")):
        state.section = "carry_over"
        return "carry_over", fund_of(name) or "all", name
    fund = fund_of(name)
    if fund is None:
        return "other", "all", name
    return state.section, fund, name


# Rows saying what the money is used for (江苏 支出用途: 基本支出 | 项目支出 | 单位预留机动经费):
# the department's totals of those columns elsewhere.
_USES = {"基本支出": "basic", "项目支出": "project"}
_RESERVE = "预留机动经费"


def _expenditure_row(name: str, code: str | None) -> tuple[str, str | None, str | None]:
    """(category, functional code, item) of an expenditure-side row."""
    if is_total(name) or name == "本年支出" or name.endswith("小计"):
        return "total", None, _side_item(name, "支出")
    if name in _USES:
        return _USES[name], None, None
    if _RESERVE in name:
        return "other", None, name
    if "结余分配" in name or "事业基金" in name:
        return "other", None, name
    if ("结转" in name or "结余" in name) and any(w in name for w in ("年末", "年终", "下年")):
        return "carry_over", None, name
    code = code or class_code(name)
    if code:
        return "total", code, None
    return "other", None, name


def _two_sided(table: Table, ctx: Context, kind: str, unit: str, grid: Grid) -> None:
    """Income on the first side; expenditure on the others (江苏 prints two: 功能分类 and
    支出用途, and the 当年支出小计 / 支出合计 of both in the 支出用途 amount column)."""
    state = _IncomeState()
    for r, row in grid.body():
        _income_side(table, ctx, kind, unit, grid, grid.sides[0], state, r, row)
        carried = ""  # a total label whose amount is printed in the next side's column
        for side in grid.sides[1:]:
            carried = _expenditure_side(table, ctx, kind, unit, grid, side, r, row, carried)


def _income_side(table: Table, ctx: Context, kind: str, unit: str, grid: Grid, income: Side,
                 state: _IncomeState, r: int, row: list[str]) -> None:
    """Amounts of the income side of one row."""
    name = plain_label(row[income.label])
    got = _income_row(name, state)
    for c in income.amounts:
        if got is None:
            if parse_number(row[c]) is not None:
                ctx.problem(f"an income amount without a label ({row[c]})", table, r)
            continue
        category, fund, item = got
        emitted = emit(ctx, table, kind, unit, r, c, row[c], category=category, fund=fund,
                       item=item)
        if emitted and category == "other":
            ctx.problem(f"income row {name!r} not understood; loaded as 'other'", table, r)


# Expenditure-side columns that say what part of the spending they hold.
_SPENDING_COLUMNS = {"基本支出": "basic", "项目支出": "project", "人员经费": "personnel",
                     "公用经费": "public"}


def _expenditure_side(table: Table, ctx: Context, kind: str, unit: str, grid: Grid,
                      expenditure: Side, r: int, row: list[str], carried: str) -> str:
    """Amounts of one expenditure side of a row; returns a total label left without an
    amount on this side, for the next side to use."""
    printed_code, printed_name = split_code_name(clean_label(row[expenditure.label]))
    code = grid.code(expenditure, row) or printed_code
    name = plain_label(printed_name)
    if not name and not code and carried:
        name = carried
    category, subject, item = _expenditure_row(name, code)
    if subject:
        ctx.functional_subject(subject, name or None)
    printed = False
    for c in expenditure.amounts:
        fund = fund_of(grid.leaf(c)) or "all"
        if not name and not subject:
            if parse_number(row[c]) is not None:
                ctx.problem(f"an expenditure amount without a label ({row[c]})", table, r)
            continue
        # 上海 单位 summaries split 合计 into 基本支出 (人员经费 | 公用经费) | 项目支出 columns
        column = _SPENDING_COLUMNS.get(grid.leaf(c)) if category == "total" else None
        emitted = emit(ctx, table, kind, unit, r, c, row[c], category=column or category,
                       fund=fund, functional=subject, item=item)
        printed = printed or emitted
        if emitted and category == "other" and _RESERVE not in name:
            ctx.problem(f"expenditure row {name!r} not understood; loaded as 'other'",
                        table, r)
    return name if category == "total" and not subject and not printed else ""


def _income_column(grid: Grid, col: int) -> tuple[str, str, str] | None:
    """(category, fund, item) of a column of a 收入总表 (one column per source)."""
    full, leaf = grid.header_text(col), grid.leaf(col)
    if not leaf:
        return None
    if "上年结转" in full or "年初结转" in full:
        return "carry_over", "all", leaf
    if leaf in ("合计", "小计", "本年收入合计", "本年收入小计") or leaf == "本年收入":
        if "本年收入" in full:
            return "income", "all", leaf if "本年收入" in leaf else "本年收入" + leaf
        return "total", "all", leaf
    fund = fund_of(leaf)
    if fund is None:
        return None
    return "income", fund, leaf


def _by_source(table: Table, ctx: Context, kind: str, unit: str, grid: Grid, side: Side
               ) -> None:
    columns = {c: _income_column(grid, c) for c in side.amounts}
    for c, meaning in columns.items():
        if meaning is None and any(parse_number(grid.rows[r][c]) is not None
                                   for r, _ in grid.body()):
            ctx.problem(f"column {grid.header_text(c)!r} not understood; not read", table)
    per_unit = any("单位" in grid.header_text(c) for c in side.codes) or (
        not side.codes and "单位名称" in grid.header_text(side.label))
    for r, row in grid.body():
        printed_code, printed_name = split_code_name(clean_label(row[side.label]))
        name = plain_label(printed_name)
        code = grid.code(side, row) or (None if per_unit else printed_code)
        owner, subject, row_item = ctx.department.id, None, None
        if not name and not code:
            # 合计 printed in the code columns (the cell spans 类 | 款 | 项)
            name = next((w for w in (plain_label(row[c]) for c in side.codes) if is_total(w)),
                        "")
            if not name:
                continue
        if is_total(name):
            row_item = name
        elif per_unit:
            owner = row_owner(ctx, clean_label(row[side.label]), code)
        elif code:
            subject = ctx.functional_subject(code, name or None)
        elif squash(name) != squash(ctx.department.name):  # the department's row: no subject
            found = class_code(name)
            subject = ctx.functional_subject(found, name) if found else None
            row_item = None if found else name
        for c, meaning in columns.items():
            if meaning is None:
                continue
            category, fund, col_item = meaning
            emit(ctx, table, kind, unit, r, c, row[c], category=category, fund=fund, of=owner,
                 functional=subject, item=col_item or row_item)


# --- sources as rows (江苏 收入预算总表) ------------------------------------------------

_VALUE_HEADERS = ("金额", "预算数", "预算金额", "决算数")


def _sources_as_rows(grid: Grid, side: Side) -> bool:
    """A 收入总表 listing its sources as rows, under one value column::

        项目名称                         | 金额
        收入总计                         | 24,458.43
        一般公共预算资金 | 小计           | 24,458.43
                         | 公共财政拨款(补助)资金 | 24,458.43
    """
    return not side.codes and all(
        _income_column(grid, c) is None and grid.leaf(c) in _VALUE_HEADERS
        for c in side.amounts)


def _income_rows(table: Table, ctx: Context, kind: str, unit: str, grid: Grid, side: Side
                 ) -> None:
    """Each row is a source (a group's 小计 or one of its parts); the fund is the one the
    group names (一般公共预算资金 → general_public), else the row's own."""
    left = side.label - 1
    group_col = left if left >= 0 and grid.roles[left] == "label" else None
    group = ""
    for r, row in grid.body():
        if group_col is not None and plain_label(row[group_col]):
            group = plain_label(row[group_col])
        own = plain_label(row[side.label])
        name = own if own and own != "小计" else group
        if not name:
            continue
        if is_total(name) and own != "小计":
            category, fund, item = "total", "all", _side_item(name, "收入")
        elif "结转" in name or "结余" in name:
            category, fund, item = "carry_over", fund_of(name) or "all", name
        else:
            fund_name = fund_of(group) or fund_of(name)
            if fund_name is None:
                if any(parse_number(row[c]) is not None for c in side.amounts):
                    ctx.problem(f"income row {name!r} not understood; not read", table, r)
                continue
            category, fund, item = "income", fund_name, name
        for c in side.amounts:
            emit(ctx, table, kind, unit, r, c, row[c], category=category, fund=fund,
                 item=item)
