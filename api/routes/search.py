"""``GET /search``: find entities by (part of) their Chinese name or their code.

Matching is a case-insensitive substring test (``CONTAINS``) on names, titles and codes;
the embedded engine's full-text index needs an extension download, and at the sizes this
graph reaches a substring scan answers in milliseconds.  Ranking: an exact code or name
first, then a prefix, then any substring; within a rank shorter first (the code's length
when the code matched, else the name's: the closest match to what was typed), then kind,
code and name.

Each kind is asked for its best ``offset + limit`` hits in that order and the lists are
merged, so paging is exact while no query reads more rows than one page needs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import State
from api.entity import display_label, key_property
from api.errors import responses
from ontology import ids
from ontology.vocabulary import vocabulary
from store.ladybug import quote

router = APIRouter(tags=["search"])

# Searched labels, in the order equal matches are listed, and the text properties searched.
SEARCHED = {
    "Region": ("name", "code"),
    "Department": ("name", "code"),
    "Unit": ("name", "code"),
    "FunctionalSubject": ("name", "code"),
    "EconomicSubject": ("name", "code"),
    "Project": ("name", "code"),
    "Indicator": ("name",),
    "Document": ("title",),
}
SearchKind = StrEnum("SearchKind", {ids.KINDS[label].replace("-", "_"): ids.KINDS[label]
                                    for label in SEARCHED})
MAX_WINDOW = 1000  # offset + limit


class Hit(BaseModel):
    kind: str
    key: str
    iri: str
    label: str
    code: str | None = None


class SearchOut(BaseModel):
    query: str
    total: int
    hits: list[Hit]


def _label_query(label: str) -> str:
    """Count and best hits of one label (text properties only; names may be missing)."""
    props = SEARCHED[label]
    key = key_property(label)
    fields = [p for p in props if p in vocabulary().node(label).property_names]
    lowered = [f"toLower(coalesce(n.{quote(p)}, ''))" for p in fields]
    match = " OR ".join(f"{v} CONTAINS $q" for v in lowered)
    exact = " OR ".join(f"{v} = $q" for v in lowered)
    prefix = " OR ".join(f"{v} STARTS WITH $q" for v in lowered)
    name = fields[0]
    code = "n.`code`" if "code" in fields else "NULL"
    # Shorter first: the code's length when the code is what matched, else the name's.
    length = f"size(coalesce(n.{quote(name)}, ''))"
    if "code" in fields:
        length = (f"CASE WHEN toLower(coalesce(n.`code`, '')) STARTS WITH $q "
                  f"THEN size(n.`code`) ELSE {length} END")
    return (f"MATCH (n:{quote(label)}) WHERE {match} "
            f"WITH n, CASE WHEN {exact} THEN 0 WHEN {prefix} THEN 1 ELSE 2 END AS rank, "
            f"{length} AS length "
            f"RETURN n.{quote(key)} AS key, n.{quote(name)} AS name, {code} AS code, "
            f"rank, length ORDER BY rank, length, name LIMIT $window")


def _count_query(label: str) -> str:
    fields = [p for p in SEARCHED[label] if p in vocabulary().node(label).property_names]
    match = " OR ".join(f"toLower(coalesce(n.{quote(p)}, '')) CONTAINS $q" for p in fields)
    return f"MATCH (n:{quote(label)}) WHERE {match} RETURN count(n) AS n"


@router.get("/search", response_model=SearchOut, responses=responses(422),
            summary="Search entities by Chinese name (substring) or code")
def search(q: Annotated[str, Query(min_length=1, max_length=200,
                                   description="text or code, e.g. 一般公共服务 or 2010301")],
           st: State,
           kind: Annotated[SearchKind | None, Query(description="only this kind")] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           offset: Annotated[int, Query(ge=0, le=MAX_WINDOW)] = 0) -> SearchOut:
    text = q.strip().lower()
    labels = [lbl for lbl in SEARCHED if kind is None or ids.KINDS[lbl] == kind.value]
    window = min(offset + limit, MAX_WINDOW)
    if not text:
        return SearchOut(query=q, total=0, hits=[])
    total = 0
    ranked: list[tuple[tuple, Hit]] = []
    for order, label in enumerate(labels):
        count = st.graph.query(_count_query(label), {"q": text})
        total += int(count[0]["n"]) if count else 0
        for row in st.graph.query(_label_query(label), {"q": text, "window": window}):
            k = str(row["key"])
            hit_kind = ids.KINDS[label]
            props = {"name": row["name"], "title": row["name"], "code": row["code"], "id": k}
            hit = Hit(kind=hit_kind, key=k, iri=ids.iri(st.base, hit_kind, k),
                      label=display_label(label, props) or k,
                      code=str(row["code"]) if row["code"] is not None else None)
            ranked.append(((row["rank"], row["length"], order, hit.code or "",
                            row["name"] or ""), hit))
    ranked.sort(key=lambda pair: pair[0])
    return SearchOut(query=q, total=total, hits=[h for _, h in ranked[offset:offset + limit]])
