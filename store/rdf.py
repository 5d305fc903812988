"""Records → RDF: the triples one document contributes, derived from the ontology.

Everything here is read off ``fiscal.ttl`` through ``ontology.vocabulary``: the class of each
record, the RDF property of each field, the relationship of each ``_ref`` field.  Nothing
names a property by hand except the few standard terms the ontology's alignments call for
(``skos:inScheme``, ``skos:prefLabel``, the language tag).

What a node says, and why:

* ``rdf:type`` its fiscal class and every named super-class the ontology declares (an Amount
  is also a ``qb:Observation`` and a ``prov:Entity``, a Unit an ``org:OrganizationalUnit``, a
  subject a ``skos:Concept``).
* Each value under its fiscal property (``fkg:yuan``, ``fkg:code`` …) and under every
  super-property the ontology declares for it (``skos:notation`` for codes,
  ``obeu-measure:amount`` for yuan, ``dcterms:identifier`` for ids …).  Relationships likewise:
  ``fkg:unitOf`` and ``org:subOrganizationOf``, ``fkg:reportedIn`` and ``prov:wasDerivedFrom``,
  ``fkg:functionalClassification``, ``fkg:classifiedAs`` and ``dcterms:subject``.  The store
  does no reasoning, so these entailments are written out: a client that knows only SKOS, ORG,
  PROV or the Data Cube finds the data without knowing fiscal-kg.  Queries of the project are
  written against the fiscal properties, which are always present.
* Names and titles are plain ``xsd:string`` under ``fkg:name``/``fkg:title`` (the shapes
  require it) and Chinese text tagged ``@zh`` under ``rdfs:label``/``dcterms:title`` (and
  ``skos:prefLabel`` for subjects), the form label-aware tools expect.
* Subjects sit in their concept scheme (``skos:inScheme``).
* Money is ``xsd:decimal`` in 元, with the exact digits of the ``Decimal``; years, levels,
  pages and rows are ``xsd:integer``.

IRIs are ``{base}/id/{kind}/{key}`` (``ontology.ids.iri``; keys percent-encoded only where an
IRI needs it, so Chinese names stay readable).  Values the document does not print are
absent, never empty strings or zeros.

Triples are produced as N-Triples lines: building terms as Python objects costs more than
the store spends inserting them, and N-Triples is what both the store's loaders and rdflib
read fastest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from rdflib import RDFS, SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS, XSD

from ontology import ids
from ontology.records import DocumentRecords
from ontology.vocabulary import RefField, Vocabulary, ontology_graph, vocabulary

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TYPE_TERM = f"<{RDF_TYPE}>"
_IN_SCHEME_TERM = f"<{SKOS.inScheme}>"
_STRING = str(XSD.string)
LANGUAGE = "zh"  # the language of every name and title in the disclosures
# Super-properties whose values are text for people: stated as language-tagged literals.
TEXT_PROPERTIES = frozenset({str(RDFS.label), str(DCTERMS.title), str(SKOS.prefLabel)})
MAX_LISTED = 5  # problems named per rejected document

Exists = Callable[[str, str], bool]  # (label, key) -> is that node already stored?


class RdfError(ValueError):
    """A document whose records cannot become triples; the message names it and why."""


# ------------------------------------------------------------------------------------------
# The mapping, derived once from the ontology
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PropertyTerms:
    """How one record field is stated: its fiscal property, then the entailed ones."""

    name: str  # record field / property-graph property
    fiscal: str  # IRI
    datatype: str  # IRI of the xsd range
    also: tuple[str, ...]  # super-properties stated with the same literal
    also_text: tuple[str, ...]  # super-properties stated as @zh text


@dataclass(frozen=True)
class ClassTerms:
    """One record class: its IRI kind, key field, types, scheme and properties."""

    label: str
    kind: str  # the IRI path segment: region, functional-subject …
    key: str
    iri: str
    types: tuple[str, ...]  # the fiscal class first
    scheme: str | None
    properties: tuple[PropertyTerms, ...]


@dataclass(frozen=True)
class RefTerms:
    """One ``_ref`` field and the properties its relationship is stated with."""

    ref: RefField
    predicates: tuple[str, ...]  # the most specific fiscal property first


@dataclass(frozen=True)
class Mapping:
    classes: dict[str, ClassTerms]
    refs: dict[tuple[str, str], RefTerms]
    vocab: Vocabulary

    def refs_of(self, label: str) -> list[RefTerms]:
        return [r for (lbl, _), r in self.refs.items() if lbl == label]


def _closure(g: Graph, start: URIRef, relation: URIRef) -> list[URIRef]:
    """``start`` and every named node reachable over ``relation`` (sub-class/property chains)."""
    seen: list[URIRef] = [start]
    i = 0
    while i < len(seen):
        for parent in sorted(g.objects(seen[i], relation)):
            if isinstance(parent, URIRef) and parent not in seen:
                seen.append(parent)
        i += 1
    return seen


@lru_cache(maxsize=1)
def mapping() -> Mapping:
    """The record → RDF mapping of ``fiscal.ttl`` (derived once per process)."""
    g, vocab = ontology_graph(), vocabulary()
    classes: dict[str, ClassTerms] = {}
    for label, table in vocab.nodes.items():
        types = _closure(g, table.iri, RDFS.subClassOf)
        concept = SKOS.Concept in types
        props = []
        for p in table.properties:
            supers = [str(s) for s in _closure(g, p.iri, RDFS.subPropertyOf)[1:]]
            text = [s for s in supers if s in TEXT_PROPERTIES]
            if concept and str(RDFS.label) in supers:
                text.append(str(SKOS.prefLabel))
            props.append(PropertyTerms(
                name=p.name, fiscal=str(p.iri), datatype=str(p.datatype),
                also=tuple(s for s in supers if s not in TEXT_PROPERTIES),
                also_text=tuple(text)))
        classes[label] = ClassTerms(
            label=label, kind=ids.KINDS[label], key=table.key, iri=str(table.iri),
            types=tuple(str(t) for t in types),
            scheme=str(table.scheme) if table.scheme else None, properties=tuple(props))
    refs: dict[tuple[str, str], RefTerms] = {}
    for key, ref in vocab.refs.items():
        predicates: list[str] = []
        for prop in ref.iris:
            predicates.extend(str(p) for p in _closure(g, prop, RDFS.subPropertyOf)
                              if str(p) not in predicates)
        refs[key] = RefTerms(ref=ref, predicates=tuple(predicates))
    return Mapping(classes=classes, refs=refs, vocab=vocab)


def node_iri(base: str, label: str, key: str) -> str:
    """The IRI of the ``label`` node with primary key ``key``."""
    return ids.iri(base, ids.KINDS[label], key)


# ------------------------------------------------------------------------------------------
# N-Triples terms
# ------------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def iri_term(iri: str) -> str:
    return f"<{iri}>"


def literal_term(lexical: str, datatype: str | None = None, language: str | None = None
                 ) -> str:
    """A literal in N-Triples: ``"…"^^<datatype>``, ``"…"@lang`` or ``"…"`` (xsd:string)."""
    quoted = '"' + lexical.translate(_ESCAPES) + '"'
    if language:
        return f"{quoted}@{language}"
    if datatype and datatype != _STRING:
        return f"{quoted}^^<{datatype}>"
    return quoted


def line(s: str, p: str, o: str) -> str:
    """One N-Triples statement (terms already in N-Triples form)."""
    return f"{s} {p} {o} .\n"


# ------------------------------------------------------------------------------------------
# One document's triples
# ------------------------------------------------------------------------------------------


@dataclass
class DocumentGraph:
    """What one document says in RDF, as N-Triples lines.

    ``facts`` are stated whatever the store holds (types, schemes, relationships: sets, so
    stating them again changes nothing).  ``values`` are grouped by (node IRI, fiscal
    property IRI): a group is stated only if the store has no value yet for that node and
    property, so a value already stored is never joined by a second, different one.
    """

    document_id: str
    source: str
    facts: list[str] = field(default_factory=list)
    values: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)  # node IRI -> label
    nodes: dict[str, set[str]] = field(default_factory=dict)  # label -> keys it defines

    def lines(self) -> list[str]:
        """Every statement, as written into an empty store."""
        return [*self.facts, *(t for group in self.values.values() for t in group)]


def document_graph(doc: DocumentRecords, base: str, exists: Exists | None = None
                   ) -> DocumentGraph:
    """The triples of one document; raises RdfError naming the document and what is wrong.

    Relationships are resolved as the embedded writer resolves them: the node a ``_ref``
    names must be one of this document's own nodes or a stored one (``exists``), under
    exactly one of the labels the ontology allows.
    """
    m = mapping()
    exists = exists or (lambda _label, _key: False)
    out = DocumentGraph(document_id=doc.document.id, source=doc.document.source)
    pending: list[tuple[RefTerms, str, str]] = []  # (ref, record key, target key)
    for record in doc.entities():
        label = type(record).__name__
        if label not in m.classes:
            raise RdfError(f"{out.source}: {label} is not a class of the ontology")
        terms = m.classes[label]
        values = _fields(record)
        unknown = set(values) - m.vocab.record_fields(label)
        if unknown:
            raise RdfError(f"{out.source}: {label} fields {sorted(unknown)} are not in the "
                           "ontology")
        key = values.get(terms.key)
        if not isinstance(key, str) or not key.strip():
            raise RdfError(f"{out.source}: a {label} has no {terms.key} ({record!r})")
        subject_iri = node_iri(base, label, key)
        subject = iri_term(subject_iri)
        out.nodes.setdefault(label, set()).add(key)
        out.subjects[subject_iri] = label
        out.facts.extend(line(subject, _TYPE_TERM, iri_term(t)) for t in terms.types)
        if terms.scheme is not None:
            out.facts.append(line(subject, _IN_SCHEME_TERM, iri_term(terms.scheme)))
        where = f"{out.source}: {label} {key}"
        for prop in terms.properties:
            value = values.get(prop.name)
            group = (subject_iri, prop.fiscal)
            if value is None or group in out.values:  # a node twice: its first value wins
                continue
            statements = property_lines(subject, prop, value, where)
            if statements:
                out.values[group] = statements
        for ref_terms in m.refs_of(label):
            target = values.get(ref_terms.ref.field)
            if target is None or target == "":
                continue
            if not isinstance(target, str):
                raise RdfError(f"{where}: {ref_terms.ref.field} must be an id string, not "
                               f"{target!r}")
            pending.append((ref_terms, key, target))
    problems: list[str] = []
    for ref_terms, key, target in pending:
        ref = ref_terms.ref
        labels = [t for t in ref.targets if target in out.nodes.get(t, ()) or exists(t, target)]
        if len(labels) != 1:
            what = "no" if not labels else "more than one"
            problems.append(f"{ref.record} {key}: {ref.field}={target!r} names {what} "
                            f"{' or '.join(ref.targets)}")
            continue
        record_node = iri_term(node_iri(base, ref.record, key))
        target_node = iri_term(node_iri(base, labels[0], target))
        s, o = (target_node, record_node) if ref.inverse else (record_node, target_node)
        out.facts.extend(line(s, iri_term(p), o) for p in ref_terms.predicates)
    if problems:
        listed = "; ".join(problems[:MAX_LISTED])
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise RdfError(f"{out.source}: rejected, {len(problems)} reference(s) to no node: "
                       f"{listed}{more}")
    return out


def _fields(record: object) -> dict[str, object]:
    """A record's fields by name (shallow: ``dataclasses.asdict`` deep-copies every value)."""
    return {f.name: getattr(record, f.name)
            for f in dataclasses.fields(record)}  # type: ignore[arg-type]


def property_lines(subject: str, prop: PropertyTerms, value: object, where: str) -> list[str]:
    """One field's statements: the fiscal property first, then its super-properties."""
    lexical = lexical_form(value, prop.datatype, f"{where}: {prop.name}")
    if lexical is None:
        return []
    literal = literal_term(lexical, prop.datatype)
    out = [line(subject, iri_term(prop.fiscal), literal)]
    out.extend(line(subject, iri_term(p), literal) for p in prop.also)
    if prop.also_text:
        text = literal_term(lexical, language=LANGUAGE)
        out.extend(line(subject, iri_term(p), text) for p in prop.also_text)
    return out


_INTEGER, _DECIMAL = str(XSD.integer), str(XSD.decimal)


def lexical_form(value: object, datatype: str, where: str) -> str | None:
    """The literal text of a record value in ``datatype``; None for absent values.

    Decimals keep their exact digits (``Decimal``, never a float) and are written without an
    exponent, which xsd:decimal does not allow.
    """
    if value is None:
        return None
    try:
        if datatype == _INTEGER:
            if isinstance(value, bool):
                raise TypeError("a boolean is not an integer")
            number = Decimal(str(value))
            if number != number.to_integral_value():
                raise ValueError("not a whole number")
            return str(int(number))
        if datatype == _DECIMAL:
            if isinstance(value, bool):
                raise TypeError("a boolean is not a number")
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValueError("not a finite number")
            return format(number, "f")
    except (ArithmeticError, InvalidOperation, TypeError, ValueError) as e:
        raise RdfError(f"{where}={value!r} is not {datatype.rsplit('#', 1)[-1]} ({e})") from e
    text = str(value)
    return text if text != "" else None


def records_ntriples(batch: Iterable[DocumentRecords], base: str) -> str:
    """The N-Triples of documents as written into an empty store (no store needed).

    Refs resolve against the documents given, earlier ones first; a node's first value wins;
    statements repeated by several documents appear once.  Used to validate records that are
    not stored, and by tests.
    """
    known: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()
    out: dict[str, None] = {}
    for doc in batch:
        graph = document_graph(doc, base, lambda label, key: key in known.get(label, ()))
        out.update(dict.fromkeys(graph.facts))
        for group, statements in graph.values.items():
            if group not in seen:
                seen.add(group)
                out.update(dict.fromkeys(statements))
        for label, keys in graph.nodes.items():
            known.setdefault(label, set()).update(keys)
    return "".join(out)
