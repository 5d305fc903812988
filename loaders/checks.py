"""Identity checks: the sums a disclosure promises, tested on its loaded amounts.

Budget and final-account tables repeat the same money many times: a 类 row is the sum of
its 款 rows, 基本支出 + 项目支出 = 合计, 收入总计 = 支出总计, the 201 total of one table is
the 201 total of the next.  When a promised identity does not hold, either the document
is wrong or the loader misread it; both are worth a line in the report, with the cell's
provenance so a reader can open the page and look.

Published tables round every cell to the printed precision, so a sum of rounded cells can
miss its rounded total by a little.  A difference no larger than one unit of the printed
precision (0.01 万元 = 100 元, 0.01 元) is reported with severity ``rounding``; anything
larger is an ``error`` — except that a sum of n rounded cells may miss its rounded total
by up to (n + 1) / 2 units (each figure is off by at most half a unit), so a long list
(302 = Σ of twelve 302xx rows) is allowed that many whole units.  A figure printed more
coarsely than the ones it is compared with (the text in 万元, a table in 元) agrees with
them when their sum rounds to it.

The checks work on ``ontology.records.Amount`` objects only, never on tables, so they run
the same on a freshly loaded ``DocumentRecords`` and on amounts read back from a store.
Each identity is one small function registered in ``IDENTITIES``; ``check_amounts`` runs
them all, one document at a time.

Conventions the checks rely on (set by the table extractors):

* a row of a subject table carries ``functional_ref`` or ``economic_ref``; rows that break a
  subject down further under the same code (a project or a named detail under a 款 code)
  carry ``item`` or ``project_ref`` and are *detail rows*, never added into the tree sums;
* rows with no subject and no project are total rows (合计, a unit's or the department's
  own row); their ``item`` is empty or a total label (合计, 小计, 本年支出合计); rows whose
  label says 总计 include carry-overs and are only used by the 收入总计 = 支出总计 check;
* amounts stated in the narrative have the table title ``narrative``; they take part in
  the project check (a document may list its projects, or state its 项目支出, in prose
  only) but not in the table identities.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from loaders.normalise import UNIT_FACTORS, parent_code, squash
from ontology.records import Amount, DocumentRecords, Problem

NARRATIVE = "narrative"
SEVERITIES = ("error", "rounding")

# Table kinds that list every project of the department: their project amounts must add up
# to the project-expenditure total.  Other kinds (performance targets, self-evaluations,
# the narrative) may cover only some projects, so a shortfall there is not a finding.
COMPLETE_PROJECT_KINDS = frozenset({"general_budget_project"})
# Department-wide forms carry the department's totals, not projects.
NOT_PROJECT_KINDS = frozenset({"department_performance", "department_self_evaluation"})
# Where the project-expenditure total of a document is best read, most trusted first.
PROJECT_TOTAL_KINDS = (
    "expenditure", "general_budget_expenditure", "income_expenditure_summary",
    "fiscal_summary", "general_budget_project", NARRATIVE,
)

_TOTAL_WORDS = ("合计", "小计")
_GRAND_TOTAL = "总计"
_CARRY_WORDS = ("结转", "结余")
_NUMBER = re.compile(r"\d[\d,，]*(?:\.(\d+))?")


@dataclass(frozen=True)
class Finding:
    """One identity that does not hold, with where to look.

    ``expected`` is the printed figure the others should add up to (or the reference
    value), ``actual`` what they add up to, ``difference = actual - expected``; all in 元.
    ``printed_unit`` is the unit the document printed, used to show the figures as printed.
    """

    identity: str
    document: str | None
    table: str | None
    page: int | None
    row: int | None
    expected: Decimal
    actual: Decimal
    difference: Decimal
    severity: str  # error | rounding
    message: str
    printed_unit: str | None = None

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly mapping (money as decimal strings, never floats)."""
        return {
            "identity": self.identity, "document": self.document, "table": self.table,
            "page": self.page, "row": self.row, "expected": _cents(self.expected),
            "actual": _cents(self.actual), "difference": _cents(self.difference),
            "severity": self.severity, "message": self.message,
            "printed_unit": self.printed_unit,
        }


def _cents(yuan: Decimal) -> str:
    """元 as a decimal string with at least two places (``2958100.00``)."""
    exponent = yuan.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return str(yuan)  # finer than a cent: keep every printed digit
    return str(yuan.quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Scope:
    """What a check needs to know about the document besides its amounts."""

    document: str | None
    departments: frozenset[str]  # ids of department nodes: amounts OF them are department level


Identity = Callable[[list[Amount], Scope], list[Finding]]
IDENTITIES: list[tuple[str, Identity]] = []


def identity(name: str) -> Callable[[Identity], Identity]:
    """Register a check under the name findings carry."""

    def register(fn: Identity) -> Identity:
        IDENTITIES.append((name, fn))
        return fn

    return register


# --- running ---------------------------------------------------------------------------

def check_amounts(amounts: Iterable[Amount], departments: Collection[str] = (),
                  only: Collection[str] | None = None) -> list[Finding]:
    """Run every registered identity (or those named in ``only``) document by document."""
    by_doc: dict[str | None, list[Amount]] = defaultdict(list)
    for a in amounts:
        by_doc[a.document_ref].append(a)
    findings: list[Finding] = []
    for doc, doc_amounts in by_doc.items():
        doc_amounts.sort(key=position)
        scope = Scope(document=doc, departments=frozenset(departments))
        for name, fn in IDENTITIES:
            if only is None or name in only:
                findings.extend(fn(doc_amounts, scope))
    return findings


def check_records(records: DocumentRecords) -> list[Finding]:
    """The findings for one freshly loaded document."""
    return check_amounts(records.amounts, {d.id for d in records.departments})


def as_problems(findings: Iterable[Finding], source: str) -> list[Problem]:
    """Findings in the loader's problem list shape (for the per-document load summary)."""
    return [Problem(source=source, message=f.message, table=f.table, page=f.page, row=f.row,
                    severity=f.severity) for f in findings]


# --- helpers ---------------------------------------------------------------------------

def position(a: Amount) -> tuple[int, int, str]:
    """Reading order of a cell: the table's line and the row, from the amount's key.

    Keys are ``{document}-{line}-{row}-{col}`` (``ontology.ids.cell_key``), so they order
    cells even after a round trip through a store; the row field is the fallback.
    """
    parts = a.id.split("-")
    line = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
    return line, a.row if a.row is not None else 0, a.id


def subject(a: Amount) -> tuple[str, str] | None:
    """The classification of a row: ('f', functional code) or ('e', economic code)."""
    if a.functional_ref:
        return "f", a.functional_ref
    if a.economic_ref:
        return "e", a.economic_ref
    return None


def is_narrative(a: Amount) -> bool:
    """A figure stated in the text (narrative passes emit kinds ``narrative_*``)."""
    return a.table == NARRATIVE or a.table_kind.startswith(NARRATIVE)


def is_detail(a: Amount) -> bool:
    """A row breaking a subject down under the same code (a project, a named detail)."""
    return subject(a) is not None and (a.item is not None or a.project_ref is not None)


def is_grand_total(a: Amount) -> bool:
    """收入总计 / 支出总计: the current year plus carry-overs."""
    return a.item is not None and _GRAND_TOTAL in squash(a.item)


def is_total_row(a: Amount) -> bool:
    """A row with no subject and no project that sums the rows of its table or block."""
    if subject(a) is not None or a.project_ref is not None:
        return False
    if a.item is None:
        return True
    label = squash(a.item)
    if "收入" in label and a.category != "income":
        return False  # 本年收入合计 beside the spending side of a 收支总表
    return any(w in label for w in _TOTAL_WORDS) and not any(
        w in label for w in (_GRAND_TOTAL, *_CARRY_WORDS))


def tolerance(amounts: Iterable[Amount]) -> Decimal:
    """One unit of the coarsest printed precision among ``amounts``, in 元."""
    return max((_unit_of(a) for a in amounts), default=Decimal("0.01"))


def _unit_of(a: Amount) -> Decimal:
    factor = UNIT_FACTORS.get(a.printed_unit or "元", Decimal(1))
    places = 2
    if a.printed:
        m = _NUMBER.search(a.printed)
        if m:
            places = len(m.group(1) or "")
    return factor * Decimal(1).scaleb(-places)


def rounding_units(summands: int) -> int:
    """How many printed units a sum of ``summands`` rounded figures may miss its rounded
    total by: each of them and the total are off by at most half a unit."""
    return max(1, (summands + 1) // 2)


def severity_of(difference: Decimal, tol: Decimal) -> str | None:
    """None when equal, ``rounding`` within the tolerance, else ``error``."""
    if difference == 0:
        return None
    return "rounding" if abs(difference) <= tol else "error"


def show(yuan: Decimal, unit: str | None) -> str:
    """An amount in the document's printed unit, e.g. ``295.81 万元``."""
    unit = unit or "元"
    value = yuan / UNIT_FACTORS.get(unit, Decimal(1))
    return f"{value.quantize(Decimal('0.01')):,} {unit}"


def _name(a: Amount) -> str:
    """How a row is called in messages: its code, item or project."""
    s = subject(a)
    parts = [s[1]] if s else []
    if a.item:
        parts.append(a.item)
    if a.project_ref and not a.item:
        parts.append(f"项目 {a.project_ref}")
    return " ".join(parts) or "合计行"


_CATEGORY_LABELS = {
    "total": "合计", "basic": "基本支出", "project": "项目支出", "personnel": "人员经费",
    "public": "公用经费", "income": "收入", "carry_over": "结转和结余", "other": "其他支出",
}


def _column(a: Amount) -> str:
    """The column a cell is in, for messages: ``合计列``, ``基本支出列`` …"""
    return _CATEGORY_LABELS.get(a.category, a.category) + "列"


def finding(name: str, at: Amount, expected: Sequence[Amount], actual: Sequence[Amount],
            what: str, scope: Scope) -> Finding | None:
    """A finding located at ``at`` when Σ ``actual`` differs from Σ ``expected``, else None.

    When one side is a single figure printed more coarsely than every amount on the other
    side (a 万元 total against 元 cells), the sides agree if the finer sum rounds to it.
    """
    want = sum((a.yuan for a in expected), Decimal(0))
    got = sum((a.yuan for a in actual), Decimal(0))
    diff = got - want
    sev = severity_of(diff, tolerance([*expected, *actual]) * rounding_units(
        max(len(expected), len(actual))))
    if sev is None or _rounds_to(expected, actual) or _rounds_to(actual, expected):
        return None
    unit = at.printed_unit
    note = "（在印刷精度之内）" if sev == "rounding" else ""
    message = (f"{what}：应为 {show(want, unit)}，实为 {show(got, unit)}，"
               f"相差 {show(diff, unit)}{note}")
    return Finding(identity=name, document=at.document_ref or scope.document, table=at.table,
                   page=at.page, row=at.row, expected=want, actual=got, difference=diff,
                   severity=sev, message=message, printed_unit=unit)


def _rounds_to(coarse: Sequence[Amount], fine: Sequence[Amount]) -> bool:
    """One coarsely printed figure that the sum of finer ones rounds to."""
    if len(coarse) != 1 or not fine:
        return False
    step = _unit_of(coarse[0])
    if step <= max(_unit_of(a) for a in fine):
        return False
    total = sum((a.yuan for a in fine), Decimal(0))
    return (total / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step == coarse[0].yuan


def _group(amounts: Iterable[Amount], key: Callable[[Amount], object]
           ) -> dict[object, list[Amount]]:
    groups: dict[object, list[Amount]] = defaultdict(list)
    for a in amounts:
        groups[key(a)].append(a)
    return groups


def _table_amounts(amounts: Sequence[Amount]) -> list[Amount]:
    return [a for a in amounts if not is_narrative(a)]


# --- 1. 合计 = Σ rows at each level of the subject tree --------------------------------

def _nearest_ancestor(code: str, present: set[str]) -> str | None:
    p = parent_code(code)
    while p is not None and p not in present:
        p = parent_code(p)
    return p


def _level_name(a: Amount) -> str:
    code = subject(a)[1]  # type: ignore[index]
    return {3: "类", 5: "款", 7: "项"}.get(len(code), "下级")


def _owner(child: Amount, parents: list[Amount]) -> Amount:
    """Of several rows printing the same code, the child belongs to the nearest above it."""
    above = [p for p in parents if position(p) < position(child)]
    return above[-1] if above else parents[0]


@identity("subject_tree")
def subject_tree(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """A 类 row is the sum of its 款 rows, a 款 row of its 项 rows, the 合计 of the 类 rows;
    a subject row with detail rows (projects, named details) is their sum; the department's
    row is the sum of its units' rows.  Checked per table, unit, column, fund and measure.
    """
    out: list[Finding] = []
    rows = _table_amounts(amounts)
    cell_groups = _group(rows, lambda a: (a.table, a.of_ref, a.category, a.fund, a.measure,
                                          column_key(a)))
    for group in cell_groups.values():
        out.extend(_tree_sums(without_column_label(group), scope))
    column_groups = _group(rows, lambda a: (a.table, a.category, a.fund, a.measure,
                                            column_key(a)))
    for group in column_groups.values():
        out.extend(_units_sum(without_column_label(group), scope))
    return out


# Categories that name their column alone.  Other columns (收入 by source, 结转和结余,
# 上缴上级支出 …) share a category, so their amounts carry the column in ``item`` and are
# told apart by the column they sit in.
MAIN_CATEGORIES = frozenset({"total", "basic", "project", "personnel", "public"})


def column_key(a: Amount) -> str | None:
    """The printed column of a cell whose category does not name its column alone."""
    if a.category in MAIN_CATEGORIES:
        return None
    parts = a.id.split("-", 3)
    return parts[3] if len(parts) == 4 else a.item


def without_column_label(group: list[Amount]) -> list[Amount]:
    """Drop the column's label from the items of one column's cells.

    In such a column a subject's own cell has item = the column (``本年收入/基本支出``) and a
    合计 row ``合计（本年收入/基本支出）``; without the label they read like any column's
    cells (no item, ``合计``), so the tree sums apply to them unchanged.
    """
    if not group or group[0].category in MAIN_CATEGORIES:
        return group
    labels = {a.item for a in group if subject(a) is not None and a.item}
    if len(labels) != 1:
        return group
    label = labels.pop()
    suffix = f"（{label}）"

    def bare(item: str | None) -> str | None:
        if item == label:
            return None
        if item and item.endswith(suffix):
            return item[: -len(suffix)]
        return item

    return [replace(a, item=bare(a.item)) for a in group]


def _tree_sums(group: list[Amount], scope: Scope) -> list[Finding]:
    out: list[Finding] = []
    nodes = [a for a in group if subject(a) is not None and not is_detail(a)]
    details = [a for a in group if is_detail(a)]
    totals = [a for a in group if is_total_row(a)]
    by_code: dict[tuple[str, str], list[Amount]] = defaultdict(list)
    for a in nodes:
        by_code[subject(a)].append(a)  # type: ignore[index]
    children: dict[str, list[Amount]] = defaultdict(list)  # parent amount id -> rows
    roots: dict[str, list[Amount]] = defaultdict(list)  # scheme -> top rows
    present: dict[str, set[str]] = defaultdict(set)  # scheme -> codes printed
    for scheme, code in by_code:
        present[scheme].add(code)
    for a in nodes:
        scheme, code = subject(a)  # type: ignore[misc]
        anc = _nearest_ancestor(code, present[scheme])
        if anc is None:
            roots[scheme].append(a)
        else:
            children[_owner(a, by_code[(scheme, anc)]).id].append(a)
    for parent in nodes:
        kids = children.get(parent.id)
        if kids:
            out.extend(_sum_finding(parent, kids, f"其{_level_name(kids[0])}行", scope))
        own = [d for d in details if subject(d) == subject(parent)
               and _owner(d, by_code[subject(parent)]) is parent  # type: ignore[index]
               and not squash(d.item or "").startswith("其中")]
        out.extend(_detail_sums(parent, own, scope))
    if totals:
        head = totals[0]
        for other in totals[1:]:
            out.extend(_sum_finding(other, [head], "本表合计行", scope))
        for top in roots.values():
            levels = {_level_name(t) for t in top}
            what = levels.pop() if len(levels) == 1 else "最上级科目"
            out.extend(_sum_finding(head, top, f"各{what}行", scope))
    return out


def _detail_sums(parent: Amount, own: list[Amount], scope: Scope) -> list[Finding]:
    """A subject row and the finer rows printed under it with the same code.

    Projects may be grouped (单位运转项目（不可细化）, 人员类项目): then the subject is the sum
    of its groupings and each grouping the sum of the projects below it, so no project is
    counted twice.  Without groupings the subject is the sum of its projects or details.
    """
    groupings = [d for d in own if d.project_ref is None]
    projects = [d for d in own if d.project_ref is not None]
    if not groupings:
        return _sum_finding(parent, projects, "其项目行", scope) if projects else []
    out = _sum_finding(parent, groupings, "其明细行", scope)
    for g in groupings:
        below = [p for p in projects if _owner(p, groupings) is g and position(p) > position(g)]
        if below:
            out.extend(_sum_finding(g, below, "其项目行", scope))
    return out


def _sum_finding(head: Amount, parts: list[Amount], what: str, scope: Scope) -> list[Finding]:
    """``head`` should equal the sum of ``parts`` (a finding at ``head`` if not)."""
    f = finding("subject_tree", head, [head], parts,
                f"{_name(head)}（{_column(head)}）应等于{what}之和", scope)
    return [f] if f else []


def _units_sum(group: list[Amount], scope: Scope) -> list[Finding]:
    """The department's own row equals the sum of its units' rows (per-unit tables)."""
    if not scope.departments:
        return []
    dept = [a for a in group if is_total_row(a) and a.of_ref in scope.departments]
    units: dict[str, Amount] = {}
    for a in group:
        if is_total_row(a) and a.of_ref is not None and a.of_ref not in scope.departments:
            units.setdefault(a.of_ref, a)
    if not dept or not units:
        return []
    head = dept[0]
    parts = list(units.values())
    f = finding("subject_tree", head, [head], parts,
                f"部门合计行（{_column(head)}）应等于各单位合计行之和", scope)
    return [f] if f else []


# --- 2. 基本支出 + 项目支出 = 合计 --------------------------------------------------------

def _row_key(a: Amount) -> tuple[object, ...]:
    return (a.table, position(a)[:2], a.of_ref, subject(a), a.project_ref, a.item,
            a.fund, a.measure)


def _cell_row_key(a: Amount) -> tuple[object, ...]:
    """The printed row a cell is on, whatever its column's item."""
    return (a.table, position(a)[:2], a.of_ref, subject(a), a.project_ref, a.fund, a.measure)


@identity("basic_plus_project")
def basic_plus_project(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """On one row, 基本支出 + 项目支出 = 合计 (a blank cell counts as nothing spent).

    Columns of other spending printed on the same row (上缴上级支出, 经营支出, 对附属单位
    补助支出, 单位预留机动经费: category ``other``, with the column as item) are part of the
    合计 too.
    """
    out: list[Finding] = []
    rows = _table_amounts(amounts)
    others = _group([a for a in rows if a.category == "other"], _cell_row_key)
    for row in _group(rows, _row_key).values():
        totals = [a for a in row if a.category == "total"]
        parts = [a for a in row if a.category in ("basic", "project")]
        if not any(a.category == "basic" for a in row):
            # 基本支出 printed as its two parts (人员经费 | 公用经费) only
            parts += [a for a in row if a.category in ("personnel", "public")]
        if not totals or not parts:
            continue
        parts += [a for a in others.get(_cell_row_key(totals[0]), []) if a not in row]
        what = f"{_name(totals[0])}：基本支出 + 项目支出 应等于合计"
        f = finding("basic_plus_project", totals[0], totals, parts, what, scope)
        if f:
            out.append(f)
    return out


# --- 3. 人员经费 + 公用经费 = 基本支出 ----------------------------------------------------

BASIC_KINDS = frozenset({"general_budget_basic"})


@identity("personnel_plus_public")
def personnel_plus_public(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """人员经费 + 公用经费 = 基本支出: on one row, or, for a table that prints the two
    totals with no 基本支出 beside them (人员经费合计 | 公用经费合计), against the document's
    基本支出 total.
    """
    out: list[Finding] = []
    rows = _table_amounts(amounts)
    for row in _group(rows, _row_key).values():
        parts = [a for a in row if a.category in ("personnel", "public")]
        ref = [a for a in row if a.category == "basic"]
        if not ref and row[0].table_kind in BASIC_KINDS:
            ref = [a for a in row if a.category == "total"]
        if parts and ref:
            out.extend(_personnel_public(parts, ref, scope))
    for group in _group(rows, lambda a: (a.table, a.measure, a.fund)).values():
        if any(a.category in ("basic", "total") for a in group if is_total_row(a)):
            continue  # the table prints its own 基本支出 total: checked row by row above
        personnel = [a for a in group if a.category == "personnel" and _department_total(a, scope)]
        public = [a for a in group if a.category == "public" and _department_total(a, scope)]
        if not personnel or not public:
            continue
        basic = document_total(amounts, "basic", personnel[0].measure, personnel[0].fund, scope)
        if basic is not None:
            out.extend(_personnel_public([personnel[0], public[0]], [basic], scope))
    return out


def _narrative_total(a: Amount, label: str, scope: Scope) -> bool:
    """A figure the text states for the whole department (``项目支出 446.98 万元``)."""
    return (is_narrative(a) and subject(a) is None and a.project_ref is None
            and label in squash(a.item or "")
            and (a.of_ref is None or not scope.departments or a.of_ref in scope.departments))


def _department_total(a: Amount, scope: Scope) -> bool:
    return is_total_row(a) and (
        a.of_ref is None or not scope.departments or a.of_ref in scope.departments)


def _personnel_public(parts: list[Amount], ref: list[Amount], scope: Scope) -> list[Finding]:
    where = "" if ref[0].table == parts[0].table else f"（基本支出见{ref[0].table}）"
    f = finding("personnel_plus_public", parts[0], ref, parts,
                f"{_name(parts[0])}：人员经费 + 公用经费 应等于基本支出{where}", scope)
    return [f] if f else []


def document_total(amounts: Sequence[Amount], category: str, measure: str, fund: str,
                   scope: Scope, kinds: Sequence[str] = PROJECT_TOTAL_KINDS) -> Amount | None:
    """The department's total of a column (基本支出, 项目支出) as the document prints it.

    Department-level total rows only; the same fund is preferred, then all funds; tables
    are preferred over the narrative, in the order of ``kinds``.
    """
    label = _CATEGORY_LABELS.get(category, category)
    cands = [a for a in amounts if a.category == category and a.measure == measure
             and (_department_total(a, scope) or _narrative_total(a, label, scope))]
    if not cands:
        return None

    def rank(a: Amount) -> tuple[int, int, tuple[int, int, str]]:
        fund_rank = 0 if a.fund == fund else 1 if a.fund == "all" else 2
        kind = NARRATIVE if is_narrative(a) else a.table_kind
        kind_rank = kinds.index(kind) if kind in kinds else len(kinds) - 1
        return fund_rank, kind_rank, position(a)

    best = min(cands, key=rank)
    if best.fund not in (fund, "all"):
        return None
    return best


# --- 4. 收入总计 = 支出总计 ----------------------------------------------------------------

def _is_income(a: Amount) -> bool:
    return a.category == "income" or "收入" in squash(a.item or "")


@identity("income_equals_expenditure")
def income_equals_expenditure(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """In a 收支总表, 收入总计 = 支出总计 (per fund column printed on the expenditure side)."""
    out: list[Finding] = []
    grand = [a for a in _table_amounts(amounts) if is_grand_total(a)]
    for group in _group(grand, lambda a: (a.table, a.measure)).values():
        income = [a for a in group if _is_income(a)]
        spend = [a for a in group if not _is_income(a)]
        if not income or not spend:
            continue
        for inc in income:
            match = [s for s in spend if s.fund == inc.fund] or [
                s for s in spend if s.fund == "all"]
            if not match:
                continue
            f = finding("income_equals_expenditure", match[0], [inc], [match[0]],
                        "支出总计应等于收入总计", scope)
            if f:
                out.append(f)
    return out


# --- 5. one subject, one value across the tables of a document ------------------------

@identity("same_subject_across_tables")
def same_subject_across_tables(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """A subject's figure (same column, fund, measure and unit) is the same in every table
    that prints it; the value most tables agree on is the reference.
    """
    out: list[Finding] = []
    rows = [a for a in _table_amounts(amounts) if subject(a) is not None and not is_detail(a)]
    keyed = _group(rows, lambda a: (subject(a), a.category, a.fund, a.measure, a.of_ref))
    for group in keyed.values():
        per_table: dict[str, Amount] = {}
        ambiguous: set[str] = set()
        for a in group:
            seen = per_table.get(a.table)
            if seen is None:
                per_table[a.table] = a
            elif seen.yuan != a.yuan:
                ambiguous.add(a.table)  # printed twice with two values: no single figure
        firsts = [a for t, a in per_table.items() if t not in ambiguous]
        if len(firsts) < 2:
            continue
        votes: dict[Decimal, int] = defaultdict(int)
        for a in firsts:
            votes[a.yuan] += 1
        ref = max(firsts, key=lambda a: (votes[a.yuan], -firsts.index(a)))
        for a in firsts:
            if a is ref:
                continue
            what = f"{_name(a)}（{_column(a)}）应与{ref.table}第{ref.row}行相同"
            f = finding("same_subject_across_tables", a, [ref], [a], what, scope)
            if f:
                out.append(f)
    return out


# --- 6. projects add up to the project-expenditure total ------------------------------

@identity("projects_vs_project_total")
def projects_vs_project_total(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """The projects listed in one kind of table add up to the document's 项目支出.

    One amount per project and kind counts (the first, e.g. 年度总金额 before the fund
    rows of a self-evaluation).  Kinds that list only some projects (performance targets,
    self-evaluations, the narrative) are held to "not more than the total"; kinds in
    ``COMPLETE_PROJECT_KINDS`` to equality.
    """
    out: list[Finding] = []
    projects = [a for a in amounts if a.project_ref is not None
                and a.table_kind not in NOT_PROJECT_KINDS]
    groups = _group(projects, lambda a: (
        NARRATIVE if is_narrative(a) else a.table_kind, a.measure, a.fund))
    for (kind, measure, fund), group in groups.items():
        one_each: dict[str, Amount] = {}
        for a in group:
            one_each.setdefault(a.project_ref, a)  # type: ignore[arg-type]
        parts = list(one_each.values())
        total = document_total(amounts, "project", measure, fund, scope)
        if total is None:
            continue
        actual = sum((a.yuan for a in parts), Decimal(0))
        complete = kind in COMPLETE_PROJECT_KINDS and total.fund == fund
        if actual < total.yuan - tolerance([total, *parts]) and not complete:
            continue  # a partial list: fewer projects than the document spends on
        where = "说明正文" if is_narrative(total) else f"{total.table}第{total.row}行"
        what = f"{len(parts)} 个项目的金额之和（{kind}）应等于项目支出合计（{where}）"
        f = finding("projects_vs_project_total", parts[0], [total], parts, what, scope)
        if f:
            out.append(f)
    return out


# --- 7. what the text states is what the tables print ---------------------------------

# Where the text's 总计 figures are printed: 财政拨款收入支出总计 in the 财政拨款 summary,
# 收入支出总计 in the summary of all funds.
_GRAND_TOTAL_TABLES = (("财政拨款", "fiscal_summary"), ("", "income_expenditure_summary"))
_OTHER_FUNDS = ("government_fund", "state_capital")


@identity("narrative_vs_tables")
def narrative_vs_tables(amounts: list[Amount], scope: Scope) -> list[Finding]:
    """A figure the text states is the figure the tables print: a 类 or 项 amount, the
    收入支出总计, 本年收入合计 and 本年支出合计, 基本支出, 项目支出, 人员经费, 公用经费, the
    “三公” items.  The text agrees when any table printing the figure agrees (the tables'
    own differences are the other identities' business); a figure no table prints is not
    compared.  In a document with no government-fund or state-capital money, the text's
    一般公共预算 figure and a table's 财政拨款 figure are the same money.
    """
    out: list[Finding] = []
    rows = [a for a in _table_amounts(amounts) if a.project_ref is None and not is_detail(a)]
    single_fund = not any(a.fund in _OTHER_FUNDS and a.yuan for a in rows)
    for stated in amounts:
        if not is_narrative(stated) or stated.project_ref is not None:
            continue
        printed = [a for a in rows if _same_figure(stated, a, scope, single_fund)]
        if not printed:
            continue
        found = [finding("narrative_vs_tables", stated, [a], [stated],
                         f"说明正文所述{stated.item or _name(stated)}应与{a.table}第{a.row}行相同",
                         scope) for a in printed]
        if all(f is not None and f.severity == "error" for f in found):
            out.append(found[0])  # type: ignore[arg-type]
    return out


def _same_fund(a: Amount, b: Amount, single_fund: bool) -> bool:
    return a.fund == b.fund or (single_fund and {a.fund, b.fund} == {"all", "general_public"})


def _same_figure(stated: Amount, a: Amount, scope: Scope, single_fund: bool) -> bool:
    """Does table cell ``a`` print the figure the text states?"""
    if a.measure != stated.measure or not _same_fund(stated, a, single_fund):
        return False
    if a.of_ref is not None and scope.departments and a.of_ref not in scope.departments:
        return False
    if stated.functional_ref or stated.economic_ref:
        return subject(a) == subject(stated) and a.category == stated.category
    if subject(a) is not None:
        return False
    label = squash(stated.item or "")
    if _GRAND_TOTAL in label:
        kind = next(k for word, k in _GRAND_TOTAL_TABLES if word in label)
        return is_grand_total(a) and a.table_kind == kind
    if is_grand_total(a):
        return False
    if stated.category not in MAIN_CATEGORIES and stated.category != "income":
        return a.category == stated.category  # 三公 items, 机关运行经费 …
    item = squash(a.item or "")
    if not any(w in item for w in _TOTAL_WORDS) or any(w in item for w in _CARRY_WORDS):
        return False
    if _is_income(stated) != _is_income(a):
        return False
    return _is_income(a) or a.category == stated.category
