"""项目绩效目标完成情况表: one form per project in a final account, target against result.

The form (as rebuilt by ``loaders.readers.broken_layout``; any reader producing the same
rows works) holds, row by row, with the form's row header in the first cell:

* ``项目名称 | name`` and ``预算单位 | unit`` — the project and the unit running it;
* ``预算执行情况(万元) | 预算数 | 260 万元 | 执行数 | 260 万元`` — the project's budget
  (measure ``budget``) and spending (measure ``actual``), category ``project``, fund
  ``all``.  The ``其中-财政拨款`` row is not loaded: 财政拨款 spans several funds and
  here repeats the total; ``其它资金`` is printed empty;
* ``年度目标完成情况 | 预期目标 | 实际完成目标`` and the row under it — the 预期目标 is the
  project's goal;
* ``绩效指标完成情况 | 一级指标 | 二级指标 | 三级指标 | 预期指标值 | 实际完成指标值`` and one
  row per indicator.  Values are split by ``normalise.parse_indicator_value``: ``≥90%``
  → (>=, 90, %); a number followed by a long text (``2020 年 12 月底完成了全年目标任务``)
  is a sentence, not a measurement, and stays qualitative with its text.
"""

from __future__ import annotations

import re
from decimal import Decimal

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.normalise import IndicatorValue, parse_indicator_value, parse_number, squash

KIND = "performance_completion"
MONEY_MEASURES = {"预算数": "budget", "执行数": "actual"}
_MONEY = re.compile(r"^\s*(-?\d[\d,]*(?:\.\d+)?)\s*(万元|元|亿元)?\s*$")
_UNIT_IN_HEADER = re.compile(r"[（(](万元|元|亿元)[）)]")
_MAX_UNIT = 4  # longest unit text after a number (人次, 年度, 百分比); longer is a sentence


@table_extractor(KIND)
def extract_performance_completion(table: Table, ctx: Context) -> None:
    """Project, its budget and spending, and its indicators with targets and results."""
    fields = {squash(r[0]): r[1].strip() for r in table.rows if len(r) >= 2}
    name = fields.get("项目名称")
    if not name:
        ctx.problem("项目绩效目标完成情况表 without a 项目名称 row; not loaded", table)
        return
    unit_name = fields.get("预算单位")
    run_by = ctx.unit(unit_name) if unit_name else None
    project = ctx.project(name, goal=_goal(table), run_by=run_by)
    for i, row in enumerate(table.rows):
        group = squash(row[0]) if row else ""
        if "预算" in group and "执行" in group:
            _money(table, i, row, ctx, project, run_by)
        elif "指标" in group and len(row) >= 6 and squash(row[1]) != "一级指标":
            _indicator(table, i, row, ctx, project)


def _goal(table: Table) -> str | None:
    """The 预期目标 printed under the 年度目标完成情况 header."""
    for row in table.rows:
        group = squash(row[0]) if row else ""
        if "目标" in group and "指标" not in group and len(row) >= 2 \
                and squash(row[1]) != "预期目标" and row[1].strip():
            return row[1].strip()
    return None


def _money(table: Table, i: int, row: list[str], ctx: Context, project: str,
           run_by: str | None) -> None:
    """``预算数 | 260 万元 | 执行数 | 260 万元``: keys and values alternate after the header."""
    header_unit = _UNIT_IN_HEADER.search(row[0])
    for j in range(1, len(row) - 1, 2):
        measure = MONEY_MEASURES.get(squash(row[j]).rstrip(":："))
        m = _MONEY.match(row[j + 1])
        if measure is None or m is None:
            continue
        value = parse_number(m.group(1))
        if value is None:
            continue
        unit = m.group(2) or (header_unit.group(1) if header_unit else "万元")
        ctx.add_amount(table, i, j + 1, value, unit, category="project", fund="all",
                       measure=measure, table_kind=KIND, of=run_by, project=project,
                       item=squash(row[j]), printed=m.group(1))


def _value(text: str) -> IndicatorValue:
    """A printed target or result; a number that starts a sentence is not a measurement."""
    v = parse_indicator_value(text)
    if v.value is not None and v.unit and len(v.unit) > _MAX_UNIT:
        return IndicatorValue("qualitative", None, None, v.text)
    return v


def _indicator(table: Table, i: int, row: list[str], ctx: Context, project: str) -> None:
    level1, level2, name, target_text, actual_text = (c.strip() for c in row[1:6])
    if not name:
        return
    target, actual = _value(target_text), _value(actual_text)
    actual_value: Decimal | None = actual.value if actual.operator != "qualitative" else None
    ctx.add_indicator(
        project, name, level1=level1 or None, level2=level2 or None,
        operator=target.operator if target_text else None, target_value=target.value,
        target_text=target_text or None, unit=target.unit or actual.unit,
        actual_value=actual_value, actual_text=actual_text or None,
        table=table.title, page=table.page, row=i)
