"""The budget units a department consists of (部门预算单位构成, 部门机构设置情况).

Two printed forms are read:

* a unit list (江油)::

      序号 | 预算单位名称
      1    | 江油市人民政府办公室机关

* a 机构设置 table (涞源) that describes each unit::

      单位名称 | 单位性质 | 单位规格 | 经费保障形式
      涞源县金融服务中心 | 行政 | 副科级 | 财政拨款

Each row names a unit with its own budget, so each becomes a ``Unit`` of the department
(``Context.unit``); a row naming the department itself stays the department.  A code is
taken from a 编码/代码 column or from the front of the name (``301001-江油市政务服务中心``).
Lists usually print names only while the amount tables print codes (301001 in 部门收入总表):
the name-only unit is then found among the coded ones (``Context.find_unit``) or folded into
them when the document is finished, so one unit is one node whichever table comes first.

Only a column headed as a *unit* (单位名称, 预算单位名称) lists budget units.  A table of
内设机构 / 科室 lists offices inside a unit, which have no budget of their own: nothing is
registered and a warning says why.  The other columns (单位性质, 规格, 经费保障形式, and
the 编制数 / 实有人数 staff counts some regions print) are descriptions and head counts, not
money, and are not loaded.
"""

from __future__ import annotations

import re

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.normalise import fix_chars, squash

KIND = "unit_composition"
_CODE_HEADERS = ("编码", "代码", "单位编号")
_OFFICE_HEADERS = ("内设机构", "科室", "处室", "股室")
_TOTALS = ("合计", "总计", "小计")
# A unit code printed before the name: 301001-江油市政务服务中心, [301001]…, 434涞源县…
_LEADING_CODE = re.compile(r"^[\[【(（]?(\d{3,12})[\]】)）]?[-－—_:：.、]?(\D.*)$")


def _is_unit_header(cell: str) -> bool:
    """单位名称, 预算单位名称, 单位 — a column naming budget units (not 单位性质/规格)."""
    t = squash(cell)
    return "单位" in t and ("名称" in t or t.endswith("单位")) and not any(
        w in t for w in _CODE_HEADERS)


def _header_row(rows: list[list[str]]) -> int | None:
    """The row that heads the list: the first with a 名称 / 单位 / 机构 column."""
    for i, row in enumerate(rows):
        if any(_is_unit_header(c) or any(w in squash(c) for w in _OFFICE_HEADERS)
               for c in row):
            return i
    return None


def split_unit_code(text: str) -> tuple[str | None, str]:
    """'301001-江油市政务服务中心' → ('301001', '江油市政务服务中心'); no code → (None, text)."""
    t = squash(fix_chars(text))
    m = _LEADING_CODE.match(t)
    if m:
        return m.group(1), m.group(2)
    return None, t


@table_extractor(KIND)
def extract_units(table: Table, ctx: Context) -> None:
    """Register every unit the table lists as a Unit of the department."""
    at = _header_row(table.rows)
    if at is None:
        ctx.problem("unit table without a 单位名称 column: no unit read", table)
        return
    header = table.rows[at]
    name_col = next((c for c, cell in enumerate(header) if _is_unit_header(cell)), None)
    if name_col is None:
        ctx.problem("the table lists internal offices (内设机构), which are not budget "
                    "units: no unit registered", table)
        return
    code_col = next((c for c, cell in enumerate(header)
                     if any(w in squash(cell) for w in _CODE_HEADERS)), None)
    for r in range(at + 1, len(table.rows)):
        row = table.rows[r]
        if name_col >= len(row):
            continue
        code, name = split_unit_code(row[name_col])
        if code_col is not None and code_col < len(row) and squash(row[code_col]):
            code = squash(row[code_col])
        if not name or name in _TOTALS or name.isdigit():
            continue
        if code is None and ctx.find_unit(name):
            continue  # already known, with its code, from an earlier table
        ctx.unit(name, code)
