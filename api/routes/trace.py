"""``GET /trace``: follow a functional subject down to units, projects and their targets.

For each document (one region, one year, one kind) that says something about the subject,
the answer is the subject's tree — 类 → 款 → 项 as far as the document goes — with, at each
subject, its amount, the amounts of the budget units under it, and the projects classified
under it with their performance indicators (targets, and actuals where a final account
prints them).

How amounts are chosen, so nothing is counted twice:

* one table per document: the first of ``TABLE_KINDS`` that prints the subject's tree
  (部门支出总表 first: it carries every fund; then the general-budget table, the summary
  tables, and the prose of a final account as a last resort);
* one measure (the document's own: ``budget`` for a budget, ``actual`` for a final account)
  and one fund (``all`` when the table has it, else the one it prints);
* ``category = 'total'`` and, where the table has them, only rows without an ``item`` (item
  rows repeat a total under a column heading such as 当年财政拨款安排);
* a subject's figure is the department-level row when printed; else the sum of its budget
  units' rows (different units, same subject); else the sum of its children's figures.
  ``basis`` says which (``printed``, ``units``, ``children``), so a reader sees what was added.

Project amounts come from the rows linked to the project in the same document, with the
same measure (fund ``all`` preferred).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import GraphReader, State
from api.errors import ApiError, responses
from ontology import ids

router = APIRouter(tags=["trace"])

TABLE_KINDS = ("expenditure", "general_budget_expenditure", "income_expenditure_summary",
               "fiscal_summary", "narrative_final")
MEASURE_OF_KIND = {"budget": "budget", "final_account": "actual"}
FUNDS = ("all", "general_public")


class SubjectRef(BaseModel):
    code: str
    name: str
    iri: str


class EntityRef(BaseModel):
    iri: str
    label: str


class IndicatorOut(BaseModel):
    name: str | None
    iri: str
    level1: str | None = None
    level2: str | None = None
    operator: str | None = None
    target_value: float | None = None
    target_text: str | None = None
    unit: str | None = None
    weight: float | None = None
    actual_value: float | None = None
    actual_text: str | None = None


class ProjectOut(BaseModel):
    name: str | None
    iri: str
    code: str | None = None
    yuan: float | None = None
    indicators: list[IndicatorOut]


class UnitAmount(BaseModel):
    name: str | None
    iri: str
    yuan: float


class SubjectNode(BaseModel):
    code: str
    name: str | None
    iri: str
    level: int | None
    yuan: float | None
    basis: str | None  # printed | units | children
    children: list[SubjectNode]
    units: list[UnitAmount]
    projects: list[ProjectOut]


class RegionTrace(BaseModel):
    code: str
    name: str | None
    year: int | None
    measure: str
    yuan: float | None
    document: EntityRef
    department: EntityRef
    table_kind: str | None
    fund: str | None
    children: list[SubjectNode]
    unplaced_projects: list[ProjectOut]  # projects of the document with no functional subject


class TraceOut(BaseModel):
    subject: SubjectRef
    regions: list[RegionTrace]


# ------------------------------------------------------------------------------------------
# Queries (the Cypher subset the embedded engine and Neo4j share)
# ------------------------------------------------------------------------------------------

Q_SUBJECT = ("MATCH (s:FunctionalSubject {code: $subject}) "
             "RETURN s.code AS code, s.name AS name, s.level AS level")
Q_TREE = ("MATCH (top:FunctionalSubject {code: $subject})<-[:BROADER*0..2]-(s:FunctionalSubject) "
          "OPTIONAL MATCH (s)-[:BROADER]->(p:FunctionalSubject) "
          "RETURN DISTINCT s.code AS code, s.name AS name, s.level AS level, p.code AS parent")
Q_DOCS = ("MATCH (d:Document)-[:PUBLISHED_BY]->(dep:Department)-[:LOCATED_IN]->(r:Region) "
          "WHERE ($region = '' OR r.code = $region) AND ($year = 0 OR d.fiscal_year = $year) "
          "RETURN d.id AS doc, d.title AS title, d.kind AS kind, d.fiscal_year AS year, "
          "dep.id AS dep, dep.name AS dep_name, r.code AS region, r.name AS region_name "
          "ORDER BY region, year, kind, doc")
SUBTREE = ("MATCH (top:FunctionalSubject {code: $subject})"
           "<-[:BROADER*0..2]-(s:FunctionalSubject) ")
Q_AMOUNTS = (SUBTREE +
             "MATCH (s)<-[:CLASSIFIED_AS]-(a:Amount) "
             "MATCH (a)-[:REPORTED_IN]->(d:Document) "
             "WHERE d.id IN $docs AND a.category = 'total' "
             "OPTIONAL MATCH (a)-[:OF]->(u:Unit) "
             "RETURN d.id AS doc, a.table_kind AS kind, a.measure AS measure, a.fund AS fund, "
             "a.item AS item, s.code AS code, a.yuan AS yuan, u.id AS unit, "
             "u.name AS unit_name, a.row AS row")
Q_PROJECTS = (SUBTREE +
              "MATCH (s)<-[:CLASSIFIED_AS]-(p:Project) "
              "MATCH (p)-[:REPORTED_IN]->(d:Document) WHERE d.id IN $docs "
              "RETURN d.id AS doc, s.code AS code, p.id AS id, p.name AS name, p.code AS pcode")
Q_UNPLACED = ("MATCH (p:Project)-[:REPORTED_IN]->(d:Document) WHERE d.id IN $docs "
              "OPTIONAL MATCH (p)-[c:CLASSIFIED_AS]->(:FunctionalSubject) "
              "WITH d, p, count(c) AS placed WHERE placed = 0 "
              "RETURN d.id AS doc, p.id AS id, p.name AS name, p.code AS pcode")
Q_PROJECT_AMOUNTS = ("MATCH (a:Amount)-[:FOR_PROJECT]->(p:Project) WHERE p.id IN $ids "
                     "MATCH (a)-[:REPORTED_IN]->(d:Document) WHERE d.id IN $docs "
                     "RETURN p.id AS project, d.id AS doc, a.measure AS measure, "
                     "a.fund AS fund, a.yuan AS yuan, a.row AS row")
Q_INDICATORS = ("MATCH (p:Project)-[:HAS_INDICATOR]->(i:Indicator) WHERE p.id IN $ids "
                "OPTIONAL MATCH (i)-[:REPORTED_IN]->(d:Document) "
                "RETURN p.id AS project, d.id AS doc, i.id AS id, i.name AS name, "
                "i.level1 AS level1, i.level2 AS level2, i.operator AS operator, "
                "i.target_value AS target_value, i.target_text AS target_text, "
                "i.unit AS unit, i.weight AS weight, i.actual_value AS actual_value, "
                "i.actual_text AS actual_text, i.page AS page, i.row AS row")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _order(value: Any) -> tuple[int, Any]:
    return (1, 0) if value is None else (0, value)


@dataclass
class Doc:
    id: str
    title: str
    kind: str
    year: int | None
    department: str
    department_name: str
    region: str
    region_name: str

    @property
    def measure(self) -> str:
        return MEASURE_OF_KIND.get(self.kind, "budget")


@dataclass
class Selection:
    """The rows of one document the tree is built from."""

    kind: str | None = None
    fund: str | None = None
    printed: dict[str, float] = field(default_factory=dict)  # code -> department row
    units: dict[str, list[tuple[str, str | None, float]]] = field(default_factory=dict)


def select_amounts(rows: list[dict[str, Any]], measure: str) -> Selection:
    """One table, one measure, one fund; item rows only where the table has no others."""
    if not any(r["measure"] == measure for r in rows):
        measures = sorted({r["measure"] for r in rows if r["measure"]})
        measure = measures[0] if measures else measure
    rows = [r for r in rows if r["measure"] == measure and r["yuan"] is not None]
    kinds = [k for k in TABLE_KINDS if any(r["kind"] == k for r in rows)]
    kinds += sorted({r["kind"] for r in rows if r["kind"] and r["kind"] not in kinds})
    if not kinds:
        return Selection()
    kind = kinds[0]
    rows = [r for r in rows if r["kind"] == kind]
    funds = [f for f in FUNDS if any(r["fund"] == f for r in rows)]
    fund = funds[0] if funds else sorted({str(r["fund"]) for r in rows})[0]
    rows = [r for r in rows if str(r["fund"]) == fund or r["fund"] == fund]
    if any(r["item"] is None for r in rows):
        rows = [r for r in rows if r["item"] is None]
    rows.sort(key=lambda r: _order(r["row"]))
    sel = Selection(kind=kind, fund=fund)
    seen_units: set[tuple[str, str]] = set()
    for r in rows:
        code = r["code"]
        if r["unit"] is None:
            sel.printed.setdefault(code, float(r["yuan"]))
        elif (code, r["unit"]) not in seen_units:
            seen_units.add((code, r["unit"]))
            sel.units.setdefault(code, []).append((r["unit"], r["unit_name"], float(r["yuan"])))
    return sel


def project_yuan(rows: list[dict[str, Any]], measure: str) -> float | None:
    """The project's amount in one document: its measure, fund ``all`` first."""
    rows = [r for r in rows if r["measure"] == measure and r["yuan"] is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: (FUNDS.index(r["fund"]) if r["fund"] in FUNDS else len(FUNDS),
                             _order(r["row"])))
    return float(rows[0]["yuan"])


class Tracer:
    """Builds the trace of one subject from a handful of queries."""

    def __init__(self, graph: GraphReader, base: str, subject: str):
        self.graph, self.base, self.subject = graph, base, subject

    def iri(self, kind: str, key: str) -> str:
        return ids.iri(self.base, kind, key)

    def run(self, region: str, year: int) -> TraceOut:
        found = self.graph.query(Q_SUBJECT, {"subject": self.subject})
        if not found:
            raise ApiError(404, "not_found", f"there is no functional subject {self.subject!r}; "
                           "search with GET /search?kind=functional-subject&q=…")
        top = found[0]
        tree = {r["code"]: r for r in self.graph.query(Q_TREE, {"subject": self.subject})}
        docs = [Doc(r["doc"], r["title"], r["kind"], _int(r["year"]), r["dep"], r["dep_name"],
                    r["region"], r["region_name"])
                for r in self.graph.query(Q_DOCS, {"region": region, "year": year})]
        params = {"subject": self.subject, "docs": [d.id for d in docs]}
        amounts = defaultdict(list)
        for r in self.graph.query(Q_AMOUNTS, params):
            amounts[r["doc"]].append(r)
        projects: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.graph.query(Q_PROJECTS, params):
            projects[r["doc"]].append(r)
        unplaced: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.graph.query(Q_UNPLACED, {"docs": params["docs"]}):
            unplaced[r["doc"]].append(r)
        project_ids = sorted({p["id"] for rows in (*projects.values(), *unplaced.values())
                              for p in rows})
        self.project_amounts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.indicators: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
        if project_ids:
            for r in self.graph.query(Q_PROJECT_AMOUNTS,
                                      {"ids": project_ids, "docs": params["docs"]}):
                self.project_amounts[(r["project"], r["doc"])].append(r)
            for r in self.graph.query(Q_INDICATORS, {"ids": project_ids}):
                self.indicators[(r["project"], r["doc"])].append(r)
        regions = []
        for doc in docs:
            sel = select_amounts(amounts.get(doc.id, []), doc.measure)
            node = self.tree_of(doc, tree, sel, projects.get(doc.id, []))
            if node is None:
                continue
            regions.append(RegionTrace(
                code=doc.region, name=doc.region_name, year=doc.year, measure=doc.measure,
                yuan=node.yuan, children=[node],
                document=EntityRef(iri=self.iri("document", doc.id), label=doc.title or doc.id),
                department=EntityRef(iri=self.iri("department", doc.department),
                                     label=doc.department_name or doc.department),
                table_kind=sel.kind, fund=sel.fund,
                unplaced_projects=[self.project(p, doc) for p in sorted(
                    unplaced.get(doc.id, []), key=lambda p: p["name"] or "")]))
        return TraceOut(subject=SubjectRef(code=top["code"], name=top["name"] or "",
                                           iri=self.iri("functional-subject", top["code"])),
                        regions=regions)

    def project(self, row: dict[str, Any], doc: Doc) -> ProjectOut:
        indicators = self.indicators.get((row["id"], doc.id)) or self.indicators.get(
            (row["id"], None), [])
        indicators = sorted(indicators, key=lambda i: (_order(i["page"]), _order(i["row"]),
                                                       i["id"]))
        return ProjectOut(
            name=row["name"], iri=self.iri("project", row["id"]), code=row["pcode"],
            yuan=project_yuan(self.project_amounts.get((row["id"], doc.id), []), doc.measure),
            indicators=[IndicatorOut(iri=self.iri("indicator", i["id"]), **{
                k: i[k] for k in ("name", "level1", "level2", "operator", "target_value",
                                  "target_text", "unit", "weight", "actual_value",
                                  "actual_text")}) for i in indicators])

    def tree_of(self, doc: Doc, tree: dict[str, dict[str, Any]], sel: Selection,
                projects: list[dict[str, Any]]) -> SubjectNode | None:
        """The subject's node for one document (None if the document says nothing of it)."""
        by_code: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p in sorted(projects, key=lambda p: p["name"] or ""):
            by_code[p["code"]].append(p)
        children: dict[str, list[str]] = defaultdict(list)
        for code, r in sorted(tree.items()):
            if r["parent"] in tree and code != self.subject:
                children[r["parent"]].append(code)

        def build(code: str) -> SubjectNode | None:
            kids = [n for n in (build(c) for c in children.get(code, [])) if n is not None]
            printed = sel.printed.get(code)
            units = [UnitAmount(name=name, iri=self.iri("unit", uid), yuan=y)
                     for uid, name, y in sel.units.get(code, [])]
            projs = [self.project(p, doc) for p in by_code.get(code, [])]
            if printed is None and not units and not projs and not kids:
                return None
            if printed is not None:
                yuan, basis = printed, "printed"
            elif units:
                yuan, basis = round(sum(u.yuan for u in units), 2), "units"
            elif any(k.yuan is not None for k in kids):
                yuan = round(sum(k.yuan for k in kids if k.yuan is not None), 2)
                basis = "children"
            else:
                yuan, basis = None, None
            r = tree[code]
            return SubjectNode(code=code, name=r["name"], level=_int(r["level"]),
                               iri=self.iri("functional-subject", code), yuan=yuan,
                               basis=basis, children=kids, units=units, projects=projs)

        return build(self.subject) if self.subject in tree else None


@router.get("/trace", response_model=TraceOut, responses=responses(404, 408, 422),
            summary="From a functional subject down to units, projects and indicators")
def trace(subject: Annotated[str, Query(min_length=3, max_length=7, pattern=r"^\d+$",
                                        description="functional subject code, e.g. 201")],
          st: State,
          region: Annotated[str | None, Query(
              pattern=r"^\d{6}$", description="GB/T 2260 code; every region if absent")] = None,
          year: Annotated[int | None, Query(ge=1900, le=2200,
                                            description="fiscal year")] = None) -> TraceOut:
    return Tracer(st.graph, st.base, subject).run(region or "", year or 0)
