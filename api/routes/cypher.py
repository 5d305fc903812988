"""``POST /cypher``: read-only Cypher over the property graph.

Writes are refused by the engine, not by reading the query: the embedded graph is opened
read-only (a CREATE, MERGE, SET or DELETE fails with "Cannot execute write operations in a
read-only database") and Neo4j runs the query in a read transaction.  What a read-only
database still allows but a public endpoint must not — statements that touch the server's
files, extensions or settings (``COPY … TO``, ``LOAD FROM``, ``INSTALL``, ``ATTACH``,
``EXPORT``, ``CALL setting = …``) — is refused before the engine sees it.  Every query has
the time limit, and rows stop at the row limit (``truncated``).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import State
from api.errors import ApiError, responses

router = APIRouter(tags=["cypher"])

# Strings, quoted identifiers and comments are blanked before keywords are looked for.
_OPAQUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/",
                     re.DOTALL)
_WORD = re.compile(r"(?<![.$\w])([A-Za-z_]\w*)")
# Files, extensions, databases, settings; and transactions, which would outlive the request
# on a pooled connection.
SIDE_EFFECTS = frozenset({"COPY", "LOAD", "INSTALL", "UNINSTALL", "ATTACH", "EXPORT",
                          "IMPORT", "CHECKPOINT", "FORCE", "USE", "BEGIN", "COMMIT",
                          "ROLLBACK", "ANALYZE"})
_SETTING = re.compile(r"\bCALL\s+\w+\s*=", re.IGNORECASE)


class CypherIn(BaseModel):
    query: str = Field(..., min_length=1, max_length=60_000,
                       examples=["MATCH (s:FunctionalSubject {code: $code}) RETURN s.name"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"code": "201"}])


class CypherOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


def refuse_side_effects(cypher: str) -> None:
    """403 for statements that reach beyond the graph (files, extensions, settings)."""
    text = _OPAQUE.sub(" ", cypher)
    words = {w.upper() for w in _WORD.findall(text)}
    found = sorted(words & SIDE_EFFECTS)
    if found or _SETTING.search(text):
        what = ", ".join(found) or "CALL … = (a setting)"
        raise ApiError(403, "forbidden", f"{what} is not allowed here: this endpoint reads "
                       "the graph only")


def plain(value: Any) -> Any:
    """A value the engine returned, as JSON can carry it."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID | bytes):
        return value.hex() if isinstance(value, bytes) else str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


@router.post("/cypher", response_model=CypherOut,
             responses=responses(400, 403, 408, 413, 422, 503),
             summary="Run a read-only Cypher query")
async def cypher(body: CypherIn, st: State) -> CypherOut:
    refuse_side_effects(body.query)
    result = await run_in_threadpool(st.graph.rows, body.query, body.params,
                                     st.limits.max_rows)
    return CypherOut(columns=result.columns,
                     rows=[{k: plain(v) for k, v in row.items()} for row in result.rows],
                     truncated=result.truncated)
