"""The embedded property-graph store: a Ladybug database under the data directory.

This module owns the connection, the schema and querying; ``store.writer`` owns writing.
The schema is derived from the ontology (``ontology.vocabulary``) — one node table per
class, one relationship table per relationship type with every (FROM, TO) pair the records
can produce — and brought up to date when a read-write store is opened: missing tables,
columns and pairs are added, nothing is dropped.

Types: text is STRING, whole numbers INT64, money and other decimals DOUBLE (Ladybug 0.22
cannot ``sum()`` a DECIMAL column, and every query adds money; 元 with two decimals is exact
in a double up to 10^13).  Every identifier is back-quoted in generated Cypher because
``table``, a property of Amount and Indicator, is a reserved word of the engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ladybug

from ontology.vocabulary import NodeTable, RelTable, Vocabulary, vocabulary

LOOKUP_CHUNK = 10_000


class StoreError(RuntimeError):
    """The store cannot be opened or a statement failed; the message says which and why."""


def quote(identifier: str) -> str:
    """Back-quote an identifier (labels, types, properties) for generated Cypher."""
    return "`" + identifier.replace("`", "``") + "`"


# ------------------------------------------------------------------------------------------
# DDL, derived from the vocabulary
# ------------------------------------------------------------------------------------------


def node_table_ddl(table: NodeTable) -> str:
    columns = ", ".join(f"{quote(p.name)} {p.pg_type}" for p in table.properties)
    return (f"CREATE NODE TABLE IF NOT EXISTS {quote(table.label)}"
            f"({columns}, PRIMARY KEY ({quote(table.key)}))")


def rel_table_ddl(rel: RelTable) -> str:
    pairs = ", ".join(f"FROM {quote(a)} TO {quote(b)}" for a, b in rel.pairs)
    return f"CREATE REL TABLE IF NOT EXISTS {quote(rel.type)}({pairs})"


def schema_ddl(vocab: Vocabulary | None = None) -> list[str]:
    """Every CREATE statement of the schema, node tables first."""
    vocab = vocab or vocabulary()
    return ([node_table_ddl(t) for t in vocab.nodes.values()]
            + [rel_table_ddl(r) for r in vocab.rels.values()])


# ------------------------------------------------------------------------------------------
# The store
# ------------------------------------------------------------------------------------------


class LadybugStore:
    """One open Ladybug database.  Use as a context manager, or call ``close()``.

    ``read_only`` opens an existing database without write access (several readers may
    share it); ``timeout_ms`` bounds every query made through ``query``.
    """

    def __init__(self, path: Path, *, read_only: bool = False, timeout_ms: int | None = None):
        self.path = Path(path)
        self.read_only = read_only
        self.timeout_ms = timeout_ms
        self._db: ladybug.Database | None = None
        self._conn: ladybug.Connection | None = None
        self._open()
        if not read_only:
            self.ensure_schema()

    # --- lifecycle ---------------------------------------------------------------------

    def _open(self) -> None:
        if self.read_only and not self.path.exists():
            raise StoreError(f"no graph at {self.path}: load documents first (fiscal-kg load)")
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # A writer checkpoints once, on close: checkpointing after every batch commit
            # was over half of the write time and grew with the database (docs/BENCHMARKS.md).
            self._db = ladybug.Database(str(self.path), read_only=self.read_only,
                                        auto_checkpoint=self.read_only)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as e:
            raise StoreError(f"cannot open the graph at {self.path}: {e}") from e
        if self.timeout_ms:
            self._conn.set_query_timeout(self.timeout_ms)

    def close(self) -> None:
        if self._conn is not None:
            if not self.read_only:
                # On failure the write-ahead log is replayed on the next open.
                with contextlib.suppress(RuntimeError):
                    self._conn.execute("CHECKPOINT")
            self._conn.close()
        if self._db is not None:
            self._db.close()
        self._conn = self._db = None

    def reopen(self) -> None:
        """Close and open again.

        After a failed bulk COPY the engine keeps the failed keys in its primary-key index
        until the database is reopened, so every failed write is followed by this.
        """
        self.close()
        self._open()

    def __enter__(self) -> LadybugStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> ladybug.Connection:
        if self._conn is None:
            raise StoreError("the store is closed")
        return self._conn

    # --- statements --------------------------------------------------------------------

    def execute(self, cypher: str, params: dict[str, Any] | None = None) -> Any:
        """Run one statement (parameters as ``$name``); raises StoreError on failure."""
        try:
            return self.conn.execute(cypher, params or {})
        except RuntimeError as e:
            raise StoreError(str(e)) from e

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a read query as dicts keyed by the RETURN column names."""
        result = self.execute(cypher, params)
        if isinstance(result, list):  # several statements: the last one's rows
            result = result[-1]
        columns = result.get_column_names()
        rows = [dict(zip(columns, values, strict=True)) for values in result]
        result.close()
        return rows

    def scalar(self, cypher: str, params: dict[str, Any] | None = None) -> Any:
        rows = self.query(cypher, params)
        return next(iter(rows[0].values())) if rows else None

    # --- schema ------------------------------------------------------------------------

    def ensure_schema(self, vocab: Vocabulary | None = None) -> None:
        """Create what is missing: tables, then columns and relationship pairs."""
        vocab = vocab or vocabulary()
        for statement in schema_ddl(vocab):
            self.execute(statement)
        for table in vocab.nodes.values():
            have = set(self.columns(table.label))
            for p in table.properties:
                if p.name not in have:
                    self.execute(f"ALTER TABLE {quote(table.label)} ADD {quote(p.name)} "
                                 f"{p.pg_type}")
        for rel in vocab.rels.values():
            have_pairs = {(r["source table name"], r["destination table name"])
                          for r in self.query(f"CALL show_connection('{rel.type}') RETURN *")}
            for a, b in rel.pairs:
                if (a, b) not in have_pairs:
                    self.execute(f"ALTER TABLE {quote(rel.type)} ADD FROM {quote(a)} TO {quote(b)}")

    def columns(self, label: str) -> list[str]:
        """A node table's columns in stored order (the order bulk-load files must follow)."""
        rows = self.query(f"CALL table_info('{label}') RETURN *")
        return [r["name"] for r in sorted(rows, key=lambda r: r["property id"])]

    def tables(self) -> dict[str, str]:
        """Every table of the database: name -> NODE or REL."""
        return {r["name"]: r["type"] for r in self.query("CALL show_tables() RETURN *")}

    # --- lookups -----------------------------------------------------------------------

    def existing_keys(self, table: NodeTable, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are already primary keys of ``table`` (batched, parameterised)."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        key = quote(table.key)
        cypher = (f"UNWIND $keys AS k MATCH (n:{quote(table.label)} {{{key}: k}}) "
                  f"RETURN n.{key} AS k")
        for chunk in chunks(wanted, LOOKUP_CHUNK):
            found.update(r["k"] for r in self.query(cypher, {"keys": chunk}))
        return found

    def count_nodes(self, label: str | None = None) -> int:
        pattern = f"(n:{quote(label)})" if label else "(n)"
        return int(self.scalar(f"MATCH {pattern} RETURN count(n)"))

    def count_rels(self, rel_type: str | None = None) -> int:
        pattern = f"[r:{quote(rel_type)}]" if rel_type else "[r]"
        return int(self.scalar(f"MATCH ()-{pattern}->() RETURN count(r)"))


def chunks(items: Sequence[Any], size: int) -> Iterable[list[Any]]:
    """Consecutive slices of at most ``size`` items (parameter lists stay bounded)."""
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def open_store(path: Path, *, read_only: bool = False,
               timeout_ms: int | None = None) -> LadybugStore:
    """Open the database at ``path`` (``Settings.ladybug_path``: ``{data}/graph.lbug``)."""
    return LadybugStore(Path(path), read_only=read_only, timeout_ms=timeout_ms)
