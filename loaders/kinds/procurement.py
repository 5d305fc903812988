"""Government procurement budgets (部门政府采购预算 / 政府采购预算表).

The Hebei form (涞源) prints one row per item bought, grouped by the project that pays.
Its header, in two rows::

      政府采购项目来源 (项目名称 | 预算资金) | 采购物品名称 | 政府采购目录序号 | 计量单位 |
      数量 | 单价 | 政府采购金额（当年部门预算安排资金） (合计 | 一般公共预算拨款 |
      基金预算拨款 | 国有资本经营预算拨款 | 财政专户核拨 | 单位资金 | 上年结转结余) |
      2024年预留中小微企业份额

Other regions print shorter forms (采购项目 | 采购品目 | 金额, or one column per fund).
Columns are found by their headers, not by position:

* the purchase amount columns (under 采购金额 / 采购预算 / 金额, or headed 合计 or by a
  fund) give one Amount per filled cell: category ``procurement``, ``fund`` from the
  column (合计 → ``all``), ``item`` the printed 采购物品 / 品目 / 采购项目 label of the row.
  A column of last year's balances (上年结转结余) is not a fund: its cells are
  ``carry_over`` amounts with the same item;
* 单价 (a price per piece), 数量 (a count), the paying project's whole 预算资金 (the
  project tables load it) and the 预留中小微企业份额 (a share reserved inside the amount)
  are not procurement budgets of their own and are not loaded;
* the paying project (项目名称) links the amounts to a Project already read from the project
  tables (``Context.find_project``); a project no other table names is not invented.  A
  project printed once for several item rows (a merged cell) holds for the rows below it;
* a 单位名称 / 单位编码 column hangs the row on that unit, otherwise on the department.

The money unit is the one printed with the table (单位：万元).  A form printed empty
(``无政府采购预算，空表列示``) yields nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.kinds.summary import fund_of, plain_label, row_owner
from loaders.kinds.units import split_unit_code
from loaders.normalise import money_unit, parse_number, squash

KIND = "procurement"
_ITEM_HEADERS = ("采购物品名称", "物品名称", "采购品目", "品目名称", "品目", "采购内容",
                 "采购项目名称", "采购项目", "采购名称")
_PROJECT_HEADERS = ("项目名称",)
_UNIT_HEADERS = ("单位名称", "单位编码", "预算单位")
_MONEY_GROUPS = ("采购金额", "采购预算", "金额", "预算数")
_NOT_MONEY = ("单价", "数量", "预算资金", "预留", "中小", "序号", "计量", "目录", "编码",
              "代码", "名称", "来源", "方式", "时间", "规格")
_TOTALS = ("合计", "总计", "小计")


@dataclass
class _Columns:
    """What each column of the table holds."""

    item: int | None
    project: int | None
    unit: int | None
    money: dict[int, tuple[str, str]]  # column → (category, fund)


def _is_column_numbers(row: list[str]) -> bool:
    """A row of column numbers (栏次 1 2 3 …) under the header."""
    cells = [squash(c) for c in row if squash(c)]
    if "栏次" in cells:
        return all(c.isdigit() or c == "栏次" for c in cells)
    return len(cells) >= 3 and cells == [str(k) for k in range(1, len(cells) + 1)]


def _header_end(rows: list[list[str]]) -> int:
    """Index of the first body row: the first that prints a number (column numbers aside)."""
    for i, row in enumerate(rows):
        if _is_column_numbers(row):
            continue
        if any(parse_number(c) is not None for c in row):
            return i
    return len(rows)


def _paths(rows: list[list[str]], end: int) -> list[list[str]]:
    """Per column, its header cells top-down (a cell merged over rows counted once)."""
    width = max((len(r) for r in rows), default=0)
    paths: list[list[str]] = []
    for c in range(width):
        path: list[str] = []
        for r in range(end):
            cell = squash(rows[r][c]) if c < len(rows[r]) else ""
            if cell and not cell.isdigit() and (not path or path[-1] != cell):
                path.append(cell)
        paths.append(path)
    return paths


def _first(paths: list[list[str]], words: tuple[str, ...]) -> int | None:
    """The first column whose header names one of ``words`` (in their order of preference)."""
    for w in words:
        for c, path in enumerate(paths):
            if path and w in path[-1]:
                return c
    return None


def _money_column(path: list[str]) -> tuple[str, str] | None:
    """(category, fund) of an amount column, or None when the column holds no budget."""
    if not path:
        return None
    leaf, joined = path[-1], "".join(path)
    if any(w in leaf for w in _NOT_MONEY) or any(w in joined for w in ("预留", "单价", "数量")):
        return None
    in_group = any(g in joined for g in _MONEY_GROUPS)
    if "结转" in leaf or "结余" in leaf:
        return ("carry_over", "all") if in_group else None
    if leaf in _TOTALS or leaf in _MONEY_GROUPS or any(g in leaf for g in _MONEY_GROUPS):
        return "procurement", "all"
    fund = fund_of(leaf) or ("government_fund" if "基金" in leaf else None)  # 基金预算拨款
    if fund is not None and (in_group or len(path) == 1):
        return "procurement", fund
    return None


def _columns(paths: list[list[str]]) -> _Columns:
    item = _first(paths, _ITEM_HEADERS)
    project = _first(paths, _PROJECT_HEADERS)
    if project == item:
        project = None
    unit = _first(paths, _UNIT_HEADERS)
    money: dict[int, tuple[str, str]] = {}
    for c, path in enumerate(paths):
        meaning = _money_column(path)
        if meaning is not None and c not in (item, project, unit):
            money[c] = meaning
    return _Columns(item=item, project=project, unit=unit, money=money)


def _row_label(row: list[str], cols: _Columns) -> str:
    """The innermost label of a subtotal row that prints no item (江苏: ``一、货物A``, or an
    economic subject such as ``会议费`` summing the items below it)."""
    labels = [plain_label(c) for k, c in enumerate(row)
              if k not in cols.money and squash(c) and parse_number(c) is None]
    return labels[-1] if labels else ""


def _cell(row: list[str], col: int | None) -> str:
    return row[col].strip() if col is not None and col < len(row) else ""


def _table_money_unit(table: Table, paths: list[list[str]], cols: _Columns) -> str | None:
    """单位：万元 in the caption, title or notes; else a unit in an amount column's header."""
    unit = money_unit(table.caption) or money_unit(table.title) or money_unit(table.notes)
    if unit:
        return unit
    for c in cols.money:
        joined = "".join(paths[c])
        if "万元" in joined:
            return "万元"
        if "（元）" in joined or "(元)" in joined:
            return "元"
    return None


@table_extractor(KIND)
def extract_procurement(table: Table, ctx: Context) -> None:
    """Amounts of a procurement budget, one per filled purchase-amount cell."""
    end = _header_end(table.rows)
    body = [(r, table.rows[r]) for r in range(end, len(table.rows))]
    if not any(parse_number(c) is not None for _, row in body for c in row):
        return  # 空表: the form is printed with nothing in it
    paths = _paths(table.rows, end)
    cols = _columns(paths)
    if not cols.money:
        ctx.problem("procurement table without a 采购金额 column: nothing loaded", table)
        return
    unit = _table_money_unit(table, paths, cols)
    if unit is None:
        ctx.problem("no money unit (单位：万元/元) printed with the table; not read", table)
        return
    project_name = ""
    for r, row in body:
        first = next((plain_label(c) for c in row if squash(c)), "")
        total = first in _TOTALS
        printed_project = _cell(row, cols.project)
        if printed_project:
            project_name = printed_project
        elif total:
            project_name = ""
        item = (plain_label(_cell(row, cols.item)) or plain_label(printed_project)
                or (first if total else "") or _row_label(row, cols))
        project = ctx.find_project(project_name) if project_name and not total else None
        owner = ctx.department.id
        if cols.unit is not None and _cell(row, cols.unit) and not total:
            code, name = split_unit_code(_cell(row, cols.unit))
            owner = row_owner(ctx, name, code)
        for c, (category, fund) in cols.money.items():
            value = parse_number(_cell(row, c))
            if value is None:
                continue
            if not item:
                ctx.problem(f"a procurement amount without an item ({row[c].strip()})",
                            table, r)
                continue
            ctx.add_amount(table, r, c, value, unit, category=category, fund=fund,
                           table_kind=KIND, of=owner, project=project, item=item,
                           printed=row[c].strip())
