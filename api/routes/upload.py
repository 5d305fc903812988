"""``POST /documents``: load one document into the graph over HTTP (token required).

Disabled unless ``FISCAL_KG_TOKEN`` is set (403); a request must carry it as
``Authorization: Bearer <token>`` (401 otherwise).  The body is the file itself and
``filename`` names it (its suffix chooses the reader: .txt .pdf .docx .xlsx).

The document is read and written by the same functions ``fiscal-kg load`` uses
(``loaders.pipeline.load_document``, ``report.from_records``, the graph's ``write`` and then
the RDF store's ``write``, so both hold the same documents), one upload at a time.

The embedded engine takes one writer: while the upload's read-write handle is open the API
lends no read handle (queries wait, up to the time limit) and has closed its idle ones;
they reopen afterwards and see the new document.  The file is kept under
``{data}/uploads/`` so the graph can be rebuilt from what was loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import ApiState, State
from api.errors import ApiError, responses

router = APIRouter(tags=["documents"])

SUFFIXES = (".txt", ".pdf", ".docx", ".xlsx")
UPLOAD_DIR = "uploads"
_UNSAFE = re.compile(r"[^\w.\-\u3000-\u9fff\uff00-\uffef]+")


class UploadOut(BaseModel):
    """The load report of the document (the same as ``fiscal-kg load --json`` prints)."""

    path: str
    status: str
    error: str | None = None
    document_id: str | None = None
    title: str | None = None
    department: str | None = None
    fiscal_year: int | None = None
    kind: str | None = None
    amounts: int = 0
    projects: int = 0
    indicators: int = 0
    units: int = 0
    problems: list[dict[str, Any]] = []


def _authorise(st: ApiState, request: Request) -> None:
    token = st.settings.token
    if not token:
        raise ApiError(403, "uploads_disabled", "uploading is disabled on this server "
                       "(start it with FISCAL_KG_TOKEN set to enable it)")
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(),
                                                             token.encode()):
        raise ApiError(401, "unauthorised", "send the upload token as "
                       "'Authorization: Bearer <token>'")


def safe_name(filename: str) -> str:
    """The file's own name, without folders or characters a file system might mind."""
    name = _UNSAFE.sub("_", Path(filename.replace("\\", "/")).name).strip("._")
    if not name or Path(name).suffix.lower() not in SUFFIXES:
        raise ApiError(415, "unsupported_type", f"{filename!r}: supported documents are "
                       f"{' '.join(SUFFIXES)}")
    return name


def load_file(st: ApiState, path: Path) -> dict[str, Any]:
    """Read and write one document as ``fiscal-kg load`` does; its report as a dict."""
    from fiscal_kg import report
    from loaders.pipeline import LoadError, load_document

    try:
        records = load_document(path)
    except LoadError as e:
        return report.failed(path, str(e)).as_dict()
    rep = report.from_records(path, records)
    with st.upload_lock, st.graph.exclusive(st.limits.query_timeout_ms / 1000), \
            st.rdf.exclusive():
        outcome = _write(st, records)
    if not outcome.ok:
        rep.fail(outcome.error or "not written")
    return rep.as_dict()


def _write(st: ApiState, records: Any) -> Any:
    """The graph first, then — if the graph took the document — the RDF store beside it."""
    from store.ladybug import StoreError
    from store.oxigraph import RdfStoreError

    try:
        if st.settings.store == "neo4j":
            import store.neo4j as neo4j_store

            with neo4j_store.open_store(timeout_ms=st.limits.query_timeout_ms) as store:
                return neo4j_store.write(store, [records])[0]
        from store.ladybug import open_store
        from store.oxigraph import open_store as open_rdf
        from store.writer import write

        with open_store(st.settings.data.ladybug_path) as store:
            outcome = write(store, [records])[0]
        if not outcome.ok:
            return outcome
        with open_rdf(st.settings.data.rdf_path, base=st.base) as rdf:
            return rdf.write([records])[0]
    except (StoreError, RdfStoreError) as e:
        raise ApiError(503, "store_error", f"the graph could not be written: {e}") from e


@router.post("/documents", response_model=UploadOut, status_code=201,
             responses=responses(401, 403, 413, 415, 422, 503),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/octet-stream": {"schema": {"type": "string",
                                                         "format": "binary"}}}}},
             summary="Load a document (the body is the file; token required)")
async def upload(request: Request, st: State,
                 filename: Annotated[str, Query(min_length=1, max_length=255,
                                                description="the file's name, e.g. 2024.pdf")]
                 ) -> Any:
    _authorise(st, request)
    name = safe_name(filename)
    body = await request.body()
    if not body:
        raise ApiError(422, "empty_body", "the request body is empty: send the file itself")
    digest = hashlib.sha256(body).hexdigest()[:16]
    folder = st.settings.data.data_dir / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}-{name}"
    path.write_bytes(body)
    result = await run_in_threadpool(load_file, st, path)
    if result["status"] != "loaded":
        raise ApiError(422, "not_loaded", result.get("error") or "the document was not loaded",
                       result)
    return UploadOut(**{k: v for k, v in result.items() if k in UploadOut.model_fields})
