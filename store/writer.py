"""Writing documents into the embedded store: bulk, idempotent, one document all-or-nothing.

``write(store, batch)`` takes the records of several documents and returns one outcome per
document.  The path, chosen because Ladybug's bulk ``COPY`` is ~10× faster than row-wise
``UNWIND`` and because a failed ``COPY`` poisons the primary-key index until the database is
reopened:

1. stage: records → typed rows (``store.staging``); a document whose records cannot be
   converted is rejected here;
2. plan: look up, in batches, which keys already exist; resolve every ``_ref`` to exactly one
   node of the document itself or of the store (that is also how a ref with two candidate
   labels finds its label); a document with a dangling or ambiguous ref is rejected;
3. write all accepted documents in one transaction: ``COPY`` the new nodes and every edge
   with a new endpoint from CSV files, fill absent properties of nodes that already existed,
   and ``MERGE`` the edges between two existing nodes (batched ``UNWIND``, one ``MATCH`` per
   endpoint);
4. if that transaction fails anyway, reopen the database and write the documents one by one,
   so one bad document never blocks the others and none of a failing document remains.

Loading the same document twice therefore changes nothing: its nodes exist, so nothing is
copied, and every edge is merged onto the one already there.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ontology.records import DocumentRecords
from ontology.vocabulary import Vocabulary, vocabulary
from store.ladybug import LadybugStore, StoreError, chunks, quote
from store.staging import (
    COPY_OPTIONS,
    DocumentRows,
    Row,
    StagingError,
    document_rows,
    merge_row,
    write_csv,
)

MERGE_CHUNK = 5_000
MAX_LISTED = 5  # problems named per rejected document

EdgeKey = tuple[str, str, str]  # (type, FROM label, TO label)


@dataclass(frozen=True)
class WriteOutcome:
    """What became of one document: written, or the reason it was not (naming it)."""

    document_id: str
    source: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Plan:
    """The statements one transaction will run, as data."""

    documents: list[DocumentRows]
    new_nodes: dict[str, list[Row]] = field(default_factory=dict)
    old_nodes: dict[str, list[Row]] = field(default_factory=dict)
    new_edges: dict[EdgeKey, set[tuple[str, str]]] = field(default_factory=dict)
    old_edges: dict[EdgeKey, set[tuple[str, str]]] = field(default_factory=dict)


def write(store: LadybugStore, batch: Sequence[DocumentRecords]) -> list[WriteOutcome]:
    """Write a batch of documents; returns one outcome per document, in batch order."""
    vocab = vocabulary()
    outcomes: dict[int, WriteOutcome] = {}
    staged: list[tuple[int, DocumentRows]] = []
    for i, doc in enumerate(batch):
        try:
            staged.append((i, document_rows(doc, vocab)))
        except StagingError as e:
            outcomes[i] = WriteOutcome(doc.document.id, doc.document.source, str(e))
    plan, rejected = make_plan(store, [rows for _, rows in staged], vocab)
    accepted = []
    for n, (i, rows) in enumerate(staged):
        if n in rejected:
            outcomes[i] = WriteOutcome(rows.document_id, rows.source, rejected[n])
        else:
            accepted.append((i, rows))
    if len(accepted) == 1:
        i, rows = accepted[0]
        outcomes[i] = _write_plan(store, plan, rows)
    elif accepted:
        try:
            execute(store, plan, vocab)
            for i, rows in accepted:
                outcomes[i] = WriteOutcome(rows.document_id, rows.source)
        except (StoreError, OSError):
            store.reopen()
            for i, rows in accepted:
                outcomes[i] = _write_one(store, rows, vocab)
    return [outcomes[i] for i in range(len(batch))]


def _write_one(store: LadybugStore, rows: DocumentRows, vocab: Vocabulary) -> WriteOutcome:
    """Plan and write a single document (the fallback when its batch failed)."""
    plan, rejected = make_plan(store, [rows], vocab)
    if rejected:
        return WriteOutcome(rows.document_id, rows.source, rejected[0])
    return _write_plan(store, plan, rows)


def _write_plan(store: LadybugStore, plan: Plan, rows: DocumentRows) -> WriteOutcome:
    try:
        execute(store, plan, vocabulary())
    except (StoreError, OSError) as e:
        store.reopen()
        return WriteOutcome(rows.document_id, rows.source, f"{rows.source}: not written: {e}")
    return WriteOutcome(rows.document_id, rows.source)


# ------------------------------------------------------------------------------------------
# Planning
# ------------------------------------------------------------------------------------------


def make_plan(store: LadybugStore, documents: list[DocumentRows], vocab: Vocabulary
              ) -> tuple[Plan, dict[int, str]]:
    """Resolve refs and split nodes and edges into new and existing.

    Returns the plan for the documents that are sound, and a message for each of the others
    keyed by its position in ``documents``.  Each document's refs are resolved against its
    own nodes and the store only, never against another document of the batch, so that a
    document written alone would resolve the same way.
    """
    existing = _existing_keys(store, documents, vocab)
    plan = Plan(documents=[])
    rejected: dict[int, str] = {}
    nodes: dict[str, dict[str, Row]] = {}
    edges: set[tuple[EdgeKey, str, str]] = set()
    for n, rows in enumerate(documents):
        resolved, problems = _resolve(rows, existing)
        if problems:
            listed = "; ".join(problems[:MAX_LISTED])
            more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
            rejected[n] = (f"{rows.source}: rejected, {len(problems)} reference(s) to no node: "
                           f"{listed}{more}")
            continue
        plan.documents.append(rows)
        for label, by_key in rows.nodes.items():
            bucket = nodes.setdefault(label, {})
            for key, row in by_key.items():
                bucket[key] = merge_row(bucket[key], row) if key in bucket else row
        edges.update(resolved)
    for label, by_key in nodes.items():
        for key, row in by_key.items():
            target = plan.old_nodes if key in existing[label] else plan.new_nodes
            target.setdefault(label, []).append(row)
    for edge_key, a, b in edges:
        _type, from_label, to_label = edge_key
        old = a in existing[from_label] and b in existing[to_label]
        (plan.old_edges if old else plan.new_edges).setdefault(edge_key, set()).add((a, b))
    return plan, rejected


def _existing_keys(store: LadybugStore, documents: list[DocumentRows], vocab: Vocabulary
                   ) -> dict[str, set[str]]:
    """Per label, which of the keys the batch mentions (as nodes or as ref targets) exist."""
    wanted: dict[str, set[str]] = {label: set() for label in vocab.nodes}
    for rows in documents:
        for label, by_key in rows.nodes.items():
            wanted[label].update(by_key)
        for edge in rows.edges:
            for label in edge.ref.targets:
                wanted[label].add(edge.target_id)
    return {label: store.existing_keys(vocab.nodes[label], keys) if keys else set()
            for label, keys in wanted.items()}


def _resolve(rows: DocumentRows, existing: dict[str, set[str]]
             ) -> tuple[set[tuple[EdgeKey, str, str]], list[str]]:
    """Each edge of one document → (type, FROM, TO) and endpoint keys, or a problem."""
    out: set[tuple[EdgeKey, str, str]] = set()
    problems: list[str] = []
    for edge in rows.edges:
        ref = edge.ref
        labels = [t for t in ref.targets
                  if edge.target_id in rows.nodes.get(t, {}) or edge.target_id in existing[t]]
        if len(labels) != 1:
            what = "no" if not labels else "more than one"
            problems.append(f"{ref.record} {edge.record_id}: {ref.field}={edge.target_id!r} "
                            f"names {what} {' or '.join(ref.targets)}")
            continue
        target = labels[0]
        if ref.inverse:
            out.add(((ref.rel_type, target, ref.record), edge.target_id, edge.record_id))
        else:
            out.add(((ref.rel_type, ref.record, target), edge.record_id, edge.target_id))
    return out, problems


# ------------------------------------------------------------------------------------------
# Execution
# ------------------------------------------------------------------------------------------


def execute(store: LadybugStore, plan: Plan, vocab: Vocabulary) -> None:
    """Run a plan in one transaction; on any failure roll back and raise StoreError."""
    staging = Path(tempfile.mkdtemp(prefix="fiscal-kg-copy-"))
    try:
        store.execute("BEGIN TRANSACTION")
        try:
            _copy_nodes(store, plan, staging)
            _copy_edges(store, plan, vocab, staging)
            _fill_nodes(store, plan, vocab)
            _merge_edges(store, plan, vocab)
            store.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(StoreError):  # a failed COPY has rolled back already
                store.execute("ROLLBACK")
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy_statement(table: str, path: Path, multiline: bool, extra: str = "") -> str:
    literal = str(path).replace("\\", "\\\\").replace("'", "\\'")
    parallel = ", parallel=false" if multiline else ""
    return f"COPY {quote(table)} FROM '{literal}' ({COPY_OPTIONS}{parallel}{extra})"


def _copy_nodes(store: LadybugStore, plan: Plan, staging: Path) -> None:
    for label, rows in plan.new_nodes.items():
        columns = store.columns(label)  # the stored order, which COPY follows
        path = staging / f"node-{label}.csv"
        multiline = write_csv(path, columns, ([row.get(c) for c in columns] for row in rows))
        store.execute(_copy_statement(label, path, multiline))


def _copy_edges(store: LadybugStore, plan: Plan, vocab: Vocabulary, staging: Path) -> None:
    for (rel_type, a, b), pairs in sorted(plan.new_edges.items()):
        path = staging / f"rel-{rel_type}-{a}-{b}.csv"
        write_csv(path, ["from", "to"], sorted(pairs))
        store.execute(_copy_statement(rel_type, path, False, f", from='{a}', to='{b}'"))


def _fill_nodes(store: LadybugStore, plan: Plan, vocab: Vocabulary) -> None:
    """Existing nodes keep their values; properties they lack are taken from the new rows."""
    for label, rows in plan.old_nodes.items():
        table = vocab.nodes[label]
        props = [p for p in table.properties
                 if p.name != table.key and any(r.get(p.name) is not None for r in rows)]
        if not props:
            continue
        sets = ", ".join(
            f"n.{quote(p.name)} = coalesce(n.{quote(p.name)}, CAST(r.{quote(p.name)} AS "
            f"{p.pg_type}))" for p in props)
        cypher = (f"UNWIND $rows AS r MATCH (n:{quote(label)} "
                  f"{{{quote(table.key)}: r.{quote(table.key)}}}) SET {sets}")
        names = [table.key, *(p.name for p in props)]
        for chunk in chunks(rows, MERGE_CHUNK):
            store.execute(cypher, {"rows": [{n: r.get(n) for n in names} for r in chunk]})


def _merge_edges(store: LadybugStore, plan: Plan, vocab: Vocabulary) -> None:
    for (rel_type, a, b), pairs in sorted(plan.old_edges.items()):
        ka, kb = quote(vocab.nodes[a].key), quote(vocab.nodes[b].key)
        cypher = (f"UNWIND $rows AS r MATCH (a:{quote(a)} {{{ka}: r.a}}) "
                  f"MATCH (b:{quote(b)} {{{kb}: r.b}}) MERGE (a)-[:{quote(rel_type)}]->(b)")
        rows = [{"a": x, "b": y} for x, y in sorted(pairs)]
        for chunk in chunks(rows, MERGE_CHUNK):
            store.execute(cypher, {"rows": chunk})
