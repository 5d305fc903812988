"""The FastAPI app: settings in, routers, error handlers, body limits and the explorer out.

Everything the routes do lives in ``api/routes/`` (one module per concern) and
``api/render/``; this module only puts them together.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.deps import ApiSettings, open_state
from api.middleware import BodyLimit
from api.routes import (
    aggregate,
    cypher,
    entities,
    graph,
    queries,
    search,
    sparql,
    trace,
    upload,
)

STATIC = Path(__file__).resolve().parent / "static"
ROUTERS = (entities, search, trace, aggregate, sparql, cypher, queries, graph, upload)

DESCRIPTION = """Chinese budget (部门预算) and final-account (部门决算) disclosures as a linked
knowledge graph: entities as linked data under `/id/{kind}/{key}`, search, the trace from a
functional subject down to project targets, aggregates, SPARQL and read-only Cypher."""


def create_app(settings: ApiSettings) -> FastAPI:
    """The app for ``settings``; stores are opened on first use and closed on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.api.close()

    app = FastAPI(title="fiscal-kg", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.api = open_state(settings)
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.add_middleware(BodyLimit, limit=settings.limits.body_bytes,
                       upload_limit=settings.limits.upload_bytes)
    if (STATIC / "index.html").is_file():
        app.mount("/", StaticFiles(directory=STATIC, html=True), name="explorer")
    else:
        app.add_api_route("/", _home, methods=["GET"], response_class=HTMLResponse,
                          include_in_schema=False)
    return app


def _home() -> str:
    return ("<!doctype html><meta charset='utf-8'><title>fiscal-kg</title>"
            "<h1>fiscal-kg</h1><p>The API is documented at <a href='/docs'>/docs</a>. "
            "Start with <a href='/search?q=201'>/search?q=201</a> or "
            "<a href='/id/functional-subject/201'>/id/functional-subject/201</a>.</p>")
