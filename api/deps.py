"""Settings, limits and store handles the routes share (one ``ApiState`` per app).

Why the handles look the way they do:

* The embedded graph is opened **read-only** for everything the API does, so a Cypher write
  is refused by the engine itself ("Cannot execute write operations in a read-only
  database"), whatever the query text looks like.  A read-only Ladybug database sees the
  data as it was when it was opened, so each handle remembers the size and time of the
  database files and reopens when they change (after ``fiscal-kg load`` in another process,
  or an upload through the API).  Handles are pooled: opening one costs ~0.2 s, a query
  on an open one about a millisecond.
* Every query runs in a worker thread with a deadline.  The engines stop most queries by
  themselves (Ladybug's query timeout, Neo4j's transaction timeout); the deadline catches
  the rest: on expiry the API answers 408 at once, interrupts the Ladybug connection and
  abandons the thread (Oxigraph queries cannot be interrupted; their rows are discarded).
* Uploads write through a read-write handle opened for the upload alone.  While it is open
  the pool lends no read handle and has closed its idle ones (``exclusive``); afterwards the
  read handles reopen and see the new document.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Request

from api.errors import ApiError
from fiscal_kg import config

T = TypeVar("T")

TOKEN_ENV = "FISCAL_KG_TOKEN"
GRACE_S = 2.0  # the deadline is the engine's timeout plus this


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    body_bytes: int = 64 * 1024  # query bodies; 413 above
    head_bytes: int = 128 * 1024  # request line and headers (long GET queries), for uvicorn
    upload_bytes: int = 64 * 1024 * 1024  # POST /documents
    query_timeout_ms: int = 15_000
    max_rows: int = 10_000  # rows a query endpoint returns before truncating
    links_per_group: int = 100  # links of one relationship type shown on an entity
    pool_size: int = 4  # read handles of the embedded graph


@dataclass(frozen=True)
class ApiSettings:
    """Everything ``create_app`` needs: data directory, IRI base, limits, upload token."""

    data: config.Settings
    base: str
    limits: Limits = field(default_factory=Limits)
    token: str | None = None
    store: str = "ladybug"  # ladybug | neo4j: the property graph the API reads

    @classmethod
    def from_env(cls, data: config.Settings, *, base: str | None = None,
                 limits: Limits | None = None, store: str = "ladybug") -> ApiSettings:
        """Base: ``$FISCAL_KG_BASE`` if set, else ``base`` (the server's own address)."""
        chosen = os.environ.get(config.BASE_ENV) or base or data.base
        return cls(data=data, base=chosen.rstrip("/"), limits=limits or Limits(),
                   token=os.environ.get(TOKEN_ENV) or None, store=store)


@dataclass
class Rows:
    """The answer to a user query: columns in order, rows, and whether rows were cut off."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False


class Runner:
    """Runs a function in a worker thread and gives up on it at a deadline."""

    def __init__(self, workers: int):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="query")

    def run(self, fn: Callable[[], T], timeout_s: float,
            on_timeout: Callable[[], None] | None = None) -> T:
        future = self._pool.submit(fn)
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            if on_timeout is not None:
                on_timeout()
            raise ApiError(408, "timeout", f"the query ran longer than {timeout_s - GRACE_S:g} s "
                                           "and was stopped; narrow it or add a LIMIT") from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def failure(e: Exception) -> ApiError:
    """A store's refusal as the error a client gets (writes 403, timeouts 408, else 400)."""
    text = str(e)
    low = text.lower()
    if "read-only" in low or "write operations" in low or "read access mode" in low \
            or "writing in read" in low:
        return ApiError(403, "read_only", f"the graph is read-only here: {text}")
    if "interrupted" in low or "timeout" in low or "timed out" in low:
        return ApiError(408, "timeout", f"the query was stopped at its time limit: {text}")
    return ApiError(400, "query_error", text)


def _files_signature(*paths: Path) -> tuple[tuple[str, int, int], ...]:
    out = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


# ------------------------------------------------------------------------------------------
# The property graph
# ------------------------------------------------------------------------------------------


class GraphReader(Protocol):
    """What routes need from the property graph, whichever engine holds it."""

    engine: str

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of one of the API's own read queries (time-bounded)."""

    def rows(self, cypher: str, params: dict[str, Any] | None, max_rows: int) -> Rows:
        """A user's query: time-bounded, at most ``max_rows`` rows, writes refused."""

    def exclusive(self, wait_s: float) -> Any:
        """Context manager: no read handle is open inside it (for a writer)."""

    def close(self) -> None: ...


class LadybugReader:
    """A pool of read-only ``LadybugStore`` handles on ``{data}/graph.lbug``."""

    engine = "ladybug"

    def __init__(self, path: Path, limits: Limits, runner: Runner):
        self.path = path
        self.limits = limits
        self.runner = runner
        self._idle: list[tuple[Any, tuple]] = []
        self._created = 0
        self._borrowed = 0
        self._exclusive = False
        self._cond = threading.Condition()
        # Handles are opened one at a time: several read-only opens of the same database
        # racing in threads (the explorer asks for three lists at once) can fail.
        self._opening = threading.Lock()

    def _signature(self) -> tuple:
        return _files_signature(self.path, self.path.with_name(self.path.name + ".wal"))

    @contextmanager
    def _borrow(self, wait_s: float) -> Iterator[Any]:
        from store.ladybug import StoreError, open_store

        deadline = time.monotonic() + wait_s
        with self._cond:
            while self._exclusive or (not self._idle and self._created >= self.limits.pool_size):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    raise ApiError(503, "busy", "the graph is busy (a document is being "
                                                "loaded, or every handle is in use); retry")
            handle, signature = self._idle.pop() if self._idle else (None, ())
            if handle is None:
                self._created += 1
            self._borrowed += 1
        ok = False
        try:
            current = self._signature()
            if handle is None:
                with self._opening:
                    handle = open_store(self.path, read_only=True,
                                        timeout_ms=self.limits.query_timeout_ms)
            elif signature != current:
                with self._opening:
                    handle.reopen()
            ok = True
            yield handle
        except StoreError as e:
            if handle is None or not ok:
                raise ApiError(503, "no_data", str(e)) from e
            raise
        finally:
            with self._cond:
                self._borrowed -= 1
                if ok and not self._exclusive:
                    self._idle.append((handle, current))
                else:
                    self._created -= 1
                    if handle is not None:
                        handle.close()
                self._cond.notify_all()

    def _run(self, fn: Callable[[Any], T]) -> T:
        holder: dict[str, Any] = {}

        def work() -> T:
            with self._borrow(self.limits.query_timeout_ms / 1000) as store:
                holder["store"] = store
                return fn(store)

        def interrupt() -> None:
            store = holder.get("store")
            if store is not None:
                with suppress(Exception):  # already closed: nothing left to stop
                    store.conn.interrupt()

        return self.runner.run(work, self.limits.query_timeout_ms / 1000 + GRACE_S, interrupt)

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        from store.ladybug import StoreError

        def fn(store: Any) -> list[dict[str, Any]]:
            try:
                return store.query(cypher, params)
            except StoreError as e:
                err = failure(e)
                if err.status == 408:
                    raise err from e
                raise RuntimeError(f"internal query failed: {e}") from e
            except (ValueError, TypeError) as e:  # a value from the request the engine cannot take
                raise ApiError(400, "bad_request", f"a parameter cannot be used: {e}") from e

        return self._run(fn)

    def rows(self, cypher: str, params: dict[str, Any] | None, max_rows: int) -> Rows:
        def fn(store: Any) -> Rows:
            try:
                result = store.execute(cypher, params)
                if isinstance(result, list):  # several statements: the last one answers
                    result = result[-1]
                columns = list(result.get_column_names())
                rows: list[dict[str, Any]] = []
                truncated = False
                while result.has_next():
                    if len(rows) >= max_rows:
                        truncated = True
                        break
                    rows.append(dict(zip(columns, result.get_next(), strict=True)))
                result.close()
                return Rows(columns, rows, truncated)
            except ApiError:
                raise
            except Exception as e:  # the engine's refusal, of any type (bad params: ValueError)
                raise failure(e) from e

        return self._run(fn)

    @contextmanager
    def exclusive(self, wait_s: float) -> Iterator[None]:
        deadline = time.monotonic() + wait_s
        with self._cond:
            while self._exclusive:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    raise ApiError(503, "busy", "another document is being loaded; retry")
            self._exclusive = True
            try:
                while self._borrowed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not self._cond.wait(remaining):
                        raise ApiError(503, "busy", "queries are running; retry the upload")
            except ApiError:
                self._exclusive = False
                self._cond.notify_all()
                raise
            for handle, _ in self._idle:
                handle.close()
            self._created -= len(self._idle)
            self._idle.clear()
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            for handle, _ in self._idle:
                handle.close()
            self._idle.clear()


class Neo4jReader:
    """The Neo4j server as the API's property graph: read transactions with a timeout."""

    engine = "neo4j"

    def __init__(self, limits: Limits, runner: Runner):
        from store.neo4j import open_store

        self.limits = limits
        self.runner = runner
        self.store = open_store(read_only=True, timeout_ms=limits.query_timeout_ms)

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        from store.ladybug import StoreError

        def fn() -> list[dict[str, Any]]:
            try:
                return self.store.query(cypher, params)
            except StoreError as e:
                raise RuntimeError(f"internal query failed: {e}") from e

        return self.runner.run(fn, self.limits.query_timeout_ms / 1000 + GRACE_S)

    def rows(self, cypher: str, params: dict[str, Any] | None, max_rows: int) -> Rows:
        from store.ladybug import StoreError

        def fn() -> Rows:
            try:
                rows = self.store.query(cypher, params)
            except (StoreError, ValueError, TypeError) as e:
                raise failure(e) from e
            columns = list(rows[0]) if rows else []
            return Rows(columns, rows[:max_rows], len(rows) > max_rows)

        return self.runner.run(fn, self.limits.query_timeout_ms / 1000 + GRACE_S)

    @contextmanager
    def exclusive(self, wait_s: float) -> Iterator[None]:
        yield  # the server serialises writers itself

    def close(self) -> None:
        self.store.close()


# ------------------------------------------------------------------------------------------
# The RDF store
# ------------------------------------------------------------------------------------------


class RdfReader:
    """A read-only ``OxigraphStore`` on ``{data}/rdf``, reopened when its files change."""

    def __init__(self, path: Path, base: str, limits: Limits, runner: Runner):
        self.path = path
        self.base = base
        self.limits = limits
        self.runner = runner
        self._store: Any = None
        self._signature: tuple = ()
        self._lock = threading.Lock()
        self._paused = False

    def _current_signature(self) -> tuple:
        try:
            entries = sorted(e for e in os.listdir(self.path) if not e.startswith("LOG"))
        except OSError:
            return ()
        return _files_signature(*(self.path / e for e in entries))

    def store(self) -> Any:
        """The open store (reopened if the files changed); 503 if there is none."""
        from store.oxigraph import RdfStoreError, open_store

        with self._lock:
            if self._paused:
                raise ApiError(503, "busy", "a document is being loaded; retry")
            signature = self._current_signature()
            if self._store is None or signature != self._signature:
                try:
                    self._store = open_store(self.path, base=self.base, read_only=True)
                except RdfStoreError as e:
                    raise ApiError(503, "no_data", str(e)) from e
                self._signature = signature
            return self._store

    def run(self, fn: Callable[[Any, threading.Event], T]) -> T:
        """``fn(store, cancelled)`` in a worker with the deadline; ``cancelled`` is set when
        the deadline passes, so a loop over results can stop early."""
        store = self.store()
        cancelled = threading.Event()
        return self.runner.run(lambda: fn(store, cancelled),
                               self.limits.query_timeout_ms / 1000 + GRACE_S, cancelled.set)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._lock:
            self._paused, self._store = True, None
        try:
            yield
        finally:
            with self._lock:
                self._paused = False

    def close(self) -> None:
        with self._lock:
            self._store = None


# ------------------------------------------------------------------------------------------
# Per-app state
# ------------------------------------------------------------------------------------------


@dataclass
class ApiState:
    """The app's settings and store handles (``app.state.api``)."""

    settings: ApiSettings
    graph: GraphReader
    rdf: RdfReader
    runner: Runner
    upload_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return self.settings.base

    @property
    def limits(self) -> Limits:
        return self.settings.limits

    def close(self) -> None:
        self.graph.close()
        self.rdf.close()
        self.runner.close()


def open_state(settings: ApiSettings) -> ApiState:
    """Handles for ``settings`` (stores open lazily, on the first request that needs them)."""
    limits = settings.limits
    runner = Runner(workers=limits.pool_size + 4)
    graph: GraphReader
    if settings.store == "neo4j":
        graph = Neo4jReader(limits, runner)
    else:
        graph = LadybugReader(settings.data.ladybug_path, limits, runner)
    rdf = RdfReader(settings.data.rdf_path, settings.base, limits, runner)
    return ApiState(settings=settings, graph=graph, rdf=rdf, runner=runner)


def state(request: Request) -> ApiState:
    """FastAPI dependency: the app's ``ApiState``."""
    return request.app.state.api


State = Annotated[ApiState, Depends(state)]  # a route's ``st: State`` parameter
