"""The property-graph vocabulary, derived from ``fiscal.ttl`` (parsed once, then cached).

``fiscal.ttl`` is the one source of the graph vocabulary.  This module reads it and answers:

* which node tables exist (label, primary key, properties with their engine types);
* which relationship tables exist (type and the (FROM label, TO label) pairs it connects);
* how the fields of ``ontology.records`` map onto both: a plain field is the node property of
  the same name; a field ending in ``_ref`` is the endpoint of a relationship (``RefField``).

How a ``_ref`` whose target can carry two labels is resolved (``Amount.of_ref`` → Unit or
Department, ``Project.run_by_ref``, ``Indicator.owner_ref``): the ontology lists the candidate
labels (``RefField.targets``) and the writer looks the id up among the nodes of each candidate
label (those in the document being written and those already stored).  Exactly one label must
hold it; none or two is an error of that document.  Where one class fixes the target
(``FunctionalSubject.broader_ref`` may only reach a FunctionalSubject) the ontology says so with
an ``owl:allValuesFrom`` restriction, which narrows the property's range for that class.

Engine-specific schema (Ladybug DDL, Neo4j constraints) is built from these tables by the
stores, never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

ONTOLOGY_FILE = Path(__file__).with_name("fiscal.ttl")
SHAPES_FILE = Path(__file__).with_name("shapes.ttl")
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")

FKG = Namespace("https://w3id.org/fiscal-kg/ontology#")
PG_TYPES = ("STRING", "INT64", "DOUBLE")


@dataclass(frozen=True)
class Property:
    """A node property: snake_case name, engine type and the RDF property it stands for."""

    name: str
    pg_type: str  # STRING | INT64 | DOUBLE
    iri: URIRef
    datatype: URIRef  # the xsd range in RDF


@dataclass(frozen=True)
class NodeTable:
    """A node label with its primary key and properties (key first, then by name)."""

    label: str
    key: str
    properties: tuple[Property, ...]
    iri: URIRef
    scheme: URIRef | None = None  # the skos:ConceptScheme its members are in, if any

    def prop(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(f"{self.label} has no property {name!r}")

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties)


@dataclass(frozen=True)
class RelTable:
    """A relationship type and every (FROM label, TO label) pair it connects."""

    type: str
    pairs: tuple[tuple[str, str], ...]
    iri: URIRef


@dataclass(frozen=True)
class RefField:
    """A ``_ref`` field of a record: the relationship it stands for and where it points.

    Normally the record is the relationship's source and the field names the target.  With
    ``inverse`` the field names the source (``Indicator.owner_ref``: the owner HAS_INDICATOR
    the indicator).  ``targets`` are the labels the named node may carry; ``iris`` the RDF
    properties to state, most specific first (e.g. fkg:functionalClassification, then
    fkg:classifiedAs).
    """

    record: str
    field: str
    rel_type: str
    targets: tuple[str, ...]
    inverse: bool
    iris: tuple[URIRef, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Everything derived from the ontology that stores and writers need."""

    nodes: dict[str, NodeTable]
    rels: dict[str, RelTable]
    refs: dict[tuple[str, str], RefField]  # (label, field) -> RefField

    def node(self, label: str) -> NodeTable:
        return self.nodes[label]

    def ref_fields(self, label: str) -> list[RefField]:
        """The ``_ref`` fields of one record class, in ontology order."""
        return [r for (lbl, _), r in self.refs.items() if lbl == label]

    def record_fields(self, label: str) -> set[str]:
        """Every record field the ontology accounts for on ``label`` (properties and refs)."""
        return set(self.nodes[label].property_names) | {f for (lbl, f) in self.refs if lbl == label}


# ------------------------------------------------------------------------------------------
# Derivation
# ------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The parsed ontology (cached: parsing is the slow part)."""
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    return g


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The property-graph vocabulary of ``fiscal.ttl`` (derived once per process)."""
    g = ontology_graph()
    labels = _class_labels(g)
    nodes = _node_tables(g, labels)
    refs = _ref_fields(g, labels)
    rels = _rel_tables(g, refs)
    return Vocabulary(nodes=nodes, rels=rels, refs=refs)


def _one(g: Graph, subject: Node, predicate: URIRef) -> str | None:
    value = g.value(subject, predicate)
    return str(value) if value is not None else None


def _classes(g: Graph, node: Node | None) -> list[URIRef]:
    """The classes named by a domain/range: one class or an ``owl:unionOf`` list."""
    if node is None:
        return []
    union = g.value(node, OWL.unionOf)
    if union is not None:
        return [c for c in Collection(g, union) if isinstance(c, URIRef)]
    return [node] if isinstance(node, URIRef) else []


def _class_labels(g: Graph) -> dict[URIRef, str]:
    """Class IRI -> property-graph label, for every class annotated with fkg:pgLabel."""
    out = {}
    for cls, label in g.subject_objects(FKG.pgLabel):
        if isinstance(cls, URIRef):
            out[cls] = str(label)
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def _node_tables(g: Graph, labels: dict[URIRef, str]) -> dict[str, NodeTable]:
    props: dict[str, list[Property]] = {label: [] for label in labels.values()}
    for prop in sorted(g.subjects(RDF.type, OWL.DatatypeProperty)):
        name, pg_type = _one(g, prop, FKG.pgName), _one(g, prop, FKG.pgType)
        if name is None or pg_type is None:
            continue
        if pg_type not in PG_TYPES:
            raise ValueError(f"{prop}: fkg:pgType {pg_type!r} is not one of {PG_TYPES}")
        datatype = g.value(prop, RDFS.range)
        for cls in _classes(g, g.value(prop, RDFS.domain)):
            label = labels[cls]
            if any(p.name == name for p in props[label]):
                raise ValueError(f"{label} has two properties named {name!r}")
            props[label].append(Property(name, pg_type, prop, datatype))  # type: ignore[arg-type]
    tables = {}
    for cls, label in labels.items():
        key = _one(g, cls, FKG.pgKey)
        by_name = {p.name: p for p in props[label]}
        if key not in by_name:
            raise ValueError(f"{label}: key {key!r} is not one of its properties")
        ordered = [by_name[key], *sorted((p for p in props[label] if p.name != key),
                                         key=lambda p: p.name)]
        tables[label] = NodeTable(label=label, key=key, properties=tuple(ordered), iri=cls,
                                  scheme=_scheme(g, cls))
    return tables


def _scheme(g: Graph, cls: URIRef) -> URIRef | None:
    """The concept scheme fixed by an ``owl:hasValue`` restriction on ``skos:inScheme``."""
    for restriction in g.objects(cls, RDFS.subClassOf):
        if g.value(restriction, OWL.onProperty) == SKOS.inScheme:
            value = g.value(restriction, OWL.hasValue)
            return value if isinstance(value, URIRef) else None
    return None


def _rel_type(g: Graph, prop: URIRef) -> tuple[str, list[URIRef]]:
    """A property's relationship type and the chain of properties up to the one that names it."""
    chain = [prop]
    while (name := _one(g, chain[-1], FKG.pgRelType)) is None:
        supers = [s for s in g.objects(chain[-1], RDFS.subPropertyOf)
                  if isinstance(s, URIRef) and s.startswith(str(FKG))]
        if not supers:
            raise ValueError(f"{prop}: no fkg:pgRelType on it or on a fiscal-kg super-property")
        chain.append(supers[0])
    return name, chain


def _restricted_targets(g: Graph, cls: URIRef, prop: URIRef) -> list[URIRef]:
    """``owl:allValuesFrom`` restrictions of ``cls`` on ``prop`` (they narrow the range)."""
    out = []
    for restriction in g.objects(cls, RDFS.subClassOf):
        if g.value(restriction, OWL.onProperty) == prop:
            out.extend(_classes(g, g.value(restriction, OWL.allValuesFrom)))
    return out


def _ref_fields(g: Graph, labels: dict[URIRef, str]) -> dict[tuple[str, str], RefField]:
    by_label = {label: iri for iri, label in labels.items()}
    refs: dict[tuple[str, str], RefField] = {}
    for prop in sorted(g.subjects(RDF.type, OWL.ObjectProperty)):
        fields = [(str(v), False) for v in g.objects(prop, FKG.recordField)]
        fields += [(str(v), True) for v in g.objects(prop, FKG.recordFieldInverse)]
        if not fields:
            continue
        rel_type, chain = _rel_type(g, prop)
        for qualified, inverse in sorted(fields):
            label, _, name = qualified.partition(".")
            if label not in by_label:
                raise ValueError(f"{prop}: record field {qualified!r} names no class")
            own_end = RDFS.range if inverse else RDFS.domain
            other_end = RDFS.domain if inverse else RDFS.range
            if by_label[label] not in _classes(g, g.value(prop, own_end)):
                end = "range" if inverse else "domain"
                raise ValueError(f"{prop}: {label} is not in its {end}")
            targets = (_restricted_targets(g, by_label[label], prop)
                       or _classes(g, g.value(prop, other_end)))
            if (label, name) in refs:
                raise ValueError(f"record field {qualified} is mapped twice")
            refs[(label, name)] = RefField(
                record=label, field=name, rel_type=rel_type,
                targets=tuple(labels[t] for t in targets), inverse=inverse, iris=tuple(chain))
    return refs


def _rel_tables(g: Graph, refs: dict[tuple[str, str], RefField]) -> dict[str, RelTable]:
    """Relationship tables: the pairs are exactly those some record field can produce."""
    pairs: dict[str, list[tuple[str, str]]] = {}
    iris: dict[str, URIRef] = {}
    for ref in refs.values():
        for target in ref.targets:
            pair = (target, ref.record) if ref.inverse else (ref.record, target)
            if pair not in pairs.setdefault(ref.rel_type, []):
                pairs[ref.rel_type].append(pair)
        iris[ref.rel_type] = ref.iris[-1]
    return {t: RelTable(type=t, pairs=tuple(sorted(p)), iri=iris[t])
            for t, p in sorted(pairs.items())}


# ------------------------------------------------------------------------------------------
# JSON-LD context
# ------------------------------------------------------------------------------------------

PREFIXES = {
    "fkg": str(FKG),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "qb": "http://purl.org/linked-data/cube#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "obeu-dimension": "http://data.openbudgets.eu/ontology/dsd/dimension/",
    "obeu-measure": "http://data.openbudgets.eu/ontology/dsd/measure/",
}


def _curie(iri: URIRef | str) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(ns) and prefix != "fkg":
            return f"{prefix}:{str(iri)[len(ns):]}"
    if str(iri).startswith(str(FKG)):
        return f"fkg:{str(iri)[len(str(FKG)):]}"
    return str(iri)


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context of the vocabulary: terms are the RDF local names (camelCase).

    ``ontology/context.jsonld`` is this dictionary written out; a test keeps them equal.
    """
    g = ontology_graph()
    terms: dict[str, object] = dict(PREFIXES)
    for table in vocabulary().nodes.values():
        terms[_local(table.iri)] = _curie(table.iri)
    for scheme in sorted({t.scheme for t in vocabulary().nodes.values() if t.scheme}):
        terms[_local(scheme)] = _curie(scheme)
    terms["inScheme"] = {"@id": "skos:inScheme", "@type": "@id"}
    for prop in sorted(g.subjects(RDF.type, OWL.ObjectProperty)):
        if str(prop).startswith(str(FKG)):
            terms[_local(prop)] = {"@id": _curie(prop), "@type": "@id"}
    for prop in sorted(g.subjects(RDF.type, OWL.DatatypeProperty)):
        if str(prop).startswith(str(FKG)):
            datatype = g.value(prop, RDFS.range)
            term: dict[str, str] = {"@id": _curie(prop)}
            if datatype is not None and datatype != XSD.string:
                term["@type"] = _curie(datatype)
            terms[_local(prop)] = term
    return {"@context": terms}


def _local(iri: URIRef | str) -> str:
    return str(iri).rsplit("#", 1)[-1]
