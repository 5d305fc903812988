"""Records → rows: what one document contributes to the property graph, engine-neutral.

Each record becomes one node row (its plain fields, converted to the engine type the
ontology gives them) and one edge per filled ``_ref`` field.  Edges carry the id they point
to but not yet the label of that node: a ref such as ``Amount.of_ref`` may name a Unit or a
Department, and only the writer — which can also see the nodes already stored — decides.

Also here: the CSV dialect the bulk loader reads (strings always quoted, empty = null).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ontology.records import DocumentRecords
from ontology.vocabulary import Property, RefField, Vocabulary, vocabulary

Row = dict[str, object]


class StagingError(ValueError):
    """A record that cannot become a node: missing key, or a value of the wrong type."""


@dataclass(frozen=True)
class Edge:
    """One filled ``_ref`` field: ``record_id`` (of a ``ref.record`` node) names ``target_id``."""

    ref: RefField
    record_id: str
    target_id: str


@dataclass
class DocumentRows:
    """Everything one document writes: node rows by label and key, and its edges."""

    document_id: str
    source: str
    nodes: dict[str, dict[str, Row]] = field(default_factory=dict)  # label -> key -> row
    edges: list[Edge] = field(default_factory=list)


def document_rows(doc: DocumentRecords, vocab: Vocabulary | None = None) -> DocumentRows:
    """Convert one document's records; raises StagingError naming the document and record."""
    vocab = vocab or vocabulary()
    rows = DocumentRows(document_id=doc.document.id, source=doc.document.source)
    for record in doc.entities():
        label = type(record).__name__
        if label not in vocab.nodes:
            raise StagingError(f"{rows.source}: {label} is not a class of the ontology")
        table = vocab.nodes[label]
        values = record_values(record)
        unknown = set(values) - vocab.record_fields(label)
        if unknown:
            raise StagingError(f"{rows.source}: {label} fields {sorted(unknown)} are not in the "
                               "ontology")
        key = values.get(table.key)
        if not isinstance(key, str) or not key.strip():
            raise StagingError(f"{rows.source}: a {label} has no {table.key} ({record!r})")
        where = f"{rows.source}: {label} {key}"
        row = {p.name: convert(values.get(p.name), p, where) for p in table.properties}
        bucket = rows.nodes.setdefault(label, {})
        bucket[key] = merge_row(bucket[key], row) if key in bucket else row
        for ref in vocab.ref_fields(label):
            target = values.get(ref.field)
            if target is None or target == "":
                continue
            if not isinstance(target, str):
                raise StagingError(f"{where}: {ref.field} must be an id string, not {target!r}")
            rows.edges.append(Edge(ref=ref, record_id=key, target_id=target))
    return rows


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """The dataclass fields of a record class, looked up once per class."""
    return tuple(f.name for f in dataclasses.fields(cls))


def record_values(record: object) -> dict[str, object]:
    """A record's fields by name, read shallowly.

    Record fields are all plain values (text, numbers, Decimal), so the deep copy that
    ``dataclasses.asdict`` makes of every value buys nothing and dominates staging time.
    """
    return {name: getattr(record, name) for name in _field_names(type(record))}


def convert(value: object, prop: Property, where: str) -> object:
    """A record value in the engine type of ``prop``; None and empty text stay absent."""
    if value is None:
        return None
    try:
        if prop.pg_type == "STRING":
            text = str(value)
            return text if text != "" else None
        if prop.pg_type == "INT64":
            if isinstance(value, bool):
                raise TypeError("a boolean is not an integer")
            number = Decimal(str(value))
            if number != number.to_integral_value():
                raise ValueError("not a whole number")
            return int(number)
        if prop.pg_type == "DOUBLE":
            if isinstance(value, bool):
                raise TypeError("a boolean is not a number")
            return float(Decimal(str(value)))
    except (ArithmeticError, TypeError, ValueError) as e:
        raise StagingError(f"{where}: {prop.name}={value!r} is not {prop.pg_type} ({e})") from e
    raise StagingError(f"{where}: unknown engine type {prop.pg_type}")


def merge_row(old: Row, new: Row) -> Row:
    """Two rows for the same node: keep what the first says, fill its gaps from the second."""
    return {k: old.get(k) if old.get(k) is not None else new.get(k) for k in old.keys() | new}


# ------------------------------------------------------------------------------------------
# CSV for the bulk loader
# ------------------------------------------------------------------------------------------

COPY_OPTIONS = "header=true, delim=',', quote='\"', escape='\"'"


def csv_cell(value: object) -> str:
    """One CSV cell: strings always quoted (so '' stays an empty string), None empty (null)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bool:
    """Write rows under a header; returns True if some text spans lines.

    The loader's parallel CSV reader cannot split quoted newlines, so such files must be
    read serially (``parallel=false``).
    """
    multiline = False
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for row in rows:
            cells = [csv_cell(v) for v in row]
            if not multiline and any(isinstance(v, str) and ("\n" in v or "\r" in v)
                                     for v in row):
                multiline = True
            f.write(",".join(cells) + "\n")
    return multiline
