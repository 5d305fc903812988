"""Fixed assets a department holds (部门固定资产占用情况表).

The table lists asset classes with a count (数量: 平方米, 辆, 台 …) and a value (价值, in
the unit its header or caption names).  Only the value column is money and only it is
loaded: one Amount per filled value cell, category ``other``, measure ``actual`` (a book
value, not a budget), ``item`` the printed row label (资产总额, 1、房屋（平方米）, 其中：办公用房
…, so the class and its 其中 rows stay apart), ``table_kind`` ``fixed_assets``.  Counts are
not money and are not loaded.

The values are dated: a budget prints the assets held at the end of the previous year
(``截止时间：2023-12-31``).  That year, when the caption or title prints one, is the
amount's ``fiscal_year``; otherwise the document's year is kept.
"""

from __future__ import annotations

import re

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.normalise import money_unit, parse_number, squash

KIND = "fixed_assets"
VALUE_WORDS = ("价值", "金额", "账面")
_DATE = re.compile(r"(?:截止|截至|截止时间|截至时间|截止日期)\D{0,3}(20\d\d)")


def _value_column(header: list[str]) -> int | None:
    for i, cell in enumerate(header):
        if any(w in squash(cell) for w in VALUE_WORDS):
            return i
    return None


def _as_of_year(table: Table) -> int | None:
    for text in (*table.caption, table.title, *table.notes):
        m = _DATE.search(squash(text))
        if m:
            return int(m.group(1))
    return None


@table_extractor(KIND)
def extract_fixed_assets(table: Table, ctx: Context) -> None:
    """The value column of the fixed-asset table, row by row."""
    header_at = next((i for i, r in enumerate(table.rows) if _value_column(r) is not None), None)
    if header_at is None:
        ctx.problem("fixed-asset table without a 价值/金额 column: nothing loaded", table)
        return
    header = table.rows[header_at]
    col = _value_column(header)
    assert col is not None
    unit = money_unit([header[col], *table.caption, table.title]) or money_unit(header)
    if unit is None:
        ctx.problem("fixed-asset table does not say its money unit: nothing loaded", table)
        return
    year = _as_of_year(table)
    for i in range(header_at + 1, len(table.rows)):
        row = table.rows[i]
        if col >= len(row):
            continue
        value = parse_number(row[col])
        if value is None:
            continue
        label = next((c.strip() for c in row[:col] if c.strip()), None)
        ctx.add_amount(table, i, col, value, unit, category="other", measure="actual",
                       table_kind=KIND, item=label, printed=row[col].strip(),
                       fiscal_year=year)
