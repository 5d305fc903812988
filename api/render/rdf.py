"""One entity as RDF (Turtle or JSON-LD), stated exactly as the RDF store states it.

The triples come from the property-graph entity through the RDF store's own term mapping
(``store.rdf.mapping``): the same classes and super-classes, the same fiscal properties and
the super-properties they entail (``skos:notation``, ``rdfs:label``@zh …), the same
predicates for each relationship.  Incoming links are included, so the page of a subject
says which subjects are narrower than it.  JSON-LD is compacted with the project's context
(``ontology/context.jsonld``), embedded so a client needs nothing else to expand it.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph
from rdflib.namespace import SKOS

from api.entity import Entity
from ontology.vocabulary import PREFIXES, jsonld_context
from store.rdf import RDF_TYPE, RdfError, iri_term, line, mapping, node_iri, property_lines


def link_predicates(rel: str, source: str, target: str) -> tuple[str, ...]:
    """The predicates a ``source -[rel]-> target`` relationship is stated with."""
    for terms in mapping().refs.values():
        ref = terms.ref
        if ref.rel_type != rel:
            continue
        if not ref.inverse and ref.record == source and target in ref.targets:
            return terms.predicates
        if ref.inverse and ref.record == target and source in ref.targets:
            return terms.predicates
    return ()


def ntriples(entity: Entity, base: str) -> str:
    """The entity's statements in N-Triples."""
    classes = mapping().classes[entity.node_label]
    subject = iri_term(entity.iri)
    out = [line(subject, iri_term(RDF_TYPE), iri_term(t)) for t in classes.types]
    if classes.scheme:
        out.append(line(subject, iri_term(str(SKOS.inScheme)), iri_term(classes.scheme)))
    for prop in classes.properties:
        value = entity.properties.get(prop.name)
        try:
            out.extend(property_lines(subject, prop, value, entity.iri))
        except RdfError:
            continue  # a stored value the ontology's type cannot state is left out
    for link in entity.links:
        other = iri_term(node_iri(base, link.node_label, link.key))
        if link.direction == "out":
            s, o, source, target = subject, other, entity.node_label, link.node_label
        else:
            s, o, source, target = other, subject, link.node_label, entity.node_label
        out.extend(line(s, iri_term(p), o) for p in link_predicates(link.rel, source, target))
    return "".join(dict.fromkeys(out))


def graph(entity: Entity, base: str) -> Graph:
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    g.parse(data=ntriples(entity, base), format="nt")
    return g


@lru_cache(maxsize=1)
def context() -> dict[str, object]:
    return jsonld_context()["@context"]  # type: ignore[return-value]


def turtle(entity: Entity, base: str) -> str:
    return graph(entity, base).serialize(format="turtle")


def jsonld(entity: Entity, base: str) -> str:
    return graph(entity, base).serialize(format="json-ld", context=context(), indent=2,
                                         ensure_ascii=False)
