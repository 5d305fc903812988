"""Performance targets of a budget: 项目支出绩效目标表 and 部门整体支出绩效目标表.

Budgets print the targets (绩效目标) their projects and the whole department commit to,
as indicators 一级指标 › 二级指标 › 三级指标 with a target value.  Three layouts are read,
all found by their indicator header row (a row naming 一级指标 and 三级指标); the other
columns are found by their header words (``INDICATOR_COLUMNS``), never by position:

* **Grid** — one table for all projects, each row carrying 单位名称 | 项目名称 | 预算数 |
  年度目标 before the indicator columns (江油).  A row naming a project opens it: it is
  registered with its unit (``301001-江油市人民政府办公室`` → code and name) and goal, and
  its 预算数 becomes an Amount (category ``project``) — once, although a continuation page
  prints the project row again.  The following rows with an empty 项目名称 add indicators
  to it.  A row naming a unit but no project is a total: its 预算数 is loaded for the
  department (or unit) without a project.  Rows that lost their leading empty cells on a
  page break (``成本指标 | 经济成本指标 | …`` at column 0) are moved back under the
  indicator columns, recognised by their first cell being a 一级指标 name.
* **Form** — one table per project (涞源, 若羌): key/value rows on top (项目名称, 项目编码,
  预算数 or 年度预算总额, 绩效目标 or 项目总体目标, 预算单位), then the indicator grid, whose
  一级/二级指标 cells print once for several rows (carried down here).  When the document
  says other projects were merged into this form (``…合并至政府办业务经费项目做项目支出绩效
  目标表``), the form's amount covers all of them, so it is not given to the project (a
  warning says so); the indicators still are.
* **Department** — the same indicator grid under the department's own form; indicators
  belong to the department.

Values go through ``normalise.parse_indicator_value`` with the 指标性质 and 度量单位
columns when printed (``= | 87 | 份`` → (=, 87, 份); ``≥95百分比`` → (>=, 95, %); ``定性`` or
``有效保障`` → qualitative, text kept).  ``target_text`` keeps the printed 指标值 cell.

Not loaded: 项目负责人, 部门联系人 and 联系电话 cells (contact persons and phone numbers are
never read); 上年完成值 (last year's result, not this year's actual — the Indicator has no
field for it); 指标值确定依据, 指标赋分规则, 佐证资料, 绩效指标描述, 资金支出计划; the
department form's money rows (they repeat the summary tables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.registry import table_extractor
from loaders.normalise import money_unit, parse_indicator_value, parse_number, squash
from loaders.recognise import recognise
from ontology import ids

PROJECT_KIND = "project_performance"
DEPARTMENT_KIND = "department_performance"
DEFAULT_UNIT = "万元"  # performance forms print money in 万元 unless they say otherwise

# Header words of the indicator grid.  A header cell matches a column when it equals one of
# the words, or contains it and none of the column's excluded words.
INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标",),
    "operator": ("指标性质", "绩效指标性质", "指标值性质"),
    "value": ("指标值", "绩效指标值", "目标值", "年度指标值", "指标目标值"),
    "unit": ("度量单位", "绩效度量单位", "计量单位"),
    "weight": ("权重", "分值权重", "指标分值权重", "指标权重", "分值"),
}
EXCLUDED_WORDS: dict[str, tuple[str, ...]] = {
    "value": ("依据", "上年", "完成", "描述", "性质", "单位", "权重", "方向"),
    "operator": ("方向",),
    "weight": ("规则",),
}
# Columns of the grid layout that name the project a row belongs to.
PROJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("单位名称", "预算单位", "单位"),
    "project": ("项目名称",),
    "budget": ("预算数", "项目预算数", "预算金额", "年度预算"),
    "goal": ("年度目标", "项目年度目标", "绩效目标"),
}
# Labels of the form layout's key/value rows (compared without spaces and colons).
FORM_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称",),
    "code": ("项目编码", "项目代码", "项目编号"),
    "amount": ("预算数", "年度预算总额", "项目预算数", "资金总额", "预算金额"),
    "goal": ("绩效目标", "项目总体目标", "年度绩效目标", "总体目标", "年度目标", "项目年度目标"),
    "unit": ("预算单位", "项目单位", "实施单位", "单位名称"),
}
# Cells that must never be read as a value: the labels of contact details.
CONTACT_LABELS = ("负责人", "联系人", "联系电话", "电话", "手机")

_CODE_NAME = re.compile(r"^\s*([0-9A-Za-z]{2,})\s*[-－—]\s*(\S.*)$")
_LEVEL1 = re.compile(r"^\S{2,10}指标$")


def _label(cell: str) -> str:
    return squash(cell).rstrip(":：")


def _find_column(header: list[str], words: tuple[str, ...],
                 excluded: tuple[str, ...] = ()) -> int | None:
    """Index of the header cell naming a column: an exact word first, then containment."""
    labels = [_label(c) for c in header]
    for w in words:
        if w in labels:
            return labels.index(w)
    for i, text in enumerate(labels):
        if any(w in text for w in words) and not any(x in text for x in excluded):
            return i
    return None


def is_indicator_header(row: list[str]) -> bool:
    labels = {_label(c) for c in row}
    return "一级指标" in labels and "三级指标" in labels


@dataclass
class Columns:
    """Where the indicator (and, in the grid layout, project) columns of a header are."""

    indicator: dict[str, int | None]
    project: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def of(cls, header: list[str]) -> Columns:
        ind = {k: _find_column(header, words, EXCLUDED_WORDS.get(k, ()))
               for k, words in INDICATOR_COLUMNS.items()}
        first = min(i for i in ind.values() if i is not None)
        before = header[:first]  # project columns come before the indicator columns
        proj = {k: _find_column(before, words) for k, words in PROJECT_COLUMNS.items()}
        return cls(ind, proj)

    @property
    def is_grid(self) -> bool:
        return self.project.get("project") is not None


def _cell(row: list[str], i: int | None) -> str:
    if i is None or i >= len(row):
        return ""
    return row[i].strip()


def realign(row: list[str], cols: Columns) -> list[str]:
    """Put back a row that lost its leading empty cells on a page break.

    Such a row starts with a 一级指标 and a 二级指标 name (成本指标 | 经济成本指标 …) left of
    the 一级指标 column; a reader may have padded it on the right to the table's width.
    """
    level1 = cols.indicator["level1"]
    first = next((i for i, c in enumerate(row) if c.strip()), None)
    if level1 is None or first is None or first >= level1 or first + 1 >= len(row):
        return row
    if not (_LEVEL1.match(squash(row[first])) and _LEVEL1.match(squash(row[first + 1]))):
        return row
    shifted = [""] * (level1 - first) + row
    while len(shifted) > len(row) and not shifted[-1].strip():
        shifted.pop()
    return shifted


@dataclass
class _Carry:
    """一级/二级指标 printed once over several rows (merged cells) carry down."""

    level1: str = ""
    level2: str = ""


def add_indicator(ctx: Context, table: Table, row_index: int, row: list[str], cols: Columns,
                  owner: str, carry: _Carry) -> bool:
    """Emit the indicator of one row, if it names one; returns whether it did."""
    c = cols.indicator
    level1 = _cell(row, c["level1"])
    level2 = _cell(row, c["level2"])
    if level1:
        if level1 != carry.level1:
            carry.level2 = ""
        carry.level1 = level1
    if level2:
        carry.level2 = level2
    name = _cell(row, c["name"])
    if not name:
        return False
    printed = _cell(row, c["value"])
    operator = _cell(row, c["operator"]) if c["operator"] is not None else None
    unit = _cell(row, c["unit"]) if c["unit"] is not None else None
    value = parse_indicator_value(printed, operator=operator or None, unit=unit or None)
    ctx.add_indicator(
        owner, name,
        level1=carry.level1 or None, level2=carry.level2 or None,
        operator=value.operator, target_value=value.value,
        target_text=printed or None, unit=value.unit,
        weight=parse_number(_cell(row, c["weight"])),
        table=table.title, page=table.page, row=row_index)
    return True


def _money_unit(table: Table, *extra: str) -> str:
    return money_unit([*table.caption, table.title, *extra], DEFAULT_UNIT) or DEFAULT_UNIT


# --- the extractor ----------------------------------------------------------------------

@table_extractor(PROJECT_KIND, DEPARTMENT_KIND)
def extract_performance(table: Table, ctx: Context) -> None:
    """Projects, their budgets and indicators, or the department's indicators."""
    header_at = next((i for i, r in enumerate(table.rows) if is_indicator_header(r)), None)
    if header_at is None:
        ctx.problem("performance table without an indicator header (一级指标 … 三级指标)", table)
        return
    cols = Columns.of(table.rows[header_at])
    if recognise(table) == DEPARTMENT_KIND:
        _indicators(table, ctx, header_at, cols, ctx.department.id)
    elif cols.is_grid:
        _project_grid(table, ctx, header_at, cols)
    else:
        _project_forms(table, ctx)


def _indicators(table: Table, ctx: Context, header_at: int, cols: Columns, owner: str) -> int:
    """The indicator rows below a header, up to the next header or the end; returns count."""
    carry = _Carry()
    count = 0
    for i in range(header_at + 1, len(table.rows)):
        row = table.rows[i]
        if is_indicator_header(row):
            break
        if add_indicator(ctx, table, i, realign(row, cols), cols, owner, carry):
            count += 1
    return count


# --- grid layout: one row per indicator, project columns on the left ---------------------

def _project_grid(table: Table, ctx: Context, header_at: int, cols: Columns) -> None:
    unit_money = _money_unit(table)
    p = cols.project
    codes = [_split_unit(_cell(r, p["unit"]))[1] for r in table.rows[header_at + 1:]]
    unit_codes = {c for c in codes if c}
    unit_id: str | None = None
    project_id: str | None = None
    with_amount: set[str] = set()
    carry = _Carry()
    for i in range(header_at + 1, len(table.rows)):
        row = table.rows[i]
        if is_indicator_header(row):
            cols = Columns.of(row)
            p = cols.project
            continue
        row = realign(row, cols)
        unit_text = _cell(row, p["unit"])
        project_name = _cell(row, p["project"])
        budget_text = _cell(row, p["budget"])
        budget = parse_number(budget_text)
        if unit_text:
            name, code = _split_unit(unit_text)
            department_row = code is not None and _is_department_code(code, unit_codes, ctx)
            unit_id = ctx.department.id if department_row else ctx.unit(name, code)
            if not project_name:
                project_id = None
                if budget is not None:
                    ctx.add_amount(table, i, p["budget"], budget, unit_money,
                                   category="project", table_kind=PROJECT_KIND, of=unit_id,
                                   item=unit_text, printed=budget_text)
        if project_name:
            project_id = ctx.project(project_name, run_by=unit_id,
                                     goal=_cell(row, p["goal"]) or None)
            carry = _Carry()
            if budget is not None and project_id not in with_amount:
                with_amount.add(project_id)
                ctx.add_amount(table, i, p["budget"], budget, unit_money,
                               category="project", table_kind=PROJECT_KIND,
                               of=unit_id or ctx.department.id, project=project_id,
                               item=project_name, printed=budget_text)
        if project_id is not None:
            add_indicator(ctx, table, i, row, cols, project_id, carry)


def _split_unit(text: str) -> tuple[str, str | None]:
    """``301001-江油市人民政府办公室`` → (name, code); a bare name has no code."""
    m = _CODE_NAME.match(text)
    if m:
        return m.group(2).strip(), m.group(1)
    return text.strip(), None


def _is_department_code(code: str, unit_codes: set[str], ctx: Context) -> bool:
    """The department's own row: its printed code, or a code the unit codes all extend."""
    if ctx.department.code and code == ctx.department.code:
        return True
    longer = [c for c in unit_codes if c != code]
    return bool(longer) and all(c.startswith(code) for c in longer)


# --- form layout: key/value rows, then the indicator grid --------------------------------

@dataclass
class _Form:
    """What the key/value rows of one project's form say."""

    fields: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # key → (row, col, text)

    def get(self, key: str) -> str | None:
        hit = self.fields.get(key)
        return hit[2] if hit else None


def _project_forms(table: Table, ctx: Context) -> None:
    """One or more project forms in a table: key/value rows, then indicators."""
    form = _Form()
    i = 0
    rows = table.rows
    while i < len(rows):
        row = rows[i]
        if is_indicator_header(row):
            cols = Columns.of(row)
            project_id = _register_form(table, ctx, form)
            carry = _Carry()
            i += 1
            while i < len(rows) and not is_indicator_header(rows[i]) \
                    and not _starts_form(rows[i]):
                if project_id is not None:
                    add_indicator(ctx, table, i, realign(rows[i], cols), cols, project_id, carry)
                i += 1
            form = _Form()
            continue
        _read_labels(row, i, form)
        i += 1
    if form.get("name"):  # a form without indicators still names a project
        _register_form(table, ctx, form)


def _starts_form(row: list[str]) -> bool:
    return any(_label(c) in FORM_LABELS["name"] for c in row)


def _read_labels(row: list[str], row_index: int, form: _Form) -> None:
    """Take the value printed right of each known label (the next filled cell)."""
    for j, cell in enumerate(row):
        label = _label(cell)
        if not label or any(w in label for w in CONTACT_LABELS):
            continue
        key = next((k for k, words in FORM_LABELS.items() if label in words), None)
        if key is None or key in form.fields:
            continue
        for k in range(j + 1, len(row)):
            value = row[k].strip()
            if not value:
                continue
            if _is_label(value):
                break
            form.fields[key] = (row_index, k, value)
            break


def _is_label(text: str) -> bool:
    label = _label(text)
    if any(w in label for w in CONTACT_LABELS):
        return True
    return any(label in words for words in FORM_LABELS.values()) or label.startswith("其中")


def _register_form(table: Table, ctx: Context, form: _Form) -> str | None:
    name = form.get("name")
    if not name:
        ctx.problem("project performance form without a 项目名称", table)
        return None
    code = form.get("code")
    unit_name = form.get("unit")
    run_by = ctx.unit(unit_name) if unit_name else None
    project_id = ctx.project(name, squash(code) if code else None, goal=form.get("goal"),
                             run_by=run_by)
    hit = form.fields.get("amount")
    amount = parse_number(hit[2]) if hit else None
    if hit is None or amount is None:
        return project_id
    if _merged_into(name, ctx):
        ctx.problem(f"the performance form of {name} covers projects merged into it; its "
                    f"amount {hit[2]} is not the project's budget and is not loaded", table)
        return project_id
    row, col, printed = hit
    unit = _money_unit(table, *table.rows[row])
    ctx.add_amount(table, row, col, amount, unit, category="project",
                   table_kind=PROJECT_KIND, of=run_by or ctx.department.id,
                   project=project_id, item=name, printed=printed)
    return project_id


def _merged_into(name: str, ctx: Context) -> bool:
    """Does the text say other projects were merged into this project's form?"""
    text = squash(ctx.read.text())
    return f"合并至{ids.plain_name(name)}" in text or f"合并到{ids.plain_name(name)}" in text

