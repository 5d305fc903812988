"""Errors the API answers with: always JSON ``{"error", "message"}``, never a stack trace.

Route code raises ``ApiError`` with a status, a short machine-readable code and a sentence a
person can act on.  The handlers registered by ``install`` turn it, request validation
failures and anything unexpected into that one shape, so clients parse every failure alike.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("fiscal_kg.api")


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: str
    message: str
    detail: Any | None = None


class ApiError(Exception):
    """A request the API refuses or cannot answer; becomes an ``ErrorBody`` response."""

    def __init__(self, status: int, error: str, message: str, detail: Any | None = None):
        super().__init__(message)
        self.status, self.error, self.message, self.detail = status, error, message, detail


# OpenAPI documentation of the error responses a route may give.
def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


def error_response(status: int, error: str, message: str, detail: Any | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=error, message=message, detail=detail)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that give every failure the ``ErrorBody`` shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.message, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")}
                  for e in exc.errors()]
        where = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in detail)
        return error_response(422, "invalid_request", f"invalid request ({where})", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error",
                              "the server failed to answer this request; it has been logged")
