"""The Neo4j 5 backend: constraints from the ontology, idempotent batched writes, read queries.

The same records that go into the embedded store go here, through the same staging code
(``store.staging``: records → typed rows) and the same reference resolution
(``store.writer.make_plan``: each ``_ref`` must name exactly one node of the document or of
the graph).  Only the statements differ, because Neo4j has no bulk ``COPY`` and the schema
is a set of constraints rather than tables:

* schema: one uniqueness constraint per node label on its key (which also indexes the key),
  a range index on the properties people look things up by (``code``, ``name``,
  ``fiscal_year``) and a text index on ``name`` for ``CONTAINS`` searches — all generated
  from ``ontology.vocabulary``, all ``IF NOT EXISTS`` so opening the store twice is harmless;
* nodes: ``UNWIND $rows AS r MERGE (n:Label {key: r.key}) SET n.p = coalesce(n.p, r.p), …``
  — a node that exists keeps its values and only gains the properties it lacked, exactly as
  in the embedded store.  ``SET n += r`` is not used: a null in the map would delete the
  property, and a second document would overwrite the first;
* relationships: ``UNWIND $rows AS r MATCH (a:A {key: r.a}) MATCH (b:B {key: r.b})
  MERGE (a)-[:T]->(b)`` — one MATCH per endpoint (the comma-separated form is far slower);
* one write transaction per document, so a document is stored whole or not at all, and a
  failing document never blocks the others; parameter lists hold at most 5,000 rows.

Money (``Amount.yuan``) and the other decimal properties are sent as floats and stored as
Neo4j FLOAT (64-bit), the same type the embedded store uses: 元 with two decimals is exact in
a double up to 10^13, and a float can be summed, which a string could not.

Connection settings come from ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE`` (defaults match ``docker-compose.yml``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from neo4j import Driver, GraphDatabase, ManagedTransaction, unit_of_work
from neo4j.exceptions import DriverError, Neo4jError

from ontology.records import DocumentRecords
from ontology.vocabulary import NodeTable, Vocabulary, vocabulary
from store.ladybug import StoreError, chunks, quote
from store.staging import DocumentRows, StagingError, document_rows
from store.writer import Plan, WriteOutcome, make_plan

__all__ = [
    "DocumentPlan", "KnownKeys", "Neo4jSettings", "Neo4jStore", "StoreError", "Statement",
    "node_statement", "open_store", "plan_batch", "rel_statement", "schema_statements",
    "statement_catalogue", "statements_for", "write",
]

WRITE_CHUNK = 5_000  # rows per UNWIND parameter list
LOOKUP_CHUNK = 10_000
DEFAULT_QUERY_TIMEOUT_S = 60.0
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"  # seconds; new indexes are built in the background

#: Properties analysts and the API look nodes up by; each gets a range index where a label
#: has it (unless it is the label's key, which its uniqueness constraint indexes already).
SEARCHED_PROPERTIES = ("code", "name", "fiscal_year")
#: Text properties searched with CONTAINS; each gets a text index as well.
TEXT_SEARCHED_PROPERTIES = ("name",)

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "fiscal-kg-local"  # the docker-compose default; set NEO4J_PASSWORD
DEFAULT_DATABASE = "neo4j"


class Statement(NamedTuple):
    """One Cypher statement and its parameters (unpacks as ``cypher, params``)."""

    cypher: str
    params: dict[str, Any]


# ------------------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the server is and how to log in."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str = DEFAULT_PASSWORD
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Neo4jSettings:
        """Settings from the environment; unset or empty variables take the defaults."""
        env = os.environ if env is None else env
        return cls(uri=env.get("NEO4J_URI") or DEFAULT_URI,
                   user=env.get("NEO4J_USER") or DEFAULT_USER,
                   password=env.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD,
                   database=env.get("NEO4J_DATABASE") or DEFAULT_DATABASE)


# ------------------------------------------------------------------------------------------
# Schema, derived from the vocabulary
# ------------------------------------------------------------------------------------------


def _name(*parts: str) -> str:
    """A schema object name such as ``amount_id_key`` (stable, so IF NOT EXISTS finds it)."""
    return "_".join(p.lower() for p in parts)


def constraint_statement(table: NodeTable) -> str:
    return (f"CREATE CONSTRAINT {_name(table.label, table.key, 'key')} IF NOT EXISTS "
            f"FOR (n:{quote(table.label)}) REQUIRE n.{quote(table.key)} IS UNIQUE")


def index_statements(table: NodeTable) -> list[str]:
    """Range indexes on the searched properties the label has; text indexes on names."""
    out = []
    for prop in table.properties:
        if prop.name == table.key:
            continue
        target = f"FOR (n:{quote(table.label)}) ON (n.{quote(prop.name)})"
        if prop.name in SEARCHED_PROPERTIES:
            out.append(f"CREATE INDEX {_name(table.label, prop.name)} IF NOT EXISTS {target}")
        if prop.name in TEXT_SEARCHED_PROPERTIES and prop.pg_type == "STRING":
            out.append(f"CREATE TEXT INDEX {_name(table.label, prop.name, 'text')} "
                       f"IF NOT EXISTS {target}")
    return out


def schema_statements(vocab: Vocabulary | None = None) -> list[str]:
    """Every constraint, then every index, for the labels of the ontology."""
    vocab = vocab or vocabulary()
    return ([constraint_statement(t) for t in vocab.nodes.values()]
            + [s for t in vocab.nodes.values() for s in index_statements(t)])


# ------------------------------------------------------------------------------------------
# Write statements
# ------------------------------------------------------------------------------------------


def node_statement(table: NodeTable) -> str:
    """MERGE a label's rows on its key; existing values win, missing ones are filled."""
    key = quote(table.key)
    sets = ", ".join(f"n.{quote(p.name)} = coalesce(n.{quote(p.name)}, r.{quote(p.name)})"
                     for p in table.properties if p.name != table.key)
    merge = f"UNWIND $rows AS r MERGE (n:{quote(table.label)} {{{key}: r.{key}}})"
    return f"{merge} SET {sets}" if sets else merge


def rel_statement(rel_type: str, a: NodeTable, b: NodeTable) -> str:
    """MERGE relationships between two existing nodes, one MATCH per endpoint."""
    return (f"UNWIND $rows AS r MATCH (a:{quote(a.label)} {{{quote(a.key)}: r.a}}) "
            f"MATCH (b:{quote(b.label)} {{{quote(b.key)}: r.b}}) "
            f"MERGE (a)-[:{quote(rel_type)}]->(b)")


def plan_statements(plan: Plan, vocab: Vocabulary) -> list[Statement]:
    """The statements that write a plan: nodes label by label, then relationships."""
    statements: list[Statement] = []
    for label, table in vocab.nodes.items():
        rows = plan.new_nodes.get(label, []) + plan.old_nodes.get(label, [])
        if not rows:
            continue
        names = table.property_names
        cypher = node_statement(table)
        rows = sorted(rows, key=lambda row: str(row.get(table.key)))
        uniform = [{n: row.get(n) for n in names} for row in rows]  # same keys in every map
        statements += [Statement(cypher, {"rows": c}) for c in chunks(uniform, WRITE_CHUNK)]
    edges: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    for source in (plan.new_edges, plan.old_edges):
        for edge_key, pairs in source.items():
            edges.setdefault(edge_key, set()).update(pairs)
    for (rel_type, a, b), pairs in sorted(edges.items()):
        cypher = rel_statement(rel_type, vocab.nodes[a], vocab.nodes[b])
        rows = [{"a": x, "b": y} for x, y in sorted(pairs)]
        statements += [Statement(cypher, {"rows": chunk}) for chunk in chunks(rows, WRITE_CHUNK)]
    return statements


def statement_catalogue(vocab: Vocabulary | None = None) -> list[Statement]:
    """Every distinct Cypher text this module can send to the server, with its parameters.

    Schema, a node MERGE per label, a relationship MERGE per (type, FROM, TO) pair of the
    ontology, and the lookups.  It exists so that all of it can be checked against the
    Neo4j 5 grammar offline.
    """
    vocab = vocab or vocabulary()
    out = [Statement(s, {}) for s in schema_statements(vocab)]
    out.append(Statement(AWAIT_INDEXES, {}))
    out += [Statement(node_statement(t), {"rows": []}) for t in vocab.nodes.values()]
    out += [Statement(rel_statement(rel.type, vocab.nodes[a], vocab.nodes[b]), {"rows": []})
            for rel in vocab.rels.values() for a, b in rel.pairs]
    out += [Statement(lookup_statement(t), {"keys": []}) for t in vocab.nodes.values()]
    out += [Statement(count_statement(label), {}) for label in [None, *vocab.nodes]]
    out += [Statement(count_rels_statement(t), {}) for t in [None, *vocab.rels]]
    return out


def lookup_statement(table: NodeTable) -> str:
    """Which of the keys ``$keys`` are stored nodes of the label."""
    key = quote(table.key)
    return f"UNWIND $keys AS k MATCH (n:{quote(table.label)} {{{key}: k}}) RETURN n.{key} AS k"


def count_statement(label: str | None) -> str:
    return f"MATCH {f'(n:{quote(label)})' if label else '(n)'} RETURN count(n)"


def count_rels_statement(rel_type: str | None) -> str:
    return f"MATCH ()-{f'[r:{quote(rel_type)}]' if rel_type else '[r]'}->() RETURN count(r)"


class KeyLookup(Protocol):
    """Answers which keys of a label are already stored (what reference resolution needs)."""

    def existing_keys(self, table: NodeTable, keys: Iterable[str]) -> set[str]: ...


class KnownKeys:
    """A lookup from a fixed set of stored keys per label; empty means an empty graph.

    Lets the statements for a batch be computed without a server.
    """

    def __init__(self, stored: Mapping[str, Iterable[str]] | None = None):
        self.stored = {label: set(keys) for label, keys in (stored or {}).items()}

    def existing_keys(self, table: NodeTable, keys: Iterable[str]) -> set[str]:
        return self.stored.get(table.label, set()) & set(keys)


@dataclass(frozen=True)
class DocumentPlan:
    """One document's transaction, or the reason it cannot be written (naming the document)."""

    document_id: str
    source: str
    statements: tuple[Statement, ...] = ()
    error: str | None = None


def plan_batch(batch: Sequence[DocumentRecords], lookup: KeyLookup | None = None,
               vocab: Vocabulary | None = None) -> list[DocumentPlan]:
    """Stage and resolve every document of a batch, one plan per document, in batch order.

    Every document is resolved against its own nodes and the graph as it was before the
    batch (never against another document of the batch), as the embedded writer does.
    """
    vocab = vocab or vocabulary()
    lookup = lookup or KnownKeys()
    plans = []
    for doc in batch:
        try:
            rows: DocumentRows = document_rows(doc, vocab)
        except StagingError as e:
            plans.append(DocumentPlan(doc.document.id, doc.document.source, error=str(e)))
            continue
        plan, rejected = make_plan(lookup, [rows], vocab)  # type: ignore[arg-type]
        if rejected:
            plans.append(DocumentPlan(rows.document_id, rows.source, error=rejected[0]))
        else:
            plans.append(DocumentPlan(rows.document_id, rows.source,
                                      tuple(plan_statements(plan, vocab))))
    return plans


def statements_for(batch: Sequence[DocumentRecords],
                   lookup: KeyLookup | None = None) -> list[Statement]:
    """Every statement ``write`` would run for a batch (documents it would reject left out).

    Without a lookup the graph is taken to be empty.
    """
    return [s for plan in plan_batch(batch, lookup) for s in plan.statements]


# ------------------------------------------------------------------------------------------
# The store
# ------------------------------------------------------------------------------------------


class Neo4jStore:
    """A connection to one Neo4j database.  Use as a context manager, or call ``close()``.

    ``timeout_s`` bounds every read query made through ``query``.
    """

    def __init__(self, settings: Neo4jSettings | None = None, *,
                 timeout_s: float = DEFAULT_QUERY_TIMEOUT_S, driver: Driver | None = None):
        self.settings = settings or Neo4jSettings.from_env()
        self.timeout_s = timeout_s
        if driver is None:
            try:
                driver = GraphDatabase.driver(self.settings.uri,
                                              auth=(self.settings.user, self.settings.password))
                driver.verify_connectivity()
            except (DriverError, Neo4jError, ValueError, OSError) as e:
                if driver is not None:
                    driver.close()
                raise StoreError(f"cannot reach Neo4j at {self.settings.uri}: {e}") from e
        self._driver: Driver | None = driver

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
        self._driver = None

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def driver(self) -> Driver:
        if self._driver is None:
            raise StoreError("the Neo4j store is closed")
        return self._driver

    def _session(self) -> Any:
        return self.driver.session(database=self.settings.database)

    # --- schema ------------------------------------------------------------------------

    def ensure_schema(self, vocab: Vocabulary | None = None) -> None:
        """Create the constraints and indexes that are missing (schema changes auto-commit)."""
        try:
            with self._session() as session:
                for statement in schema_statements(vocab):
                    session.run(statement).consume()
                session.run(AWAIT_INDEXES).consume()
        except (DriverError, Neo4jError) as e:
            raise StoreError(f"cannot create the Neo4j schema: {e}") from e

    # --- reading -----------------------------------------------------------------------

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a read query as dicts, in a read-only transaction bounded by the timeout."""

        @unit_of_work(timeout=self.timeout_s)
        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(cypher, params or {})]

        try:
            with self._session() as session:
                return session.execute_read(work)
        except (DriverError, Neo4jError) as e:
            raise StoreError(str(e)) from e

    def scalar(self, cypher: str, params: dict[str, Any] | None = None) -> Any:
        rows = self.query(cypher, params)
        return next(iter(rows[0].values())) if rows else None

    def existing_keys(self, table: NodeTable, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are keys of stored ``table.label`` nodes (batched)."""
        cypher = lookup_statement(table)
        found: set[str] = set()
        for chunk in chunks(sorted(set(keys)), LOOKUP_CHUNK):
            found.update(r["k"] for r in self.query(cypher, {"keys": chunk}))
        return found

    def count_nodes(self, label: str | None = None) -> int:
        return int(self.scalar(count_statement(label)))

    def count_rels(self, rel_type: str | None = None) -> int:
        return int(self.scalar(count_rels_statement(rel_type)))

    # --- writing -----------------------------------------------------------------------

    def run_write(self, statements: Sequence[Statement]) -> None:
        """Run statements in one write transaction (retried by the driver if transient)."""

        def work(tx: ManagedTransaction) -> None:
            for cypher, params in statements:
                tx.run(cypher, params).consume()

        try:
            with self._session() as session:
                session.execute_write(work)
        except (DriverError, Neo4jError) as e:
            raise StoreError(str(e)) from e


def open_store(settings: Neo4jSettings | None = None, *, read_only: bool = False,
               timeout_ms: int | None = None) -> Neo4jStore:
    """Connect (settings from the environment by default) and, unless read-only, ensure the
    constraints and indexes exist."""
    timeout_s = timeout_ms / 1000 if timeout_ms else DEFAULT_QUERY_TIMEOUT_S
    store = Neo4jStore(settings, timeout_s=timeout_s)
    if not read_only:
        try:
            store.ensure_schema()
        except StoreError:
            store.close()
            raise
    return store


def write(store: Neo4jStore, batch: Sequence[DocumentRecords]) -> list[WriteOutcome]:
    """Write a batch of documents, one transaction each; one outcome per document, in order.

    The same interface as ``store.writer.write``: a document that cannot be staged, has a
    reference to no node, or fails on the server is reported and the others are written.
    """
    outcomes = []
    for plan in plan_batch(batch, store):
        if plan.error is not None:
            outcomes.append(WriteOutcome(plan.document_id, plan.source, plan.error))
            continue
        try:
            store.run_write(plan.statements)
        except StoreError as e:
            outcomes.append(WriteOutcome(plan.document_id, plan.source,
                                         f"{plan.source}: not written: {e}"))
            continue
        outcomes.append(WriteOutcome(plan.document_id, plan.source))
    return outcomes
