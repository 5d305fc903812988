"""SHACL validation of the RDF data against ``ontology/shapes.ttl`` (pyshacl).

The shapes say what every entity must and may say (a six-digit region code, one document per
amount, a measure from the controlled list …).  Validation reads the instance data only — the
default graph of the store, which is what the shapes target; the ontology graph holds no
instances.  The data names the class of every node explicitly, so no inference is needed
(``inference="none"``), which keeps validation a plain pass over the data.

pyshacl needs the rdflib API.  The data is copied out of the store into an in-memory rdflib
graph (N-Triples, the fastest format rdflib parses) rather than read through ``oxrdflib``:
pyshacl asks for triples pattern by pattern, and converting every term between the two
libraries on each call made validating the five sample documents take over ten minutes,
against seconds for the copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import DefaultGraph, RdfFormat
from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Namespace
from rdflib.term import BNode, Node

from ontology.vocabulary import SHAPES_FILE
from store.oxigraph import OxigraphStore

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    """One result of validation: which node, along which path, and what is wrong."""

    focus: str
    path: str | None
    message: str
    severity: str  # Violation | Warning | Info
    value: str | None = None
    shape: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"focus": self.focus, "path": self.path, "message": self.message,
                "severity": self.severity, "value": self.value, "shape": self.shape}


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g


def validate_graph(data: Graph) -> list[Violation]:
    """Every SHACL result for ``data``, violations and warnings alike, in a stable order."""
    _conforms, results, _report = shacl_validate(
        data, shacl_graph=shapes_graph(), inference="none", abort_on_first=False,
        allow_warnings=True, allow_infos=True, advanced=False)
    assert isinstance(results, Graph)
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        out.append(Violation(
            focus=_text(results.value(result, SH.focusNode)) or "",
            path=_path(results, results.value(result, SH.resultPath)),
            message=str(message) if message is not None else "",
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            value=_text(results.value(result, SH.value)),
            shape=_text(results.value(result, SH.sourceShape))))
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))


def validate_store(store: OxigraphStore) -> list[Violation]:
    """Validate the instance data of the RDF store (its default graph)."""
    return validate_graph(data_graph(store))


def data_graph(store: OxigraphStore) -> Graph:
    """The store's instance data as an in-memory rdflib graph."""
    text = store.store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()) or b""
    graph = Graph()
    graph.parse(data=text, format="nt")
    return graph


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return "(blank node)"
    return str(node)


def _path(results: Graph, node: Node | None) -> str | None:
    """A result path: an IRI, or ``^iri`` for an inverse path."""
    if node is None:
        return None
    if isinstance(node, BNode):
        inverse = results.value(node, SH.inversePath)
        return f"^{inverse}" if inverse is not None else "(complex path)"
    return str(node)
