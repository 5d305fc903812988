"""Linked data: ``GET /id/{kind}/{key}`` for every entity, in the format the client asks for.

Content negotiation follows the ``Accept`` header (``text/html``, ``application/ld+json``,
``text/turtle``, ``application/json``; ``*/*`` gets JSON), and a suffix on the key
(``.ttl``, ``.jsonld``, ``.json``, ``.html``) overrides it, so a link can name a format.  A key
that really ends in such a suffix is found first as it is.  Unknown entities get a 404 that
says what was asked and how to search for it, as JSON or as a page.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from api.deps import ApiState, State
from api.entity import Entity, fetch
from api.errors import ApiError, error_response, responses
from api.render import html, rdf
from api.render.negotiate import preferred
from ontology import ids
from ontology.vocabulary import CONTEXT_FILE, ONTOLOGY_FILE

router = APIRouter(tags=["linked data"])

EntityKind = StrEnum("EntityKind", {k.replace("-", "_"): k for k in ids.KINDS.values()})

MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json",
         "jsonld": "application/ld+json", "ttl": "text/turtle; charset=utf-8"}
ACCEPTED = {"text/html": "html", "application/xhtml+xml": "html",
            "application/ld+json": "jsonld", "text/turtle": "ttl",
            "application/x-turtle": "ttl", "application/json": "json", "*/*": "json",
            "application/*": "json", "text/*": "html"}
SUFFIXES = {".ttl": "ttl", ".jsonld": "jsonld", ".json": "json", ".html": "html"}


class EntityRef(BaseModel):
    iri: str
    label: str


class LinkOut(BaseModel):
    rel: str
    direction: str
    kind: str
    key: str
    iri: str
    label: str


class LinkCount(BaseModel):
    """How many links a group has, and how many of them ``links`` lists."""

    rel: str
    direction: str
    kind: str
    count: int
    shown: int


class Provenance(BaseModel):
    document: EntityRef | None
    table: str | None = None
    page: int | None = None
    row: int | None = None


class EntityOut(BaseModel):
    iri: str
    kind: str
    key: str
    label: str
    properties: dict[str, Any]
    links: list[LinkOut]
    link_counts: list[LinkCount]
    provenance: Provenance | None


def negotiate(accept: str | None) -> str | None:
    """The format the ``Accept`` header prefers most (None if it accepts none of ours)."""
    if not accept or not accept.strip():
        return "json"
    return preferred(accept, ACCEPTED)


def entity_json(entity: Entity) -> dict[str, Any]:
    return EntityOut(
        iri=entity.iri, kind=entity.kind, key=entity.key, label=entity.label,
        properties=entity.properties, links=[LinkOut(**lk.as_dict()) for lk in entity.links],
        link_counts=[LinkCount(rel=g.rel, direction=g.direction, kind=g.kind, count=g.count,
                               shown=g.shown) for g in entity.groups],
        provenance=Provenance(**entity.provenance) if entity.provenance else None,
    ).model_dump()


def _lookup(st: ApiState, kind: str, key: str) -> tuple[Entity | None, str | None]:
    """The entity and the format its key's suffix names (a real key wins over a suffix)."""
    limit = st.limits.links_per_group
    entity = fetch(st.graph, st.base, kind, key, limit) if key else None
    if entity is not None:
        return entity, None
    for suffix, fmt in SUFFIXES.items():
        if key.endswith(suffix) and len(key) > len(suffix):
            found = fetch(st.graph, st.base, kind, key[:-len(suffix)], limit)
            return found, fmt
    return None, None


def _not_found(kind: str, key: str, fmt: str, base: str) -> Response:
    bare = key
    for suffix in SUFFIXES:
        if bare.endswith(suffix):
            bare = bare[:-len(suffix)]
    iri = ids.iri(base, kind, bare)
    if fmt == "html":
        return HTMLResponse(html.not_found_page(kind, bare, iri), status_code=404)
    search = "/search?" + urlencode({"q": bare, "kind": kind})
    return error_response(404, "not_found", f"there is no {kind} with the key {bare!r}; "
                          f"search for it with GET {search}",
                          {"kind": kind, "key": bare, "iri": iri, "search": search})


@router.get("/id/{kind}/{key:path}", response_model=EntityOut,
            summary="An entity as linked data (HTML, JSON, JSON-LD or Turtle)",
            responses={200: {"content": {"text/html": {}, "application/ld+json": {},
                                         "text/turtle": {}}},
                       **responses(404, 406)})
def get_entity(kind: EntityKind, key: Annotated[str, Path(max_length=1000)], request: Request,
               st: State) -> Response:
    entity, suffix_format = _lookup(st, kind.value, key)
    fmt = suffix_format or negotiate(request.headers.get("accept"))
    if fmt is None:
        raise ApiError(406, "not_acceptable", "this resource is available as text/html, "
                       "application/json, application/ld+json and text/turtle")
    if entity is None:
        return _not_found(kind.value, key, fmt, st.base)
    canonical = quote(entity.iri, safe=":/?#[]@!$&'()*+,;=%")  # headers are ASCII
    headers = {"Vary": "Accept", "Link": f'<{canonical}>; rel="canonical"'}
    if fmt == "html":
        return HTMLResponse(html.entity_page(entity), headers=headers)
    if fmt == "ttl":
        return Response(rdf.turtle(entity, st.base), media_type=MEDIA["ttl"], headers=headers)
    if fmt == "jsonld":
        return Response(rdf.jsonld(entity, st.base), media_type=MEDIA["jsonld"],
                        headers=headers)
    return JSONResponse(entity_json(entity), headers=headers)


@router.get("/ontology/fiscal.ttl", summary="The ontology (OWL, Turtle)",
            response_class=Response, responses={200: {"content": {"text/turtle": {}}}})
def ontology_file() -> Response:
    return Response(ONTOLOGY_FILE.read_bytes(), media_type=MEDIA["ttl"])


@router.get("/ontology/context.jsonld", summary="The JSON-LD context of the vocabulary",
            response_class=Response, responses={200: {"content": {"application/ld+json": {}}}})
def context_file() -> Response:
    return Response(CONTEXT_FILE.read_bytes(), media_type=MEDIA["jsonld"])
