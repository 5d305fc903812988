"""SPARQL results as the SPARQL 1.1 result formats: JSON, CSV and TSV.

Terms are pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``) or None for an unbound
variable.  JSON follows "SPARQL 1.1 Query Results JSON Format" and adds ``truncated`` at the
top level when rows were cut at the row limit (clients that do not know it ignore it).  CSV
gives plain values (lossy, as the standard says); TSV gives terms in Turtle syntax.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = dict[str, Any]


def term_json(term: Any) -> dict[str, str] | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def select_json(variables: list[str], rows: Iterable[Row], truncated: bool) -> dict[str, Any]:
    bindings = []
    for row in rows:
        binding = {}
        for var in variables:
            value = term_json(row.get(var))
            if value is not None:
                binding[var] = value
        bindings.append(binding)
    out: dict[str, Any] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if truncated:
        out["truncated"] = True
    return out


def ask_json(value: bool) -> dict[str, Any]:
    return {"head": {}, "boolean": value}


def _plain(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def select_csv(variables: list[str], rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_plain(row.get(v)) for v in variables])
    return buffer.getvalue()


def _turtle(term: Any) -> str:
    if term is None:
        return ""
    text = str(term)  # pyoxigraph prints terms in N-Triples syntax
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def select_tsv(variables: list[str], rows: Iterable[Row]) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend("\t".join(_turtle(row.get(v)) for v in variables) for row in rows)
    return "\n".join(lines) + "\n"
