"""``GET /queries`` and ``GET /queries/{name}``: the named query library over HTTP.

The library (``queries/``) pairs each Cypher query with a SPARQL one that returns the same
rows; ``fiscal_kg.query`` runs either and normalises the rows.  Here a query runs on the
API's own handles (pooled, read-only, with the time limit); its parameters are the other
query-string parameters (``/queries/compare_subject?subject=2010301``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import ApiState, State
from api.errors import ApiError, responses
from api.routes.cypher import plain

router = APIRouter(tags=["queries"])


class ParameterOut(BaseModel):
    name: str
    type: str
    default: Any = None
    description: str


class QueryInfo(BaseModel):
    name: str
    description: str
    parameters: list[ParameterOut]
    example: dict[str, str]


class QueryList(BaseModel):
    queries: list[QueryInfo]


class QueryRun(BaseModel):
    name: str
    engine: str
    parameters: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


@router.get("/queries", response_model=QueryList, summary="The named queries")
def list_queries() -> QueryList:
    from queries import QueryError, all_queries

    try:
        found = all_queries()
    except QueryError as e:
        raise ApiError(500, "library_error", str(e)) from e
    return QueryList(queries=[QueryInfo(**q.as_dict()) for q in found])


class _Rows:
    """A store-like view of the API's graph handle for ``fiscal_kg.query.run_cypher``."""

    def __init__(self, st: ApiState):
        self.st, self.truncated = st, False

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        result = self.st.graph.rows(cypher, params, self.st.limits.max_rows)
        self.truncated = result.truncated
        return result.rows


def _run(st: ApiState, name: str, engine: str, given: dict[str, str]) -> QueryRun:
    from fiscal_kg.query import run_cypher, run_sparql
    from queries import QueryError, load

    try:
        named = load(name)
    except QueryError as e:
        raise ApiError(404, "not_found", str(e)) from e
    try:
        bound = named.bind(given)
    except QueryError as e:
        raise ApiError(400, "bad_parameter", str(e)) from e
    truncated = False
    try:
        if engine == "cypher":
            graph = _Rows(st)
            rows = run_cypher(named, bound, graph)
            truncated = graph.truncated
        else:
            from store.oxigraph import RdfStoreError

            try:
                rows = st.rdf.run(lambda rdf, _: run_sparql(named, bound, rdf))
            except RdfStoreError as e:
                raise ApiError(400, "query_error", str(e)) from e
            limit = st.limits.max_rows
            truncated, rows = len(rows) > limit, rows[:limit]
    except QueryError as e:
        raise ApiError(400, "query_error", str(e)) from e
    columns = list(rows[0]) if rows else []
    return QueryRun(name=name, engine=engine, parameters={k: plain(v) for k, v in bound.items()},
                    columns=columns, rows=[{k: plain(v) for k, v in r.items()} for r in rows],
                    truncated=truncated)


@router.get("/queries/{name}", response_model=QueryRun,
            responses=responses(400, 404, 408, 422, 503),
            summary="Run a named query; its parameters are the other query parameters")
async def run_query(request: Request, name: Annotated[str, Path(max_length=100)], st: State,
                    engine: Annotated[str, Query(pattern="^(cypher|sparql)$")] = "cypher"
                    ) -> QueryRun:
    given = {k: v for k, v in request.query_params.items() if k != "engine"}
    return await run_in_threadpool(_run, st, name, engine, given)
