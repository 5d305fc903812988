"""``GET /aggregate``: sums of amounts by dimension, babbage-style (cut, drilldown, paging).

The facts are the amounts classified by functional subjects, summed at ONE level of the
subject tree (1 类, 2 款, 3 项).  Tables print 合计, 类 and 款 rows next to the rows they sum,
so adding every row of a subject's subtree would count money two or three times.  For each
document, measure and category the facts are chosen like this:

* one table: the first of ``TABLE_KINDS`` (then any other) that prints rows at the level;
  if none does, the first that prints a deeper level, whose rows are then added up to the
  level (children only — never a total together with its parts);
* one fund, unless ``fund`` is a drilldown: ``all`` when the table has it, else the fund it
  prints (a general-budget table);
* rows without an ``item`` where the table has them (item rows repeat a total under a
  column heading), department-level rows where printed, else the budget units' rows;
* ``category`` is ``total`` unless cut or drilled down; ``measure`` is always either cut or
  drilled down (budget and actual are never added together).

``cut=year:2024|subject:201|region:510781;652824`` filters (``;`` separates alternatives);
``drilldown=region,subject`` groups; ``level`` defaults to the cut subject's level, one
deeper when drilling down by subject.  ``tables`` in the answer lists the table chosen for
each document, so every sum can be checked against the printed one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import GraphReader, State
from api.errors import ApiError, responses
from api.routes.trace import FUNDS, TABLE_KINDS
from ontology import ids

router = APIRouter(tags=["aggregate"])

DIMENSIONS = ("region", "year", "department", "subject", "measure", "category", "fund")
CODE_LENGTH = {1: 3, 2: 5, 3: 7}
LEVEL_OF_LENGTH = {v: k for k, v in CODE_LENGTH.items()}
TEXT_CUTS = {"region": "r.code", "department": "dep.id", "measure": "a.measure",
             "category": "a.category", "fund": "a.fund"}


class Summary(BaseModel):
    yuan: float
    count: int


class TableChoice(BaseModel):
    document: str
    measure: str | None
    category: str | None
    table_kind: str
    fund: str | None
    source_level: int


class AggregateOut(BaseModel):
    cells: list[dict[str, Any]]
    total: int
    summary: Summary
    page: int
    pagesize: int
    level: int
    drilldown: list[str]
    cut: dict[str, list[str]]
    tables: list[TableChoice]


class Member(BaseModel):
    key: str
    label: str
    level: int | None = None


class MembersOut(BaseModel):
    dimension: str
    members: list[Member]


def parse_cut(text: str | None) -> dict[str, list[str]]:
    """``year:2024|subject:201;205`` → {"year": ["2024"], "subject": ["201", "205"]}."""
    cut: dict[str, list[str]] = {}
    for part in (text or "").split("|"):
        if not part.strip():
            continue
        name, sep, values = part.partition(":")
        name = name.strip()
        if not sep or name not in DIMENSIONS:
            raise ApiError(400, "bad_cut", f"cut {part!r}: expected dimension:value with a "
                           f"dimension of {', '.join(DIMENSIONS)}")
        chosen = [v.strip() for v in values.split(";") if v.strip()]
        if not chosen:
            raise ApiError(400, "bad_cut", f"cut {part!r} names no value")
        cut.setdefault(name, []).extend(chosen)
    for value in cut.get("year", []):
        if not value.isdigit():
            raise ApiError(400, "bad_cut", f"year {value!r} is not a year")
    for value in cut.get("subject", []):
        if not value.isdigit() or len(value) not in LEVEL_OF_LENGTH:
            raise ApiError(400, "bad_cut", f"subject {value!r} is not a 3, 5 or 7 digit code")
    return cut


def parse_drilldown(text: str | None) -> list[str]:
    dims = [d.strip() for d in (text or "").split(",") if d.strip()]
    bad = [d for d in dims if d not in DIMENSIONS]
    if bad:
        raise ApiError(400, "bad_drilldown", f"unknown dimension(s) {', '.join(bad)} "
                       f"(dimensions: {', '.join(DIMENSIONS)})")
    return list(dict.fromkeys(dims))


def facts_query(cut: dict[str, list[str]]) -> tuple[str, dict[str, Any]]:
    """Every functionally classified amount the cut allows (subjects are filtered later)."""
    where, params = [], {}
    if "year" in cut:
        where.append("d.fiscal_year IN $years")
        params["years"] = [int(y) for y in cut["year"]]
    for dim, expr in TEXT_CUTS.items():
        if dim in cut:
            where.append(f"{expr} IN ${dim}s")
            params[f"{dim}s"] = cut[dim]
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    return ("MATCH (s:FunctionalSubject)<-[:CLASSIFIED_AS]-(a:Amount) "
            "MATCH (a)-[:REPORTED_IN]->(d:Document) "
            "MATCH (d)-[:PUBLISHED_BY]->(dep:Department) "
            "MATCH (dep)-[:LOCATED_IN]->(r:Region) " + clause +
            "OPTIONAL MATCH (a)-[:OF]->(u:Unit) "
            "RETURN d.id AS doc, d.fiscal_year AS year, dep.id AS department, "
            "dep.name AS department_name, r.code AS region, r.name AS region_name, "
            "a.table_kind AS kind, a.measure AS measure, a.category AS category, "
            "a.fund AS fund, a.item AS item, s.code AS code, a.yuan AS yuan, "
            "u.id AS unit, a.row AS row", params)


def _level(code: str) -> int | None:
    return LEVEL_OF_LENGTH.get(len(code))


def choose(rows: list[dict[str, Any]], level: int, split_fund: bool
           ) -> tuple[list[dict[str, Any]], TableChoice | None]:
    """The facts of one document, measure and category at ``level`` (see the module doc)."""
    rows = [r for r in rows if r["yuan"] is not None and _level(r["code"]) is not None]
    kinds = [k for k in TABLE_KINDS if any(r["kind"] == k for r in rows)]
    kinds += sorted({r["kind"] for r in rows if r["kind"] and r["kind"] not in kinds})
    chosen_kind, source = None, None
    for kind in kinds:
        if any(r["kind"] == kind and _level(r["code"]) == level for r in rows):
            chosen_kind, source = kind, level
            break
    if chosen_kind is None:
        deeper = [(min(lv for r in rows if r["kind"] == k
                       and (lv := _level(r["code"])) is not None and lv > level), k)
                  for k in kinds if any(r["kind"] == k and (_level(r["code"]) or 0) > level
                                        for r in rows)]
        if not deeper:
            return [], None
        source, chosen_kind = min(deeper, key=lambda p: (p[0], kinds.index(p[1])))
    rows = [r for r in rows if r["kind"] == chosen_kind and _level(r["code"]) == source]
    fund = None
    if not split_fund:
        present = {r["fund"] for r in rows}
        fund = next((f for f in FUNDS if f in present), sorted(map(str, present))[0])
        rows = [r for r in rows if str(r["fund"]) == fund]
    if any(r["item"] is None for r in rows):
        rows = [r for r in rows if r["item"] is None]
    rows.sort(key=lambda r: (r["row"] is None, r["row"] or 0))
    picked: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    printed = {(r["code"], r["fund"]) for r in rows if r["unit"] is None}
    for r in rows:
        if r["unit"] is not None and (r["code"], r["fund"]) in printed:
            continue  # the department row is printed: its units are inside it
        marker = (r["code"], r["fund"], r["unit"])
        if marker in seen:
            continue
        seen.add(marker)
        picked.append(r)
    first = rows[0] if rows else {}
    return picked, TableChoice(document=first.get("doc", ""), measure=first.get("measure"),
                               category=first.get("category"), table_kind=chosen_kind,
                               fund=fund, source_level=source or level)


def subject_names(graph: GraphReader, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = graph.query("MATCH (s:FunctionalSubject) WHERE s.code IN $codes "
                       "RETURN s.code AS code, s.name AS name", {"codes": sorted(codes)})
    return {r["code"]: r["name"] or "" for r in rows}


def dimension_value(dim: str, fact: dict[str, Any], level: int) -> tuple[str, str]:
    if dim == "region":
        return fact["region"], fact["region_name"] or fact["region"]
    if dim == "year":
        return str(fact["year"]), str(fact["year"])
    if dim == "department":
        return fact["department"], fact["department_name"] or fact["department"]
    if dim == "subject":
        code = fact["code"][:CODE_LENGTH[level]]
        return code, code
    value = str(fact[dim]) if fact[dim] is not None else ""
    return value, value


KIND_OF_DIMENSION = {"region": "region", "department": "department",
                     "subject": "functional-subject"}


def aggregate(graph: GraphReader, base: str, cut: dict[str, list[str]], drilldown: list[str],
              level: int) -> tuple[list[dict[str, Any]], list[TableChoice]]:
    cypher, params = facts_query(cut)
    rows = graph.query(cypher, params)
    split_fund = "fund" in drilldown or len(cut.get("fund", [])) == 1
    category_free = "category" in drilldown or "category" in cut
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if not category_free and r["category"] != "total":
            continue
        groups[(r["doc"], str(r["measure"]), str(r["category"]))].append(r)
    subjects = cut.get("subject", [])
    facts: list[dict[str, Any]] = []
    tables: list[TableChoice] = []
    for key in sorted(groups):
        picked, choice = choose(groups[key], level, split_fund)
        picked = [f for f in picked if not subjects or any(f["code"].startswith(s)
                                                           for s in subjects)]
        if choice is not None and picked:
            facts.extend(picked)
            tables.append(choice)
    cells: dict[tuple[str, ...], dict[str, Any]] = {}
    for fact in facts:
        values = [dimension_value(d, fact, level) for d in drilldown]
        key = tuple(v for v, _ in values)
        cell = cells.get(key)
        if cell is None:
            cell = {}
            for dim, (value, label) in zip(drilldown, values, strict=True):
                cell[dim] = value
                cell[f"{dim}_label"] = label
                if dim in KIND_OF_DIMENSION:
                    cell[f"{dim}_iri"] = ids.iri(base, KIND_OF_DIMENSION[dim], value)
            cell["yuan"], cell["count"] = 0.0, 0
            cells[key] = cell
        cell["yuan"] += float(fact["yuan"])
        cell["count"] += 1
    if "subject" in drilldown:
        names = subject_names(graph, {c["subject"] for c in cells.values()})
        for cell in cells.values():
            name = names.get(cell["subject"], "")
            cell["subject_label"] = f"{cell['subject']} {name}".strip()
    ordered = [cells[k] for k in sorted(cells)]
    for cell in ordered:
        cell["yuan"] = round(cell["yuan"], 2)
    return ordered, tables


@router.get("/aggregate", response_model=AggregateOut, responses=responses(400, 408, 422),
            summary="Sums of amounts at one level of the subject tree, by dimension")
def get_aggregate(
        st: State,
        measure: Annotated[str | None, Query(
            max_length=40, description="budget | adjusted_budget | actual")] = None,
        drilldown: Annotated[str | None, Query(
            max_length=200, description=f"comma-separated: {', '.join(DIMENSIONS)}")] = None,
        cut: Annotated[str | None, Query(
            max_length=1000, description="dimension:value pairs joined by |, e.g. "
                                         "year:2024|subject:201")] = None,
        level: Annotated[int | None, Query(ge=1, le=3, description="1 类, 2 款, 3 项")] = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        pagesize: Annotated[int, Query(ge=1, le=1000)] = 100) -> AggregateOut:
    cuts = parse_cut(cut)
    dims = parse_drilldown(drilldown)
    if measure:
        cuts["measure"] = [measure]
    if "measure" not in cuts and "measure" not in dims:
        dims.append("measure")  # budget and actual are never added together
    subject_levels = {LEVEL_OF_LENGTH[len(s)] for s in cuts.get("subject", [])}
    top = max(subject_levels) if subject_levels else None
    if level is None:
        level = min((top or 0) + (1 if "subject" in dims else 0), 3) if top else 1
    if top and level < top:
        raise ApiError(400, "bad_level", f"level {level} is above the cut subject's level {top}")
    cells, tables = aggregate(st.graph, st.base, cuts, dims, level)
    start = (page - 1) * pagesize
    return AggregateOut(cells=cells[start:start + pagesize], total=len(cells),
                        summary=Summary(yuan=round(sum(c["yuan"] for c in cells), 2),
                                        count=sum(c["count"] for c in cells)),
                        page=page, pagesize=pagesize, level=level, drilldown=dims, cut=cuts,
                        tables=tables)


MEMBER_QUERIES = {
    "region": "MATCH (d:Document)-[:PUBLISHED_BY]->(:Department)-[:LOCATED_IN]->(r:Region) "
              "RETURN DISTINCT r.code AS key, r.name AS label ORDER BY key",
    "year": "MATCH (d:Document) WHERE d.fiscal_year IS NOT NULL "
            "RETURN DISTINCT d.fiscal_year AS key, d.fiscal_year AS label ORDER BY key",
    "department": "MATCH (d:Document)-[:PUBLISHED_BY]->(dep:Department) "
                  "RETURN DISTINCT dep.id AS key, dep.name AS label ORDER BY key",
    "subject": "MATCH (s:FunctionalSubject) RETURN s.code AS key, s.name AS label, "
               "s.level AS level ORDER BY key",
}


@router.get("/aggregate/members/{dimension}", response_model=MembersOut,
            responses=responses(404, 422), summary="The values a dimension takes")
def members(dimension: Annotated[str, Path(description=", ".join(DIMENSIONS))],
            st: State) -> MembersOut:
    if dimension not in DIMENSIONS:
        raise ApiError(404, "not_found", f"no dimension {dimension!r} (dimensions: "
                       f"{', '.join(DIMENSIONS)})")
    cypher = MEMBER_QUERIES.get(dimension) or (
        f"MATCH (:FunctionalSubject)<-[:CLASSIFIED_AS]-(a:Amount) WHERE a.{dimension} IS NOT NULL "
        f"RETURN DISTINCT a.{dimension} AS key, a.{dimension} AS label ORDER BY key")
    out = []
    for r in st.graph.query(cypher):
        label = str(r["label"] or r["key"])
        if dimension == "subject":
            label = f"{r['key']} {label}"
        level = r.get("level")
        out.append(Member(key=str(r["key"]), label=label,
                          level=int(level) if level is not None else None))
    return MembersOut(dimension=dimension, members=out)
