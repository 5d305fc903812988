"""Exports of the knowledge graph: Turtle, JSON-LD, GraphML, GEXF and Neo4j import CSV.

* ``ttl`` and ``jsonld`` are written from the RDF store: its instance data (the default
  graph), without the ontology, which ships as ``ontology/fiscal.ttl``.  JSON-LD uses the
  project's context (``ontology/context.jsonld``, embedded so the file reads offline): terms
  for the fiscal vocabulary, compact IRIs (``skos:notation``) for the rest.
* ``graphml`` and ``gexf`` are written from the embedded property graph through networkx,
  for Gephi and similar tools: one node per graph node, its id the entity's IRI, its
  ``label`` a readable Chinese name (``201 一般公共服务支出``), ``kind`` its node label, and
  its properties as attributes; edges carry their relationship type.
* ``neo4j-csv`` is a folder for ``neo4j-admin database import``: one nodes file per label
  (``code:ID(Region)``, typed columns such as ``yuan:double``, ``fiscal_year:int``, a
  ``:LABEL`` column), one relationships file per type and label pair (``:START_ID(Amount)``,
  ``:END_ID(Document)``, ``:TYPE``), and ``import.sh`` with the command.

Every export holds what the stores hold and nothing else (contact details are never loaded).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, RdfFormat

from ontology import ids
from ontology.vocabulary import CONTEXT_FILE, PREFIXES, NodeTable, Vocabulary, vocabulary
from store.ladybug import LadybugStore, quote
from store.oxigraph import OxigraphStore
from store.rdf import RDF_TYPE, node_iri
from store.staging import csv_cell

FORMATS = ("ttl", "jsonld", "graphml", "gexf", "neo4j-csv")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: where, and how many triples or nodes and edges."""

    format: str
    path: Path
    triples: int = 0
    nodes: int = 0
    edges: int = 0
    files: int = 1


# ------------------------------------------------------------------------------------------
# RDF: Turtle and JSON-LD
# ------------------------------------------------------------------------------------------


def id_prefixes(base: str) -> dict[str, str]:
    """Prefixes for the entity IRIs (``region:652824``), so Turtle stays readable."""
    return {kind: ids.iri(base, kind, "") for kind in sorted(set(ids.KINDS.values()))}


def export_turtle(rdf: OxigraphStore, out: Path) -> ExportResult:
    """The instance data as Turtle, with the vocabulary's prefixes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    prefixes = {**PREFIXES, **id_prefixes(rdf.base)}
    rdf.store.dump(str(out), RdfFormat.TURTLE, from_graph=DefaultGraph(), prefixes=prefixes)
    return ExportResult("ttl", out, triples=rdf.count())


@dataclass(frozen=True)
class _Term:
    name: str
    coercion: str | None  # "@id", an xsd IRI, or None (plain strings)


class JsonLdCompactor:
    """Compacts triples into JSON-LD node objects with the project's context.

    A simple, streaming compaction: a predicate with a context term is written under the
    term when the value fits the term's coercion (an IRI for ``@id`` terms, a literal of the
    term's datatype, a plain string for untyped terms); anything else is written under the
    compact IRI with an explicit ``@id``/``@value``/``@type``/``@language``, so the file
    expands to exactly the stored triples.
    """

    def __init__(self, context: dict[str, Any]):
        self.context = context
        self.prefixes = {k: v for k, v in context.items() if isinstance(v, str)
                         and v.startswith("http")}
        self.terms: dict[str, _Term] = {}
        self.classes: dict[str, str] = {}
        for name, definition in context.items():
            if name in self.prefixes:
                continue
            if isinstance(definition, str):
                self.classes[self.expand(definition)] = name
            elif isinstance(definition, dict) and "@id" in definition:
                coercion = definition.get("@type")
                iri = self.expand(definition["@id"])
                self.terms[iri] = _Term(name, self.expand(coercion) if coercion
                                        and coercion != "@id" else coercion)

    def expand(self, value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        return value

    def compact_iri(self, iri: str) -> str:
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(self.prefixes.get(best, "")):
                best = prefix
        return f"{best}:{iri[len(self.prefixes[best]):]}" if best else iri

    def node(self, subject: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {"@id": subject}
        types: list[str] = []
        values: dict[str, list[Any]] = {}
        for predicate, obj in pairs:
            if predicate == RDF_TYPE and isinstance(obj, NamedNode):
                types.append(self.classes.get(obj.value) or self.compact_iri(obj.value))
                continue
            key, value = self._entry(predicate, obj)
            values.setdefault(key, []).append(value)
        if types:
            out["@type"] = types[0] if len(types) == 1 else sorted(types)
        for key in sorted(values):
            out[key] = values[key][0] if len(values[key]) == 1 else values[key]
        return out

    def _entry(self, predicate: str, obj: Any) -> tuple[str, Any]:
        term = self.terms.get(predicate)
        if isinstance(obj, NamedNode):
            if term and term.coercion == "@id":
                return term.name, obj.value
            return self.compact_iri(predicate), {"@id": obj.value}
        if isinstance(obj, BlankNode):
            return self.compact_iri(predicate), {"@id": f"_:{obj.value}"}
        assert isinstance(obj, Literal)
        datatype = obj.datatype.value
        if term and not obj.language and (
                term.coercion == datatype or (term.coercion is None and datatype == XSD_STRING)):
            return term.name, obj.value
        key = self.compact_iri(predicate)
        if obj.language:
            return key, {"@value": obj.value, "@language": obj.language}
        if datatype == XSD_STRING:
            return key, obj.value
        return key, {"@value": obj.value, "@type": self.compact_iri(datatype)}


def project_context() -> dict[str, Any]:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def export_jsonld(rdf: OxigraphStore, out: Path) -> ExportResult:
    """The instance data as JSON-LD (``{"@context": …, "@graph": [node, …]}``), streamed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    context = project_context()
    compactor = JsonLdCompactor(context)
    triples = 0
    with out.open("w", encoding="utf-8") as f:
        f.write('{"@context": ' + json.dumps(context, ensure_ascii=False))
        f.write(',\n"@graph": [')
        first = True
        for subject, pairs in _by_subject(rdf):
            triples += len(pairs)
            f.write("\n" if first else ",\n")
            first = False
            f.write(json.dumps(compactor.node(subject, pairs), ensure_ascii=False))
        f.write("\n]}\n")
    return ExportResult("jsonld", out, triples=triples)


def _by_subject(rdf: OxigraphStore) -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    """Triples of the default graph grouped by subject (the store yields them in subject
    order; were it not to, a subject would come as two node objects, which JSON-LD merges)."""
    current: str | None = None
    pairs: list[tuple[str, Any]] = []
    for t in rdf.triples():
        subject = t.subject.value if isinstance(t.subject, NamedNode) else f"_:{t.subject.value}"
        if subject != current:
            if current is not None:
                yield current, pairs
            current, pairs = subject, []
        pairs.append((t.predicate.value, t.object))
    if current is not None:
        yield current, pairs


# ------------------------------------------------------------------------------------------
# The property graph: networkx (GraphML, GEXF) and Neo4j CSV
# ------------------------------------------------------------------------------------------

# Node attribute names the GEXF/GraphML writers use themselves.
RESERVED = frozenset({"id", "label", "pid", "start", "end", "viz"})


def read_nodes(store: LadybugStore, table: NodeTable) -> list[dict[str, Any]]:
    """Every node of one label with all its properties (None where absent)."""
    columns = ", ".join(f"n.{quote(p.name)} AS {quote(p.name)}" for p in table.properties)
    return store.query(f"MATCH (n:{quote(table.label)}) RETURN {columns} "
                       f"ORDER BY n.{quote(table.key)}")


def read_edges(store: LadybugStore, rel_type: str, a: str, b: str, vocab: Vocabulary
               ) -> list[tuple[str, str]]:
    ka, kb = quote(vocab.nodes[a].key), quote(vocab.nodes[b].key)
    rows = store.query(f"MATCH (a:{quote(a)})-[:{quote(rel_type)}]->(b:{quote(b)}) "
                       f"RETURN a.{ka} AS src, b.{kb} AS dst ORDER BY src, dst")
    return [(r["src"], r["dst"]) for r in rows]


def display_name(label: str, row: dict[str, Any]) -> str:
    """What a graph tool shows on a node: its Chinese name, with the code for subjects."""
    if label in ("FunctionalSubject", "EconomicSubject"):
        return " ".join(str(v) for v in (row.get("code"), row.get("name")) if v)
    if label == "Document":
        return str(row.get("title") or row.get("id"))
    if label == "Amount":
        what = row.get("item") or row.get("category") or ""
        yuan = row.get("yuan")
        money = f"{yuan:,.2f} 元" if isinstance(yuan, int | float) else ""
        return f"{what} {money}".strip()
    return str(row.get("name") or row.get("code") or row.get("id"))


def _mixed_types(vocab: Vocabulary) -> set[str]:
    """Property names whose engine type differs between labels (Region.level is text,
    a subject's level a number): exported as text, since a GEXF/GraphML attribute has one
    type."""
    seen: dict[str, set[str]] = {}
    for table in vocab.nodes.values():
        for p in table.properties:
            seen.setdefault(p.name, set()).add(p.pg_type)
    return {name for name, types in seen.items() if len(types) > 1}


def networkx_graph(store: LadybugStore, base: str) -> nx.MultiDiGraph:
    """The whole embedded graph in networkx: nodes keyed by IRI, edges typed."""
    vocab = vocabulary()
    mixed = _mixed_types(vocab)
    graph = nx.MultiDiGraph(name="fiscal-kg")
    for label, table in vocab.nodes.items():
        for row in read_nodes(store, table):
            attrs: dict[str, Any] = {"label": display_name(label, row), "kind": label,
                                     "key": row[table.key]}
            for name, value in row.items():
                if value is None or name in RESERVED:
                    continue
                attrs[name] = str(value) if name in mixed else value
            graph.add_node(node_iri(base, label, row[table.key]), **attrs)
    for rel in vocab.rels.values():
        for a, b in rel.pairs:
            for x, y in read_edges(store, rel.type, a, b, vocab):
                graph.add_edge(node_iri(base, a, x), node_iri(base, b, y), key=rel.type,
                               label=rel.type, rel_type=rel.type)
    return graph


def export_graphml(store: LadybugStore, out: Path, base: str) -> ExportResult:
    graph = networkx_graph(store, base)
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, out, encoding="utf-8")
    return ExportResult("graphml", out, nodes=graph.number_of_nodes(),
                        edges=graph.number_of_edges())


def export_gexf(store: LadybugStore, out: Path, base: str) -> ExportResult:
    graph = networkx_graph(store, base)
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_gexf(graph, out, encoding="utf-8")
    return ExportResult("gexf", out, nodes=graph.number_of_nodes(),
                        edges=graph.number_of_edges())


NEO4J_TYPES = {"STRING": "", "INT64": ":int", "DOUBLE": ":double"}


def neo4j_node_header(table: NodeTable) -> list[str]:
    """``code:ID(Region)``, then typed property columns, then ``:LABEL``."""
    head = [f"{table.key}:ID({table.label})"]
    head += [f"{p.name}{NEO4J_TYPES[p.pg_type]}" for p in table.properties if p.name != table.key]
    return [*head, ":LABEL"]


def neo4j_rel_header(a: str, b: str) -> list[str]:
    return [f":START_ID({a})", f":END_ID({b})", ":TYPE"]


def export_neo4j_csv(store: LadybugStore, out: Path) -> ExportResult:
    """A folder of CSV files and ``import.sh`` for ``neo4j-admin database import full``."""
    vocab = vocabulary()
    out.mkdir(parents=True, exist_ok=True)
    node_files: list[str] = []
    rel_files: list[str] = []
    nodes = edges = 0
    for label, table in vocab.nodes.items():
        rows = read_nodes(store, table)
        name = f"nodes_{label}.csv"
        order = [table.key, *(p.name for p in table.properties if p.name != table.key)]
        _write_csv(out / name, neo4j_node_header(table),
                   ([*(r[c] for c in order), label] for r in rows))
        node_files.append(name)
        nodes += len(rows)
    for rel in vocab.rels.values():
        for a, b in rel.pairs:
            pairs = read_edges(store, rel.type, a, b, vocab)
            name = f"rels_{rel.type}_{a}_{b}.csv"
            _write_csv(out / name, neo4j_rel_header(a, b), ([x, y, rel.type] for x, y in pairs))
            rel_files.append(name)
            edges += len(pairs)
    script = out / "import.sh"
    script.write_text(import_script(node_files, rel_files), encoding="utf-8")
    script.chmod(0o755)
    return ExportResult("neo4j-csv", out, nodes=nodes, edges=edges,
                        files=len(node_files) + len(rel_files) + 1)


def import_script(node_files: list[str], rel_files: list[str]) -> str:
    """The neo4j-admin command for these files (Neo4j 5; the database must be stopped)."""
    args = [f"  --nodes={n}" for n in node_files] + [f"  --relationships={r}" for r in rel_files]
    return "\n".join([
        "#!/bin/sh",
        "# Import this folder into an empty Neo4j 5 database (stop the database first).",
        "# Text may span lines, hence --multiline-fields.  The database name defaults to",
        "# neo4j; set NEO4J_DATABASE to choose another.",
        "set -e",
        'cd "$(dirname "$0")"',
        "neo4j-admin database import full --overwrite-destination=true \\",
        "  --multiline-fields=true --id-type=string \\",
        " \\\n".join(args) + " \\",
        '  "${NEO4J_DATABASE:-neo4j}"',
        "",
    ])


def _write_csv(path: Path, header: list[str], rows: Iterator[list[Any]] | Any) -> None:
    """CSV as neo4j-admin reads it: strings always quoted ("" inside), absent values empty."""
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(csv_cell(v) for v in row) + "\n")


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------


def export(fmt: str, out: Path, *, ladybug_path: Path, rdf_path: Path, base: str
           ) -> ExportResult:
    """Write one export; RDF formats read the RDF store, the others the embedded graph."""
    from store.ladybug import open_store as open_graph
    from store.oxigraph import open_store as open_rdf

    if fmt in ("ttl", "jsonld"):
        with open_rdf(rdf_path, base=base, read_only=True) as rdf:
            return export_turtle(rdf, out) if fmt == "ttl" else export_jsonld(rdf, out)
    if fmt in ("graphml", "gexf", "neo4j-csv"):
        with open_graph(ladybug_path, read_only=True) as store:
            if fmt == "graphml":
                return export_graphml(store, out, base)
            if fmt == "gexf":
                return export_gexf(store, out, base)
            return export_neo4j_csv(store, out)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
