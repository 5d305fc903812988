"""“三公”经费 tables and the final account's 机构运行信息决算表.

The items have no subject code; the category names them (records.CATEGORIES):
three_public (合计/小计 of the three), overseas_travel (因公出国（境）费),
vehicle_purchase_operation (公务用车购置及运行费 小计), vehicle_purchase, vehicle_operation,
official_reception (公务接待费), and in 机构运行信息 also office_operation (机关运行经费),
meeting, training, travel and procurement.  ``item`` keeps the printed label, so a
sub-item (国内接待费, 其他因公出国（境）费) is told apart from the line it belongs to.

Three layouts occur:

* items as columns, one row per unit (江油)::

      单位编码 | 单位名称 | 合计 | 因公出国（境）费用 | 公务用车…小计 | 购置费 | 运行费 | 接待费

* items as rows, one column per fund (若羌, 涞源)::

      “三公”经费支出内容 | 合计 | 一般公共预算 | 政府性基金 | 国有资本经营预算

* items as rows on two sides with 行次 columns (潼南 09表); the left side also prints
  counts (团组数, 批次, 人次, 车辆数) that are not money and are skipped.

* items as columns under nested headers, with one row of amounts and no label at all
  (上海 budgets and final accounts)::

      “三公”经费预算数                                         | 机关运行经费预算数
      合计 | 因公出国(境)费 | 公务接待费 | 公务用车购置及运行费    |
                                       | 小计 | 购置费 | 运行费 |
      1.00 |                | 1.00       |      |        |        | 171.01

  The final account splits each item into 预算数 | 决算数, which give the measure
  (budget / actual) of the column.  ``小计`` under an item is that item's subtotal.

A row numbered 一、二、… opens a section, and unnumbered rows under it inherit its category
(（一）行政单位 under 五、机关运行经费).  Empty tables (空表) produce nothing.
"""

from __future__ import annotations

import re

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.kinds.summary import (
    Grid,
    Side,
    analyse,
    emit,
    fund_of,
    is_top_level,
    plain_label,
    row_owner,
    table_unit,
)
from loaders.normalise import parse_number, squash
from loaders.recognise import recognise

# Printed counts, not money: 车辆数合计（辆）, 国内公务接待批次（个）, 人次（人）…
_COUNT = re.compile(r"[（(](?:辆|个|人|台|套|次|批)[)）]|团组数|人次|批次|保有量|购置数|车辆数")
_COUNT_SECTIONS = ("相关统计数", "资产信息", "统计数")


def category_of(text: str) -> str | None:
    """The category a 三公 item label or column header names (None: it names none)."""
    t = squash(text)
    if "因公出国" in t:
        return "overseas_travel"
    if "公务用车购置及运" in t or ("公务用车" in t and "小计" in t):
        return "vehicle_purchase_operation"
    if "公务用车购置" in t or "车辆购置" in t:
        return "vehicle_purchase"
    if "公务用车运" in t or "运行维护" in t:
        return "vehicle_operation"
    if "接待" in t:
        return "official_reception"
    if "机关运行经费" in t:
        return "office_operation"
    if "会议费" in t:
        return "meeting"
    if "培训费" in t:
        return "training"
    if "差旅费" in t:
        return "travel"
    if "政府采购" in t:
        return "procurement"
    if "三公" in t or "合计" in t or "小计" in t:
        return "three_public"
    return None


def _table_fund(table: Table) -> str:
    """Fund of a table whose columns do not say it (一般公共预算“三公”… → general_public)."""
    return fund_of(table.title) or "all"


@table_extractor("three_public", "government_fund_three_public", "institution_operation")
def extract_three_public(table: Table, ctx: Context) -> None:
    """Amounts of a 三公 table or a 机构运行信息决算表."""
    kind = recognise(table) or "three_public"
    if _unlabelled_rows(table):
        _items_as_columns(table, ctx, kind)
        return
    grid = analyse(table)
    if not grid.sides:
        return  # 空表: headers and a 合计 row with nothing in it
    unit = table_unit(table, ctx)
    if unit is None:
        return
    side = grid.sides[0]
    by_column = len(grid.sides) == 1 and any(
        category_of(grid.header_text(c)) not in (None, "three_public") for c in side.amounts)
    if by_column:
        _units_as_rows(table, ctx, kind, unit, grid, side)
    else:
        for s in grid.sides:
            _items_as_rows(table, ctx, kind, unit, grid, s)


def _units_as_rows(table: Table, ctx: Context, kind: str, unit: str, grid: Grid, side: Side
                   ) -> None:
    fund = _table_fund(table)
    columns = {}
    for c in side.amounts:
        category = category_of(grid.header_text(c))
        if category is not None:
            columns[c] = (category, _column_item(grid.headers[c]))
    for r, row in grid.body():
        name = plain_label(row[side.label])
        code = grid.code(side, row)
        if not name and not code:
            continue
        owner = ctx.department.id if "合计" in name else row_owner(ctx, row[side.label], code)
        for c, (category, item) in columns.items():
            emit(ctx, table, kind, unit, r, c, row[c], category=category, fund=fund, of=owner,
                 item=item)


def _column_item(parts: list[str]) -> str:
    """The printed name of an item column: 公务接待费; 公务用车购置及运行费小计 for a 小计
    under its item; 合计 alone when it sits under a heading that names no item."""
    leaf = parts[-1]
    if leaf in ("小计", "合计") and len(parts) >= 2 and category_of(parts[-2]) not in (
            None, "three_public"):
        return parts[-2] + leaf
    return leaf


def _items_as_rows(table: Table, ctx: Context, kind: str, unit: str, grid: Grid, side: Side
                   ) -> None:
    default_fund = _table_fund(table)
    funds = {c: fund_of(grid.leaf(c)) or default_fund for c in side.amounts}
    has_subtotal = any("三公" in squash(row[side.label]) and
                       ("小计" in squash(row[side.label]) or "合计" in squash(row[side.label]))
                       for _, row in grid.body())
    section: str | None = None
    counting = False
    for r, row in grid.body():
        cell = row[side.label]
        name = plain_label(cell)
        if not name:
            continue
        own = category_of(name)
        if is_top_level(cell):
            section, counting = own, any(w in name for w in _COUNT_SECTIONS)
        elif any(w in name for w in _COUNT_SECTIONS):
            counting = True
        if counting or _COUNT.search(name):
            continue
        category = own or section
        if name == "合计" and has_subtotal:
            category = "total"  # the table's grand total, 三公 plus 会议费/培训费
        elif name in ("支出合计", "合计", "小计") and section not in (None, "three_public"):
            category = section
        if category is None:
            loaded = [emit(ctx, table, kind, unit, r, c, row[c], category="other",
                           fund=funds[c], item=name) for c in side.amounts]
            if any(loaded):
                ctx.problem(f"row {name!r} not understood; loaded as 'other'", table, r)
            continue
        for c in side.amounts:
            emit(ctx, table, kind, unit, r, c, row[c], category=category, fund=funds[c],
                 item=name)


# --- items as columns, rows without labels (上海) ---------------------------------------

_MEASURE_WORDS = {"预算数": "budget", "决算数": "actual", "调整预算数": "adjusted_budget"}


def _unlabelled_rows(table: Table) -> list[int]:
    """Rows printing amounts and nothing else, below a header that names the items."""
    out = []
    for r, row in enumerate(table.rows):
        filled = [squash(c) for c in row if squash(c)]
        if filled and all(parse_number(c) is not None for c in filled):
            out.append(r)
    if not out or out[0] == 0:
        return []
    header = "".join(squash(c) for row in table.rows[:out[0]] for c in row)
    return out if ("合计" in header and category_of(header) is not None) else []


def _column_paths(header: list[list[str]], width: int) -> list[list[str]]:
    """Each column's header labels top-down, a merged label covering the columns to its
    right up to the next label of its row, within the label above it."""
    paths: list[list[str]] = [[] for _ in range(width)]
    for c in range(width):
        bound = 0  # the start of the label covering this column one row up
        for row in header:
            start = next((k for k in range(min(c, len(row) - 1), -1, -1) if squash(row[k])),
                         None)
            if start is not None and start >= bound:
                paths[c].append(squash(row[start]))
                bound = start
    return paths


def _column_meaning(path: list[str]) -> tuple[str, str, str | None] | None:
    """(category, item, measure) of a column from its header path; None: not an item."""
    measure = next((_MEASURE_WORDS[p] for p in reversed(path) if p in _MEASURE_WORDS), None)
    labels = [p for p in path if p not in _MEASURE_WORDS]
    if not labels:
        return None
    leaf = labels[-1]
    if leaf in ("小计", "合计") and len(labels) >= 2:
        parent = category_of(labels[-2])
        if parent not in (None, "three_public"):
            return parent, labels[-2] + leaf, measure
        return "three_public", leaf, measure
    if leaf == "购置费":
        return "vehicle_purchase", leaf, measure
    if leaf in ("运行费", "运行维护费"):
        return "vehicle_operation", leaf, measure
    category = category_of(leaf)
    return (category, leaf, measure) if category else None


def _items_as_columns(table: Table, ctx: Context, kind: str) -> None:
    body = _unlabelled_rows(table)
    if not any(parse_number(c) is not None for r in body for c in table.rows[r]):
        return
    unit = table_unit(table, ctx)
    if unit is None:
        return
    width = max(len(r) for r in table.rows)
    paths = _column_paths(table.rows[:body[0]], width)
    fund = _table_fund(table)
    # 合计 over the 三公 group and 会议费 | 培训费 beside it (江苏) is the table's grand total
    grand = any(p and category_of(p[0]) in ("meeting", "training") for p in paths)
    for c in range(width):
        meaning = _column_meaning(paths[c])
        if meaning is None:
            continue
        category, item, measure = meaning
        if grand and [x for x in paths[c] if x not in _MEASURE_WORDS] == ["合计"]:
            category = "total"
        for r in body:
            row = table.rows[r]
            emit(ctx, table, kind, unit, r, c, row[c] if c < len(row) else "",
                 category=category, fund=fund, item=item, measure=measure)
