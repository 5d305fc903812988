"""The RDF store: an Oxigraph database under the data directory, written on every load.

Layout of the dataset:

* the default graph holds the instance data (``store.rdf`` makes it from the records);
* the named graph ``<https://w3id.org/fiscal-kg/ontology>`` holds ``fiscal.ttl`` itself, so a
  query can read class and property labels (``rdfs:label "金额"@zh``).  It is replaced
  whenever the file changed, on every read-write open.

Queries see both: the default graph of a query is the union of all graphs, so
``?a a fkg:Amount ; fkg:yuan ?y`` and ``fkg:Amount rdfs:label ?l`` work alike.  Use
``GRAPH <https://w3id.org/fiscal-kg/ontology> { … }`` to ask the ontology alone.

Writing follows the embedded writer (``store.writer``):

* idempotent: nodes and relationships are sets of triples; a value is stated only if the
  node has none yet for that property (existing values are not overwritten, and a second,
  differing value is never added);
* one document all-or-nothing: its triples are built and its references resolved before
  anything is written, and a document that fails there is rejected whole;
* a batch is written as N-Triples with ``Store.load``, one transaction (≈90k triples/s on
  the samples).
  Above ``BULK_TRIPLES`` triples — a first load of many documents — it goes through
  ``bulk_load`` instead (≈3× faster: it writes sorted files directly but is not
  transactional).  That is safe there because every document was converted and its
  references resolved before the first triple is written, and the text is parsed before
  anything is stored; what can still fail is the disk, which fails the whole load anyway.
  If a transactional batch fails, each document is tried alone, so one bad document never
  blocks the others.

Reading is SPARQL 1.1 through ``Store.query`` only; SPARQL Update is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse,
)

from ontology.records import DocumentRecords
from ontology.vocabulary import FKG, ONTOLOGY_FILE, PREFIXES
from store.rdf import RDF_TYPE, DocumentGraph, RdfError, document_graph, mapping, node_iri
from store.writer import WriteOutcome

ONTOLOGY_GRAPH = NamedNode(str(FKG).rstrip("#"))
BULK_TRIPLES = 200_000  # batches above this use the bulk loader
DATA = DefaultGraph()

Term = NamedNode | BlankNode | Literal | Triple


class RdfStoreError(RuntimeError):
    """The store cannot be opened, or a query is refused or fails; the message says why."""


@dataclass(frozen=True)
class QueryResult:
    """A query's answer: SELECT rows; ASK one row ``boolean``; CONSTRUCT/DESCRIBE triples as
    rows of ``subject``, ``predicate``, ``object``.  Values are pyoxigraph terms (or None)."""

    form: str  # select | ask | graph
    variables: list[str]
    rows: list[dict[str, Any]]


class OxigraphStore:
    """One open Oxigraph database.  Use as a context manager, or call ``close()``.

    ``read_only`` opens an existing store without write access; several processes may read
    at once.  A reader sees the store as it was when opened, and reading while another
    process writes is not supported by the engine, so long-lived readers reopen after a load.
    """

    def __init__(self, path: Path, *, base: str, read_only: bool = False):
        self.path = Path(path)
        self.base = base.rstrip("/")
        self.read_only = read_only
        try:
            NamedNode(node_iri(self.base, "Region", "000000"))
        except ValueError as e:
            raise RdfStoreError(f"the IRI base {self.base!r} is not an absolute IRI ({e})") from e
        if read_only and not self.path.exists():
            raise RdfStoreError(f"no RDF store at {self.path}: load documents first "
                                "(fiscal-kg load)")
        try:
            if read_only:
                self._store: Store | None = Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = Store(str(self.path))
        except OSError as e:
            raise RdfStoreError(f"cannot open the RDF store at {self.path}: {e}") from e
        if not read_only:
            self.ensure_ontology()

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RdfStoreError("the RDF store is closed")
        return self._store

    def close(self) -> None:
        """Release the database (its lock goes with the last reference).

        No flush: every write is in the engine's log, which readers and the next open replay.
        """
        self._store = None

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the ontology graph ------------------------------------------------------------

    def ensure_ontology(self) -> None:
        """Put ``fiscal.ttl`` into its named graph unless the graph already holds it."""
        triples = list(parse(path=str(ONTOLOGY_FILE), format=RdfFormat.TURTLE))
        stored = [q.triple for q in self.store.quads_for_pattern(None, None, None,
                                                                 ONTOLOGY_GRAPH)]
        if len(stored) == len(triples) and _ground(stored) == _ground(triples):
            return
        self.store.remove_graph(ONTOLOGY_GRAPH)
        self.store.extend(Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH)
                          for t in triples)

    # --- writing -----------------------------------------------------------------------

    def write(self, batch: Sequence[DocumentRecords]) -> list[WriteOutcome]:
        """Write a batch of documents; one outcome per document, in batch order."""
        outcomes: dict[int, WriteOutcome] = {}
        graphs: list[tuple[int, DocumentGraph]] = []
        for i, doc in enumerate(batch):
            try:
                graphs.append((i, document_graph(doc, self.base, self.exists)))
            except RdfError as e:
                outcomes[i] = WriteOutcome(doc.document.id, doc.document.source, str(e))
        claimed: set[tuple[str, str]] = set()
        lines = [t for _, g in graphs for t in self._new_lines(g, claimed)]
        try:
            self._add(lines)
            for i, g in graphs:
                outcomes[i] = WriteOutcome(g.document_id, g.source)
        except (OSError, SyntaxError):
            for i, g in graphs:  # nothing of the batch was written: try each on its own
                try:
                    self._add(self._new_lines(g, set()), bulk=False)
                    outcomes[i] = WriteOutcome(g.document_id, g.source)
                except (OSError, SyntaxError) as e:
                    outcomes[i] = WriteOutcome(g.document_id, g.source,
                                               f"{g.source}: not written to the RDF store: {e}")
        return [outcomes[i] for i in range(len(batch))]

    def exists(self, label: str, key: str) -> bool:
        """Is the ``label`` node with key ``key`` stored (typed with its fiscal class)?"""
        return self._typed(node_iri(self.base, label, key), label)

    def _typed(self, iri: str, label: str) -> bool:
        try:
            subject = NamedNode(iri)
        except ValueError:
            return False
        return next(self.store.quads_for_pattern(subject, _TYPE, _class_node(label), DATA),
                    None) is not None

    def _new_lines(self, graph: DocumentGraph, claimed: set[tuple[str, str]]) -> list[str]:
        """The document's statements less the values its nodes already have (stored, or
        claimed by an earlier document of the batch)."""
        out = list(graph.facts)
        stored: dict[str, set[str]] = {}
        for subject, label in graph.subjects.items():
            if self._typed(subject, label):
                stored[subject] = {q.predicate.value for q in self.store.quads_for_pattern(
                    NamedNode(subject), None, None, DATA)}
        for (subject, predicate), statements in graph.values.items():
            if predicate in stored.get(subject, ()) or (subject, predicate) in claimed:
                continue
            claimed.add((subject, predicate))
            out.extend(statements)
        return out

    def _add(self, lines: list[str], bulk: bool = True) -> None:
        """Parse and store N-Triples: one transaction, or the bulk loader for big batches."""
        if not lines:
            return
        text = "".join(lines).encode("utf-8")
        if bulk and len(lines) > BULK_TRIPLES:
            parsed = sum(1 for _ in parse(text, format=RdfFormat.N_TRIPLES))  # fail before
            if parsed:
                self.store.bulk_load(text, format=RdfFormat.N_TRIPLES)
        else:
            self.store.load(text, format=RdfFormat.N_TRIPLES)

    # --- reading -----------------------------------------------------------------------

    def count(self, graph: NamedNode | DefaultGraph = DATA) -> int:
        """Triples in one graph (the instance data by default)."""
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph))

    def triples(self, graph: NamedNode | DefaultGraph = DATA) -> Iterator[Triple]:
        for q in self.store.quads_for_pattern(None, None, None, graph):
            yield q.triple

    def query(self, sparql: str) -> QueryResult:
        """Run a read query (SELECT, ASK, CONSTRUCT, DESCRIBE); SPARQL Update is refused."""
        check_read_query(sparql)
        try:
            result = self.store.query(sparql, prefixes=dict(PREFIXES),
                                      use_default_graph_as_union=True)
        except SyntaxError as e:
            raise RdfStoreError(f"SPARQL syntax error: {e}") from e
        except (OSError, ValueError, TypeError) as e:
            raise RdfStoreError(f"SPARQL query failed: {e}") from e
        try:
            return _collect(result)
        except (OSError, ValueError, TypeError) as e:
            raise RdfStoreError(f"SPARQL query failed: {e}") from e

    def rows(self, sparql: str) -> list[dict[str, Any]]:
        """Rows of a read query with plain Python values (see ``plain``)."""
        return [{k: plain(v) for k, v in row.items()} for row in self.query(sparql).rows]


_TYPE = NamedNode(RDF_TYPE)


@cache
def _class_node(label: str) -> NamedNode:
    return NamedNode(mapping().classes[label].iri)


def open_store(path: Path, *, base: str, read_only: bool = False) -> OxigraphStore:
    """Open the RDF store at ``path`` (``Settings.rdf_path``: ``{data}/rdf``)."""
    return OxigraphStore(Path(path), base=base, read_only=read_only)


def _ground(triples: Iterable[Triple]) -> set[Triple]:
    """The triples without blank nodes (those are renamed on every parse)."""
    return {t for t in triples
            if not isinstance(t.subject, BlankNode) and not isinstance(t.object, BlankNode)}


def _collect(result: QuerySolutions | QueryBoolean | QueryTriples) -> QueryResult:
    if isinstance(result, QueryBoolean):
        return QueryResult("ask", ["boolean"], [{"boolean": bool(result)}])
    if isinstance(result, QueryTriples):
        names = ["subject", "predicate", "object"]
        return QueryResult("graph", names, [dict(zip(names, (t.subject, t.predicate, t.object),
                                                         strict=True)) for t in result])
    names = [v.value for v in result.variables]
    rows = [{name: solution[name] for name in names} for solution in result]
    return QueryResult("select", names, rows)


# ------------------------------------------------------------------------------------------
# Read-only queries
# ------------------------------------------------------------------------------------------

# The prologue (BASE, PREFIX) and comments a query may open with, then its first keyword.
_PROLOGUE = re.compile(r"""\s+|\#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>""",
                       re.IGNORECASE)
_KEYWORD = re.compile(r"[A-Za-z]+")
READ_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(sparql: str) -> str | None:
    """The first keyword after the prologue, upper-cased (SELECT, INSERT …), or None."""
    pos = 0
    while match := _PROLOGUE.match(sparql, pos):
        if match.end() == pos:
            break
        pos = match.end()
    keyword = _KEYWORD.match(sparql, pos)
    return keyword.group(0).upper() if keyword else None


def check_read_query(sparql: str) -> None:
    """Refuse anything but a read query, before the engine sees it.

    ``Store.query`` parses queries only and would reject an update too, but with a syntax
    error that does not say why; this says it plainly.
    """
    form = query_form(sparql)
    if form not in READ_FORMS:
        what = f"{form} is not" if form else "no query form found"
        raise RdfStoreError(f"only read queries ({', '.join(READ_FORMS)}) are accepted: "
                            f"{what} (SPARQL Update is refused)")


# ------------------------------------------------------------------------------------------
# Plain values
# ------------------------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte"))
FLOAT_TYPES = frozenset({XSD + "double", XSD + "float"})


def plain(term: Term | None) -> Any:
    """A term as a plain value: IRIs as strings, literals as their lexical value, numbers as
    numbers (``Decimal`` for xsd:decimal, so money stays exact), booleans as booleans."""
    if term is None or isinstance(term, bool):
        return term
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        datatype = term.datatype.value
        try:
            if datatype in INTEGER_TYPES:
                return int(term.value)
            if datatype == XSD + "decimal":
                return Decimal(term.value)
            if datatype in FLOAT_TYPES:
                return float(term.value)
        except (ValueError, InvalidOperation):
            return term.value
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)  # an RDF-star triple
