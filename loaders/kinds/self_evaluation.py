"""Performance self-evaluation forms (绩效自评表) of a final account.

A final account ends with one 部门整体绩效自评表 and one 二级项目绩效自评表 per project.
Each form is one table (see ``loaders.readers.markdown_text`` for how the text shape
keeps it whole) made of parts, recognised here by their header rows so that the order of
the parts and the presence of sub-heading rows do not matter:

* key/value rows on top: ``项目名称：`` and ``项目编码：``/``项目编号：`` name the project
  (codes are printed with stray spaces, which are removed).  The 项目主管部门, 部门联系人
  and 联系电话 cells on the same rows are never read: contact persons and phone numbers
  are not loaded.
* 资金情况, a header ``年初预算数 | 全年(调整)预算数 | 全年执行数 | 执行率 …`` over rows
  ``年度总金额``, ``其中：财政拨款``, ``一般公共预算`` …  Loaded rows: 年度总金额 (fund
  ``all``) and the rows naming a fund — 一般公共预算 (``general_public``), 政府性基金
  (``government_fund``), 国有资本经营预算 (``state_capital``), 财政专户 (``special_account``).
  The ``其中：财政拨款`` row is not loaded: 财政拨款 spans several funds, so it has no fund
  of its own, and in these forms it repeats the rows that do.  Each row gives up to three
  amounts: 年初预算数 → ``budget``, 全年(调整)预算数 → ``adjusted_budget``, 全年执行数 →
  ``actual`` (with the printed 执行率 as ``execution_rate``).  A project form's amounts
  are category ``project`` and point to the project; the department form's are category
  ``total`` and belong to the department alone.  No functional subject is printed in the
  form, so none is set.
* 绩效目标, a header ``年初绩效目标 | 全年(调整)绩效目标 | 全年目标实际完成情况`` over
  one row: the 年初绩效目标 (or, when it is blank, the adjusted one) is the project's goal.
* 绩效指标, a header ``指标名称 | 计量单位 | 指标性质 | 指标值 | 全年完成值 | … | 指标权重 |
  指标得分`` over one row per indicator.  Forms that print 一级指标/二级指标 columns fill
  ``level1``/``level2`` (carried down over merged cells); this one does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.normalise import (
    fix_chars,
    money_unit,
    parse_indicator_value,
    parse_number,
    squash,
)
from loaders.recognise import kind_of_title

PROJECT_KIND = "project_self_evaluation"
DEPARTMENT_KIND = "department_self_evaluation"

# Header words, compared after _norm (no spaces, half-width brackets, no "(%)"/"(万元)").
FUND_COLUMNS = {
    "budget": ("年初预算数", "年初预算"),
    "adjusted_budget": ("全年(调整)预算数", "全年调整预算数", "调整预算数", "全年预算数"),
    "actual": ("全年执行数", "执行数", "全年实际执行数", "实际执行数"),
    "rate": ("执行率",),
}
GOAL_COLUMNS = {
    "initial": ("年初绩效目标", "年度绩效目标", "预期目标"),
    "adjusted": ("全年(调整)绩效目标", "全年调整绩效目标", "调整绩效目标"),
}
INDICATOR_COLUMNS = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("指标名称", "三级指标", "绩效指标"),
    "unit": ("计量单位", "度量单位", "单位"),
    "operator": ("指标性质", "指标值性质", "运算符号", "符号"),
    "target": ("指标值", "年度指标值", "目标值", "年度目标值"),
    "actual": ("全年完成值", "实际完成值", "完成值", "全年实际值"),
    "weight": ("指标权重", "权重", "分值"),
    "score": ("指标得分", "得分"),
}
# Rows of 资金情况 loaded, by the words their label contains (first match wins).
FUND_ROWS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("年度总金额", "年度资金总额", "资金总额", "总金额"), "all"),
    (("一般公共预算",), "general_public"),
    (("政府性基金",), "government_fund"),
    (("国有资本经营",), "state_capital"),
    (("财政专户",), "special_account"),
    (("财政拨款", "其他资金", "上年结转"), None),  # spans funds or names none: not loaded
)
# Keys read from the rows above the grid; 部门联系人 and 联系电话 are deliberately absent.
KEYS = ("项目名称", "项目编码", "项目编号", "项目代码")
_KEY_VALUE = re.compile(r"^([^:：]{1,12})[:：]\s*(.*)$")
_CODE = re.compile(r"^[0-9A-Za-z]+$")
_PAREN = re.compile(r"\((?:%|％|万元|元|个|分)\)")


def _norm(text: str) -> str:
    """A header or label as a comparable string: no spaces, half-width brackets."""
    t = squash(fix_chars(text)).replace("（", "(").replace("）", ")")
    return _PAREN.sub("", t)


def _columns(row: list[str], spec: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column index of each field whose header word is printed in ``row`` (exact match)."""
    cols: dict[str, int] = {}
    cells = [_norm(c) for c in row]
    for name, words in spec.items():
        for j, c in enumerate(cells):
            if c in words and j not in cols.values():
                cols[name] = j
                break
    return cols


def _cell(row: list[str], col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    return row[col].strip()


@dataclass
class FundRow:
    row: int
    label: str
    fund: str
    cells: dict[str, tuple[int, str]]  # measure -> (column, printed text)
    rate: Decimal | None


@dataclass
class IndicatorRow:
    row: int
    name: str
    level1: str | None
    level2: str | None
    unit: str
    operator: str
    target: str
    actual: str
    weight: str
    score: str


@dataclass
class SelfEvaluation:
    """What one form says, before anything is emitted."""

    name: str | None = None
    code: str | None = None
    goal: str | None = None
    unit: str = "元"
    funds: list[FundRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)


def _key_values(row: list[str]) -> dict[str, str]:
    """``项目名称：<TAB>X<TAB>项目编码：<TAB>Y`` (or ``项目名称：X`` in one cell) as a dict.

    Every labelled cell is split, but callers only look up ``KEYS``.
    """
    out: dict[str, str] = {}
    j = 0
    while j < len(row):
        m = _KEY_VALUE.match(row[j].strip())
        if not m and squash(row[j]) in KEYS and j + 1 < len(row):  # 项目名称<TAB>X, no colon
            out[squash(row[j])] = row[j + 1].strip()
            j += 2
            continue
        if m:
            key, value = squash(m.group(1)), m.group(2).strip()
            if not value and j + 1 < len(row) and not _KEY_VALUE.match(row[j + 1].strip()):
                value = row[j + 1].strip()
                j += 1
            out[key] = value
        j += 1
    return out


def _fund_of(label: str) -> str | None:
    t = _norm(label)
    t = re.sub(r"^其中[:：]?", "", t)
    for words, fund in FUND_ROWS:
        if any(w in t for w in words):
            return fund
    return None


def parse_form(table: Table) -> SelfEvaluation:
    """Read the parts of one self-evaluation form, recognising each by its header row."""
    form = SelfEvaluation()
    part: str | None = None
    cols: dict[str, int] = {}
    unit_texts: list[str] = []
    level1: str | None = None
    level2: str | None = None
    for i, row in enumerate(table.rows):
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        fund_cols = _columns(row, FUND_COLUMNS)
        goal_cols = _columns(row, GOAL_COLUMNS)
        ind_cols = _columns(row, INDICATOR_COLUMNS)
        if "budget" in fund_cols or ("actual" in fund_cols and "adjusted_budget" in fund_cols):
            part, cols = "funds", fund_cols
            unit_texts.extend(row)
            continue
        if "initial" in goal_cols:
            part, cols = "goal", goal_cols
            continue
        if "name" in ind_cols and len(ind_cols) >= 3:
            part, cols = "indicators", ind_cols
            level1 = level2 = None
            continue
        if len(row) == 1:  # a sub-heading row (资金情况, 绩效指标 …)
            part, cols = "heading", {}
            unit_texts.append(row[0])
            continue
        if part is None:
            kv = _key_values(row)
            form.name = form.name or kv.get("项目名称") or None
            code = squash(kv.get("项目编码") or kv.get("项目编号") or kv.get("项目代码") or "")
            if code and _CODE.match(code):
                form.code = form.code or code
        elif part == "funds":
            _fund_row(form, i, row, cols)
        elif part == "goal":
            goal = _cell(row, cols.get("initial")) or _cell(row, cols.get("adjusted"))
            form.goal = form.goal or goal or None
        elif part == "indicators":
            level1 = _cell(row, cols.get("level1")) or level1
            level2 = _cell(row, cols.get("level2")) or level2
            name = _cell(row, cols.get("name"))
            if not name:
                continue
            form.indicators.append(IndicatorRow(
                row=i, name=name, level1=level1 if "level1" in cols else None,
                level2=level2 if "level2" in cols else None,
                unit=_cell(row, cols.get("unit")), operator=_cell(row, cols.get("operator")),
                target=_cell(row, cols.get("target")), actual=_cell(row, cols.get("actual")),
                weight=_cell(row, cols.get("weight")), score=_cell(row, cols.get("score"))))
    form.unit = _money_unit(table.caption, unit_texts)
    return form


def _money_unit(caption: list[str], headers: list[str]) -> str:
    """单位：万元 in the caption, else 万元 printed in a header (年初预算数（万元）), else 元."""
    unit = money_unit(caption)
    if unit:
        return unit
    return "万元" if any("万元" in h for h in headers) else "元"


def _fund_row(form: SelfEvaluation, i: int, row: list[str], cols: dict[str, int]) -> None:
    label = row[0].strip()
    fund = _fund_of(label) if label else None
    if fund is None:
        return
    cells = {m: (cols[m], _cell(row, cols[m])) for m in ("budget", "adjusted_budget", "actual")
             if m in cols and parse_number(_cell(row, cols[m])) is not None}
    rate = parse_number(_cell(row, cols.get("rate")).rstrip("%％"))
    form.funds.append(FundRow(row=i, label=label, fund=fund, cells=cells, rate=rate))


@table_extractor(PROJECT_KIND, DEPARTMENT_KIND)
def extract_self_evaluation(table: Table, ctx: Context) -> None:
    """Emit the project (or department) amounts, goal and indicators of one form."""
    kind = kind_of_title(table.title) or PROJECT_KIND
    form = parse_form(table)
    project: str | None = None
    if kind == DEPARTMENT_KIND:
        owner, category = ctx.department.id, "total"
    else:
        if not form.name:
            ctx.problem("self-evaluation form without a 项目名称; skipped", table)
            return
        project = ctx.project(form.name, form.code, goal=form.goal)
        owner, category = project, "project"
    for f in form.funds:
        for measure, (col, text) in f.cells.items():
            value = parse_number(text)
            assert value is not None
            ctx.add_amount(table, f.row, col, value, form.unit, category=category, fund=f.fund,
                           measure=measure, table_kind=kind, project=project, item=f.label,
                           printed=text, execution_rate=f.rate if measure == "actual" else None)
    for ind in form.indicators:
        target = parse_indicator_value(ind.target, operator=ind.operator or None,
                                       unit=ind.unit or None)
        actual = parse_indicator_value(ind.actual, unit=ind.unit or None) if ind.actual else None
        ctx.add_indicator(
            owner, ind.name, level1=ind.level1, level2=ind.level2,
            operator=target.operator, target_value=target.value,
            target_text=target.text or None, unit=target.unit,
            weight=parse_number(ind.weight), score=parse_number(ind.score),
            actual_value=actual.value if actual else None,
            actual_text=ind.actual or None,
            table=table.title, page=table.page, row=ind.row)
