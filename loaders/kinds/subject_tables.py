"""Tables whose rows are classification subjects (科目): expenditure by functional subject
(支出功能分类) or by economic subject (支出经济分类), per department or per budget unit,
and project expenditure under functional subjects.

Kinds read here (see ``table_kinds.toml``): ``expenditure`` (部门支出总表, 支出决算表),
``general_budget_expenditure`` (一般公共预算支出表, 05表 一般公共预算财政拨款收入支出决算表),
``general_budget_basic`` (基本支出表, by economic subject), ``general_budget_project``
(项目支出表), ``government_fund``, ``state_capital``, ``fiscal_economic``,
``fiscal_expenditure`` (江苏 财政拨款支出预算表, by functional subject) and
``office_operation`` (机关运行经费 by economic subject).  How the columns are found is in
``subject_layout``; this module decides what each row is.  A table printing the
department's totals only, with no name or code column (江苏 支出预算总表: one row under
合计 | 基本支出 | 项目支出 | 单位预留机动经费), gives one amount per column.

Rows
----
* A row with a subject code is a subject row.  Codes starting with 2 are functional
  subjects (201 / 20103 / 2010301), with 3 or 5 economic ones (301 / 30101); the code is
  joined from the 类 | 款 | 项 cells.  The subject is registered under the name of the
  code list (``ontology/subjects``) when the code is listed there, else as printed; a
  printed name that differs from the list is reported as a warning.
* A row with a unit code (单位代码) and no subject code is a budget unit's (or, when the
  code is the department's, the department's) own total.  Subject rows below it, or
  printing that unit's code, belong to that unit (``Amount.of``).
* 合计 / 总计 rows (and rows with neither code nor name) sum the table: no subject, item
  ``合计`` (or the printed label, e.g. ``人员经费合计``), owned by the department.
* Finer items.  Some documents print, below a subject row, rows with the same code and a
  finer name (江油: ``301 01 基本工资`` then ``301 01 行政基本工资``, ``301 01 事业基本
  工资``).  The first row of a code within a unit is the subject's own row; every later
  row with that code is a finer item: the same subject, with ``item`` = the printed name.

So ``item`` is NULL exactly on the figures of a subject (or unit) itself, and set on
everything that is finer or different (detail rows, 合计 rows, projects, columns such as
上缴上级支出 or carry-overs).  A query for a subject's amount picks ``item IS NULL``.  On
a 合计 row, a cell of a column that has an item of its own (上缴上级支出, 本年收入/基本支出)
takes that item alone, so ``合计`` marks only the table totals of the plain columns.

Projects (``general_budget_project``)
-------------------------------------
Rows under a 项 code name projects: each becomes a ``Project`` run by the row's unit and
classified under that code, and its amount (category ``project``) points to it, with
``item`` = the project's name.  The other rows of a project table are subject rows:

* headings with a code shorter than 项: 江油 prints ``201 03`` (with the name of the 项
  below, 一般行政管理事务) once above each 项's projects, so the 款 20103 has one row per
  项 in a unit; together they make the 款's amount.  The printed name is not taken for
  20103, whose name is the code list's.
* groupings: ``单位运转项目（不可细化）`` and the project classes 人员类 / 运转类 / 特定目标类
  项目 sum the projects printed below them under the same 项.  They are not projects: they
  are the 项's own rows (``item`` NULL), and the projects below them are their details, so
  a project is never counted twice.  Where a 项 has several classes, its rows add up.
* a 项 row printing the subject's own name (other layouts print the 项 above its projects).

Columns
-------
合计 → ``total`` (``project`` in a project table), 基本支出 → ``basic``, 项目支出 →
``project``, 人员经费 → ``personnel``, 公用经费 → ``public``; 上缴上级支出 / 对附属单位补助
支出 / 经营支出 → ``other`` with the column as item; 年初/年末结转和结余 → ``carry_over`` and
本年收入 → ``income``, both with the column path as item (``年初结转和结余/基本支出结转``).
The fund comes from the table kind (``expenditure`` spans all funds).  Blank cells are
absent; a printed 0.00 is an amount.  Money is in the unit the caption prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds import subject_layout as grid
from loaders.kinds.narrative_final import FORMER_NAMES
from loaders.kinds.registry import table_extractor
from loaders.normalise import join_code, money_unit, parse_number, split_code_name, squash
from loaders.recognise import recognise
from ontology import subjects

FUND_BY_KIND = {
    "expenditure": "all",
    "fiscal_economic": "all",
    "general_budget_expenditure": "general_public",
    "general_budget_basic": "general_public",
    "general_budget_project": "general_public",
    "government_fund": "government_fund",
    "state_capital": "state_capital",
    "fiscal_expenditure": "all",
    "office_operation": "general_public",
}
PROJECT_KIND = "general_budget_project"
ECONOMIC_KINDS = ("general_budget_basic", "fiscal_economic", "office_operation")

# Rows of a project table that group projects (a project class), not projects.
GROUPING_ROW = re.compile(
    r"不可细化|^(?:人员类|运转类|公用经费|其他运转类|特定目标类|单位运转类?)项目$")


def _same_name(a: str, b: str) -> bool:
    """Subject names compare without spaces, ordinals, bracket style or a 支出 suffix."""
    na, nb = subjects.normalise_name(a), subjects.normalise_name(b)
    return na == nb or na.removesuffix("支出") == nb.removesuffix("支出")


def _scheme(code: str) -> str:
    """Functional codes start with 2; economic ones with 3 (department) or 5 (government)."""
    return "economic" if code[0] in "35" else "functional"


def _item(row_item: str | None, col_item: str | None, total: bool) -> str | None:
    """The item of a cell: the row's label, the column's, or both.

    On a total row a column with its own item (本年收入/基本支出, 上缴上级支出) names the
    cell alone, so that only the cells of the plain 合计 / 基本支出 … columns read as the
    table's 合计.
    """
    if total and col_item:
        return col_item
    if row_item and col_item:
        return f"{row_item}（{col_item}）"
    return row_item or col_item


@dataclass
class _Walk:
    """What is known while walking down one table."""

    table: Table
    ctx: Context
    kind: str
    unit: str  # 元 | 万元
    fund: str
    owner: str  # the unit (or department) whose block the current row is in
    owners: dict[str, str] = field(default_factory=dict)  # printed unit code → id
    department_codes: set[str] = field(default_factory=set)
    seen: set[tuple[str, str]] = field(default_factory=set)  # (owner, code) rows met
    subject: str | None = None  # the last subject code (a project table's current 项)

    # --- entities ---------------------------------------------------------------------

    def register(self, code: str, printed: str | None, row: int) -> str:
        """Register a subject under its code-list name (or the printed one); returns code."""
        scheme = _scheme(code)
        listed = subjects.code_list(scheme).get(code)
        name = printed or None
        if listed:
            if printed and not _same_name(listed, printed) and not any(
                    _same_name(old, printed) for old in FORMER_NAMES.get(code, ())):
                self.ctx.problem(f"subject {code} is printed as {printed!r}; the code list "
                                 f"names it {listed!r}", self.table, row)
            name = listed
        if scheme == "economic":
            return self.ctx.economic_subject(code, name)
        return self.ctx.functional_subject(code, name)

    def owner_of(self, code: str, name: str) -> str:
        """The unit (or department) a printed unit code stands for."""
        if code in self.owners:
            return self.owners[code]
        dept = self.ctx.department
        if (code == dept.code or code in self.department_codes
                or (dept.code is None and squash(name) == squash(dept.name))):
            owner = dept.id
        else:
            owner = self.ctx.unit(name or code, code)
        self.owners[code] = owner
        return owner

    # --- observations -----------------------------------------------------------------

    def emit(self, i: int, row: list[str], columns: list[grid.Column], *,
             of: str | None = None, functional: str | None = None,
             economic: str | None = None, project: str | None = None,
             row_item: str | None = None, total: bool = False) -> None:
        """One amount per filled value cell of the row."""
        for col in columns:
            text = grid.cell(row, col.index)
            value = parse_number(text)
            if value is None:
                continue
            category = col.category
            if self.kind == PROJECT_KIND and category == "total":
                category = "project"
            fund = col.fund if (col.fund and self.fund == "all") else self.fund
            self.ctx.add_amount(
                self.table, i, col.index, value, self.unit, category=category, fund=fund,
                table_kind=self.kind, of=of or self.owner, functional=functional,
                economic=economic, project=project, item=_item(row_item, col.item, total),
                printed=squash(text))

    def emit_subject(self, i: int, row: list[str], columns: list[grid.Column], code: str,
                     of: str, *, project: str | None = None,
                     row_item: str | None = None) -> None:
        """Amounts of a row classified under ``code`` (functional or economic)."""
        economic = _scheme(code) == "economic"
        self.emit(i, row, columns, of=of, project=project, row_item=row_item,
                  functional=None if economic else code, economic=code if economic else None)


def _money_unit(table: Table) -> str | None:
    head = [" ".join(r) for r in table.rows[:2]]
    return (money_unit(table.caption) or money_unit(table.title) or money_unit(table.notes)
            or money_unit(head))


def _clean(text: str) -> str:
    return grid.label(text)


@table_extractor(*FUND_BY_KIND)
def extract_subject_table(table: Table, ctx: Context) -> None:
    """Amounts of a subject table (any of the kinds above); see the module docstring."""
    kind = recognise(table) or "expenditure"
    unit = _money_unit(table)
    if unit is None:
        ctx.problem("no money unit (单位：万元 / 元) printed with the table; not loaded",
                    table, severity="error")
        return
    walk = _Walk(table=table, ctx=ctx, kind=kind, unit=unit, fund=FUND_BY_KIND[kind],
                 owner=ctx.department.id)
    pairs = grid.side_by_side(table.rows)
    if pairs is not None:
        _side_by_side(walk, *pairs)
        return
    layout = grid.read_layout(table.rows)
    if layout.unknown:
        ctx.problem("columns not understood, loaded as category 'other': "
                    + ", ".join(layout.unknown), table, severity="warning")
    totals = grid.read_totals_layout(table.rows) if layout.name_col is None else None
    if totals is not None:
        _totals_rows(walk, totals)
        return
    if layout.name_col is None or not layout.columns:
        if any(grid.is_money(c) for r in table.rows[layout.body_start:] for c in r):
            ctx.problem("table layout not understood (no name or value columns)", table,
                        severity="error")
        return
    _walk_rows(walk, layout)


def _totals_rows(walk: _Walk, layout: grid.Layout) -> None:
    """A table of the department's totals only (see ``subject_layout.read_totals_layout``)."""
    if layout.unknown:
        walk.ctx.problem("columns not understood, loaded as category 'other': "
                         + ", ".join(layout.unknown), walk.table, severity="warning")
    for i in range(layout.body_start, len(walk.table.rows)):
        walk.emit(i, walk.table.rows[i], layout.columns, of=walk.ctx.department.id,
                  row_item="合计", total=True)


def _department_codes(rows: list[list[str]], layout: grid.Layout) -> set[str]:
    """Unit codes that are prefixes of other unit codes (301 over 301001, 301604)."""
    if layout.unit_col is None:
        return set()
    codes = {squash(grid.cell(r, layout.unit_col)) for r in rows[layout.body_start:]}
    codes.discard("")
    return {a for a in codes if any(b != a and b.startswith(a) for b in codes)}


def _row_code(row: list[str], layout: grid.Layout) -> str | None:
    if not layout.code_cols:
        return None
    return join_code(*(grid.cell(row, c) for c in layout.code_cols))


def _walk_rows(walk: _Walk, layout: grid.Layout) -> None:
    rows = walk.table.rows
    walk.department_codes = _department_codes(rows, layout)
    columns = layout.columns
    for i in range(layout.body_start, len(rows)):
        row = rows[i]
        code = _row_code(row, layout)
        name = _clean(grid.cell(row, layout.name_col))
        if code is None and name:
            split, rest = split_code_name(grid.cell(row, layout.name_col).strip())
            if split:
                code, name = split, _clean(rest)
        unit_code = squash(grid.cell(row, layout.unit_col))
        if not code and unit_code:
            walk.owner = walk.owner_of(unit_code, name)  # a unit's block starts
            walk.subject = None
        if not any(parse_number(grid.cell(row, c.index)) is not None for c in columns):
            continue  # a repeated header, a blank line or a row with nothing printed
        if code:
            of = walk.owner_of(unit_code, "") if unit_code else walk.owner
            if walk.kind == PROJECT_KIND:
                _project_row(walk, layout, i, code, name, of)
            else:
                _subject_row(walk, columns, i, code, name, of)
        elif unit_code:
            walk.emit(i, row, columns, of=walk.owner)
        elif not name or grid.TOTAL_ROW.match(name):
            walk.emit(i, row, columns, of=walk.ctx.department.id, row_item=name or "合计",
                      total=True)
        else:
            _named_row(walk, layout, i, name)


def _subject_row(walk: _Walk, columns: list[grid.Column], i: int, code: str, name: str,
                 of: str) -> None:
    """A subject's own row, or a finer item when its code already had a row in the unit."""
    row = walk.table.rows[i]
    if (of, code) in walk.seen:
        walk.emit_subject(i, row, columns, code, of, row_item=name)
        return
    walk.seen.add((of, code))
    walk.register(code, name, i)
    walk.emit_subject(i, row, columns, code, of)


def _named_row(walk: _Walk, layout: grid.Layout, i: int, name: str) -> None:
    """A row printing a name but no code: a subject found by name, a project under the
    current 项, or else an item of its own."""
    row = walk.table.rows[i]
    scheme = "economic" if walk.kind in ECONOMIC_KINDS else "functional"
    code = subjects.code_for(scheme, name)
    if code:
        _subject_row(walk, layout.columns, i, code, name, walk.owner)
    elif walk.kind == PROJECT_KIND and walk.subject:
        _project(walk, layout.columns, i, walk.subject, name, walk.owner)
    else:
        walk.emit(i, row, layout.columns, row_item=name)


def _project_row(walk: _Walk, layout: grid.Layout, i: int, code: str, name: str,
                 of: str) -> None:
    row = walk.table.rows[i]
    columns = layout.columns
    listed = subjects.code_list("functional").get(code)
    walk.subject = code
    if len(code) < 7:
        # A heading: 江油 prints the 款 code with the name of the 项 below, so the name is
        # kept for the code only when it is the code's own.
        walk.register(code, name if listed and _same_name(listed, name) else None, i)
        walk.emit_subject(i, row, columns, code, of)
        return
    if GROUPING_ROW.search(name):
        walk.register(code, None, i)
        walk.emit_subject(i, row, columns, code, of)
        return
    if (of, code) not in walk.seen and listed and _same_name(listed, name):
        walk.seen.add((of, code))
        walk.register(code, name, i)
        walk.emit_subject(i, row, columns, code, of)
        return
    _project(walk, columns, i, code, name, of)


def _project(walk: _Walk, columns: list[grid.Column], i: int, code: str, name: str,
             of: str) -> None:
    """Register the project printed on row ``i`` and emit its amount."""
    walk.register(code, None, i)
    project = walk.ctx.project(name, run_by=of, subject=code)
    walk.emit_subject(i, walk.table.rows[i], columns, code, of, project=project,
                      row_item=name)


def _side_by_side(walk: _Walk, start: int, groups: list[grid.Group]) -> None:
    """Subject lists printed next to each other (潼南 06表): each group's category comes
    from the label over it (人员经费 / 公用经费); ``…合计`` rows close a group."""
    rows = walk.table.rows
    dept = walk.ctx.department.id
    for i in range(start, len(rows)):
        row = rows[i]
        for g in groups:
            code = join_code(*(grid.cell(row, c) for c in g.code_columns()))
            if not code:
                continue
            column = grid.Column(g.value_col, g.category, path=(g.title,))
            if parse_number(grid.cell(row, g.value_col)) is None:
                continue
            name = _clean(grid.cell(row, g.name_col))
            _subject_row(walk, [column], i, code, name, dept)
        for c, text in enumerate(row):
            lab = _clean(text)
            if not lab or not grid.TOTAL_ROW.match(lab):
                continue
            value_col = _value_after(row, c)
            if value_col is None:
                continue
            category = ("personnel" if "人员经费" in lab else "public" if "公用经费" in lab
                        else next((g.category for g in reversed(groups) if g.code_col <= c),
                                  groups[0].category))
            walk.emit(i, row, [grid.Column(value_col, category)], of=dept, row_item=lab,
                      total=True)


def _value_after(row: list[str], col: int) -> int | None:
    """The first amount right of a label, before the next label (exports misplace it)."""
    for c in range(col + 1, len(row)):
        text = row[c]
        if parse_number(text) is not None:
            return c
        if squash(text):
            return None
    return None
