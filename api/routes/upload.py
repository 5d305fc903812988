"""``POST /documents``: load one document into the graph over HTTP (token required).

Disabled unless ``FISCAL_KG_TOKEN`` is set (403); a request must carry it as
``Authorization: Bearer <token>`` (401 otherwise).  The body is the file itself and
``filename`` names it (its suffix chooses the reader: .txt .pdf .docx .xlsx).

The document is read and written by ``fiscal_kg.loading``, exactly as ``fiscal-kg load``
does (graph first, then the RDF store, so both hold the same documents), one upload at a
time.

The embedded engine takes one writer: while the upload's read-write handle is open the API
lends no read handle (queries wait, up to the time limit) and has closed its idle ones;
they reopen afterwards and see the new document.  The file is kept under
``{data}/uploads/`` so the graph can be rebuilt from what was loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import ApiState, State
from api.errors import ApiError, responses
from fiscal_kg.loading import SUPPORTED_SUFFIXES as SUFFIXES

router = APIRouter(tags=["documents"])

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
    """Read and write one document exactly as ``fiscal-kg load`` does; its report as a dict.

    The API's read handles are lent out of the way for the duration (the embedded engine
    takes one writer), and the RDF store is written with the server's own IRI base.
    """
    from fiscal_kg.loading import StoreOpenError, load_files, open_stores

    settings = replace(st.settings.data, base=st.base)
    engine = "neo4j" if st.settings.store == "neo4j" else "ladybug"
    with st.upload_lock, st.graph.exclusive(st.limits.query_timeout_ms / 1000), \
            st.rdf.exclusive():
        try:
            with open_stores(settings, engine) as stores:
                [rep] = load_files(stores, [path])
        except StoreOpenError as e:
            raise ApiError(503, "store_error", f"the graph could not be written: {e}") from e
    return rep.as_dict()


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
