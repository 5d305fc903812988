"""``GET /graph/{kind}/{key}``: an entity's neighbourhood as nodes and edges (for the explorer).

The same links the entity's own page lists, shaped for a graph view: ``nodes`` (the entity
first) and ``edges`` from source to target as the relationship points, each node and edge
with an ``id`` (the node's IRI) that graph libraries take as it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import State
from api.entity import fetch
from api.errors import ApiError, responses
from api.routes.entities import EntityKind, LinkCount

router = APIRouter(tags=["graph"])


class GraphNode(BaseModel):
    id: str
    iri: str
    kind: str
    key: str
    label: str


class GraphEdge(BaseModel):
    id: str
    source: str
    target: str
    rel: str


class Neighbourhood(BaseModel):
    center: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    link_counts: list[LinkCount]
    truncated: bool


@router.get("/graph/{kind}/{key:path}", response_model=Neighbourhood,
            responses=responses(404, 408, 422), summary="An entity and its neighbours")
def neighbourhood(kind: EntityKind, key: Annotated[str, Path(max_length=1000)], st: State,
                  limit: Annotated[int, Query(ge=1, le=200,
                                              description="links per relationship")] = 25
                  ) -> Neighbourhood:
    entity = fetch(st.graph, st.base, kind.value, key, limit) if key else None
    if entity is None:
        raise ApiError(404, "not_found", f"there is no {kind.value} with the key {key!r}",
                       {"search": f"/search?q={key}&kind={kind.value}"})
    nodes = {entity.iri: GraphNode(id=entity.iri, iri=entity.iri, kind=entity.kind,
                                   key=entity.key, label=entity.label)}
    edges: dict[str, GraphEdge] = {}
    for link in entity.links:
        nodes.setdefault(link.iri, GraphNode(id=link.iri, iri=link.iri, kind=link.kind,
                                             key=link.key, label=link.label))
        source, target = ((entity.iri, link.iri) if link.direction == "out"
                          else (link.iri, entity.iri))
        edge_id = f"{source} {link.rel} {target}"
        edges.setdefault(edge_id, GraphEdge(id=edge_id, source=source, target=target,
                                            rel=link.rel))
    counts = [LinkCount(rel=g.rel, direction=g.direction, kind=g.kind, count=g.count,
                        shown=g.shown) for g in entity.groups]
    return Neighbourhood(center=entity.iri, nodes=list(nodes.values()),
                         edges=list(edges.values()), link_counts=counts,
                         truncated=any(g.count > g.shown for g in entity.groups))
