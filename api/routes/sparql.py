"""``GET|POST /sparql``: the SPARQL 1.1 Protocol for queries over the RDF store.

A query comes as the ``query`` parameter (GET), as a form body (``query=…``) or as an
``application/sparql-query`` body.  Updates are refused with 400 whatever way they come
(``update=…``, ``application/sparql-update``, or an update sent as a query): the store is
opened read-only and queried through ``Store.query``, which never runs an update.

SELECT answers in ``application/sparql-results+json`` (default), ``text/csv`` or
``text/tab-separated-values``; ASK in JSON; CONSTRUCT and DESCRIBE in Turtle (default),
JSON-LD (with the project's context) or N-Triples.  The ``format`` parameter (json, csv,
tsv, ttl, jsonld, nt) overrides ``Accept``.  Rows stop at the row limit (``truncated``);
the query stops at the time limit (408).
"""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import QueryBoolean, QuerySolutions, RdfFormat, serialize
from rdflib import Graph

from api.deps import ApiState, State
from api.errors import ApiError, responses
from api.render import tabular
from api.render.negotiate import preferred
from api.render.rdf import context
from ontology.vocabulary import PREFIXES

router = APIRouter(tags=["sparql"])

RESULTS_JSON = "application/sparql-results+json"
SELECT_TYPES = {RESULTS_JSON: "json", "application/json": "json", "text/csv": "csv",
                "text/tab-separated-values": "tsv", "text/tsv": "tsv"}
GRAPH_TYPES = {"text/turtle": "ttl", "application/x-turtle": "ttl",
               "application/ld+json": "jsonld", "application/n-triples": "nt"}
MEDIA = {"json": RESULTS_JSON, "csv": "text/csv; charset=utf-8",
         "tsv": "text/tab-separated-values; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
         "jsonld": "application/ld+json", "nt": "application/n-triples"}
FORMATS = ("json", "csv", "tsv", "ttl", "jsonld", "nt")

QUERY_DOC = "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); fkg:, skos:, … are predefined"
SPARQL_BODY = {
    "requestBody": {"required": False, "content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object", "properties": {"query": {"type": "string"}}}},
    }},
}
QueryParam = Annotated[str | None, Query(max_length=8000,
                                         description=QUERY_DOC + " (longer ones: POST)")]
FormatParam = Annotated[str | None, Query(pattern="^(json|csv|tsv|ttl|jsonld|nt)$",
                                          description="overrides Accept")]
RESULT_CONTENT = {200: {"description": "query results", "content": {
    RESULTS_JSON: {}, "text/csv": {}, "text/tab-separated-values": {}, "text/turtle": {},
    "application/ld+json": {}, "application/n-triples": {}}}}


def _refuse_update() -> ApiError:
    return ApiError(400, "update_refused", "SPARQL Update is not accepted: this endpoint "
                    "only answers queries (SELECT, ASK, CONSTRUCT, DESCRIBE)")


def _pick(accept: str | None, table: dict[str, str], default: str) -> str:
    """The media type of ``Accept`` (by quality) that ``table`` knows, else ``default``."""
    return preferred(accept, table) or default


async def query_text(request: Request, query: str | None) -> str:
    """The query of a request, whichever way the protocol sent it."""
    if "update" in request.query_params:
        raise _refuse_update()
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ApiError(400, "bad_encoding", "the request body is not UTF-8") from e
        if ctype == "application/sparql-update":
            raise _refuse_update()
        if ctype == "application/sparql-query":
            return text
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                raise _refuse_update()
            if form.get("query"):
                return form["query"][0]
        elif body and ctype:
            raise ApiError(415, "unsupported_media_type", "send the query as "
                           "application/sparql-query or as a form (query=…)")
    if query:
        return query
    raise ApiError(400, "missing_query", "no query: pass ?query=… or POST one "
                   "(application/sparql-query, or a form with query=…)")


def run(st: ApiState, sparql: str) -> tuple[str, Any]:
    """(form, result) with at most ``max_rows`` rows or triples, within the time limit."""
    from store.oxigraph import RdfStoreError, check_read_query

    try:
        check_read_query(sparql)
    except RdfStoreError as e:
        raise (_refuse_update() if "Update" in str(e) else ApiError(400, "bad_query", str(e))
               ) from e
    limit = st.limits.max_rows

    def work(rdf: Any, cancelled: threading.Event) -> tuple[str, Any]:
        try:
            result = rdf.store.query(sparql, prefixes=dict(PREFIXES),
                                     use_default_graph_as_union=True)
            if isinstance(result, QueryBoolean):
                return "ask", bool(result)
            if isinstance(result, QuerySolutions):
                names = [v.value for v in result.variables]
                rows: list[dict[str, Any]] = []
                for solution in result:
                    if len(rows) >= limit or cancelled.is_set():
                        return "select", (names, rows, True)
                    rows.append({n: solution[n] for n in names})
                return "select", (names, rows, False)
            triples = []
            for triple in result:
                if len(triples) >= limit or cancelled.is_set():
                    return "graph", (triples, True)
                triples.append(triple)
            return "graph", (triples, False)
        except SyntaxError as e:
            raise ApiError(400, "bad_query", f"SPARQL syntax error: {e}") from e
        except (OSError, ValueError, TypeError) as e:
            raise ApiError(400, "query_error", f"SPARQL query failed: {e}") from e

    return st.rdf.run(work)


def respond(form: str, result: Any, fmt: str | None, accept: str | None) -> Response:
    headers = {"Vary": "Accept"}
    if form == "ask":
        return JSONResponse(tabular.ask_json(result), media_type=RESULTS_JSON, headers=headers)
    if form == "select":
        names, rows, truncated = result
        chosen = fmt if fmt in ("json", "csv", "tsv") else _pick(accept, SELECT_TYPES, "json")
        if truncated:
            headers["X-Truncated"] = "true"
        if chosen == "csv":
            return Response(tabular.select_csv(names, rows), media_type=MEDIA["csv"],
                            headers=headers)
        if chosen == "tsv":
            return Response(tabular.select_tsv(names, rows), media_type=MEDIA["tsv"],
                            headers=headers)
        return Response(json.dumps(tabular.select_json(names, rows, truncated),
                                   ensure_ascii=False), media_type=RESULTS_JSON, headers=headers)
    triples, truncated = result
    if truncated:
        headers["X-Truncated"] = "true"
    chosen = fmt if fmt in ("ttl", "jsonld", "nt") else _pick(accept, GRAPH_TYPES, "ttl")
    if chosen == "nt":
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        return Response(body, media_type=MEDIA["nt"], headers=headers)
    if chosen == "jsonld":
        g = Graph()
        g.parse(data=(serialize(triples, format=RdfFormat.N_TRIPLES) or b"").decode(),
                format="nt")
        return Response(g.serialize(format="json-ld", context=context(), indent=2,
                                    ensure_ascii=False),
                        media_type=MEDIA["jsonld"], headers=headers)
    body = serialize(triples, format=RdfFormat.TURTLE, prefixes=dict(PREFIXES)) or b""
    return Response(body, media_type=MEDIA["ttl"], headers=headers)


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", response_class=Response,
            responses={**RESULT_CONTENT, **responses(400, 408, 503)})
async def sparql_get(request: Request, st: State, query: QueryParam = None,
                     format: FormatParam = None) -> Response:
    text = await query_text(request, query)
    return await _answer(st, text, format, request.headers.get("accept"))


@router.post("/sparql", summary="SPARQL 1.1 query (POST: form or application/sparql-query)",
             response_class=Response, openapi_extra=SPARQL_BODY,
             responses={**RESULT_CONTENT, **responses(400, 408, 413, 415, 503)})
async def sparql_post(request: Request, st: State, query: QueryParam = None,
                      format: FormatParam = None) -> Response:
    text = await query_text(request, query)
    return await _answer(st, text, format, request.headers.get("accept"))


async def _answer(st: ApiState, text: str, fmt: str | None, accept: str | None) -> Response:
    from starlette.concurrency import run_in_threadpool

    form, result = await run_in_threadpool(run, st, text)
    return respond(form, result, fmt, accept)
