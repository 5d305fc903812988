"""Records: the ontology's Python face.

Loaders produce these plain, typed objects; writers turn them into nodes and edges.
Field names are the property-graph property names of ``fiscal.ttl`` (snake_case).  Fields
whose name ends in ``_ref`` (or ``_refs``) are not properties: they name the endpoint of a
relationship, and ``ontology.vocabulary`` maps each of them to its relationship type.  A
test holds this module and the ontology in step, so a field cannot drift from the
vocabulary unnoticed.

Nothing here knows about documents or stores.  Keys are built from the data (see
``ontology.ids``) so that the same entity met in two documents is the same record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Controlled values, kept here so loaders, checks and tests share one spelling.
MEASURES = ("budget", "adjusted_budget", "actual")
FUNDS = (
    "general_public", "government_fund", "state_capital", "special_account", "unit_funds", "all",
)
CATEGORIES = (
    "total", "basic", "project", "personnel", "public", "income", "carry_over",
    "three_public", "overseas_travel", "vehicle_purchase_operation", "vehicle_purchase",
    "vehicle_operation", "official_reception", "office_operation", "meeting", "training",
    "travel", "procurement", "other",
)
OPERATORS = (">=", "<=", "=", ">", "<", "qualitative")


@dataclass(frozen=True)
class Region:
    """A GB/T 2260 administrative division; ``parent_ref`` climbs to the province."""

    code: str
    name: str
    level: str  # province | prefecture | county
    parent_ref: str | None = None  # PART_OF -> Region.code


@dataclass(frozen=True)
class Department:
    """A publishing department (部门), e.g. 江油市人民政府办公室."""

    id: str
    name: str
    code: str | None = None  # as printed, e.g. "301"
    region_ref: str | None = None  # LOCATED_IN -> Region.code


@dataclass(frozen=True)
class Unit:
    """A budget unit (预算单位) belonging to a department."""

    id: str
    name: str
    code: str | None = None
    department_ref: str | None = None  # UNIT_OF -> Department.id


@dataclass(frozen=True)
class Document:
    """One published disclosure; everything loaded from it points back here."""

    id: str
    title: str
    kind: str  # budget | final_account
    fiscal_year: int
    source: str  # file name as loaded
    sha256: str
    department_ref: str | None = None  # PUBLISHED_BY -> Department.id


@dataclass(frozen=True)
class FunctionalSubject:
    """支出功能分类科目: 类 (3 digits), 款 (5), 项 (7)."""

    code: str
    name: str
    level: int  # 1 类, 2 款, 3 项
    broader_ref: str | None = None  # BROADER -> FunctionalSubject.code


@dataclass(frozen=True)
class EconomicSubject:
    """支出经济分类科目: 类 (3 digits), 款 (5).

    ``scheme`` is department (301…) or government (501…).
    """

    code: str
    name: str
    level: int
    scheme: str
    broader_ref: str | None = None  # BROADER -> EconomicSubject.code


@dataclass(frozen=True)
class Project:
    """A project (项目) with its goal; amounts point to it with FOR_PROJECT."""

    id: str
    name: str
    fiscal_year: int
    code: str | None = None
    goal: str | None = None
    run_by_ref: str | None = None  # RUN_BY -> Unit.id or Department.id
    subject_ref: str | None = None  # CLASSIFIED_AS -> FunctionalSubject.code
    document_ref: str | None = None  # REPORTED_IN -> Document.id


@dataclass(frozen=True)
class Indicator:
    """A performance indicator (三级指标) of a project or of a whole department."""

    id: str
    name: str
    level1: str | None = None  # 产出指标 / 效益指标 / 满意度指标 / 成本指标 …
    level2: str | None = None
    operator: str | None = None  # see OPERATORS
    target_value: Decimal | None = None
    target_text: str | None = None
    unit: str | None = None
    weight: Decimal | None = None
    actual_value: Decimal | None = None
    actual_text: str | None = None
    score: Decimal | None = None
    fiscal_year: int | None = None
    owner_ref: str | None = None  # HAS_INDICATOR <- Project.id or Department.id
    document_ref: str | None = None  # REPORTED_IN -> Document.id
    table: str | None = None
    page: int | None = None
    row: int | None = None


@dataclass(frozen=True)
class Amount:
    """One observation: a money cell of a table or a figure stated in the narrative.

    ``yuan`` is always in 元; ``printed`` and ``printed_unit`` keep what the document
    showed.  Rows that are sums (合计, 类, 款) are loaded like any other cell; ``level``
    tells which level of the subject tree a row sits at so queries can pick one.
    """

    id: str
    yuan: Decimal
    measure: str  # see MEASURES
    category: str  # see CATEGORIES
    fund: str  # see FUNDS
    fiscal_year: int
    table: str  # printed table title, or "narrative"
    table_kind: str  # recognised kind, e.g. expenditure_by_function
    item: str | None = None  # row label as printed (e.g. 公务接待费, 事业收入)
    printed: str | None = None
    printed_unit: str | None = None  # 元 | 万元
    execution_rate: Decimal | None = None  # 完成预算 % printed next to an actual
    page: int | None = None
    row: int | None = None
    of_ref: str | None = None  # OF -> Unit.id or Department.id
    functional_ref: str | None = None  # CLASSIFIED_AS -> FunctionalSubject.code
    economic_ref: str | None = None  # CLASSIFIED_AS -> EconomicSubject.code
    project_ref: str | None = None  # FOR_PROJECT -> Project.id
    document_ref: str | None = None  # REPORTED_IN -> Document.id


@dataclass(frozen=True)
class Problem:
    """Something a loader could not read or that does not add up, with provenance."""

    source: str
    message: str
    table: str | None = None
    page: int | None = None
    row: int | None = None
    severity: str = "error"  # error | warning | rounding


@dataclass
class TableReport:
    """What the loader made of one table it saw (for the per-document summary)."""

    title: str
    kind: str | None  # None = seen but not recognised
    page: int | None = None
    line: int | None = None
    amounts: int = 0
    empty: bool = False


@dataclass
class DocumentRecords:
    """Everything read from one document: written to the stores all together or not at all."""

    document: Document
    regions: list[Region] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    functional_subjects: list[FunctionalSubject] = field(default_factory=list)
    economic_subjects: list[EconomicSubject] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    tables: list[TableReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def entities(self) -> list[object]:
        """All records in dependency order (targets before the records that point to them)."""
        return [
            *self.regions, *self.departments, *self.units, self.document,
            *self.functional_subjects, *self.economic_subjects,
            *self.projects, *self.indicators, *self.amounts,
        ]
