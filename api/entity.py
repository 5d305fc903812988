"""One entity of the property graph as the linked-data views show it.

An entity is found by its IRI kind and key (``/id/{kind}/{key}``), read with its own
properties and its links (every relationship the ontology allows for its label, both
directions), each link with a readable label.  A subject that classifies thousands of
amounts does not list them all: each (relationship, direction, label) group shows at most
``link_limit`` links and says how many there are.

The Cypher is plain (typed patterns, one per relationship pair, explicit properties) so it
runs on the embedded engine and on Neo4j alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.deps import GraphReader
from ontology import ids
from ontology.vocabulary import vocabulary
from store.ladybug import quote

KIND_LABEL: dict[str, str] = {kind: label for label, kind in ids.KINDS.items()}

# Properties read from a linked node to label it.
LABEL_PROPS: dict[str, tuple[str, ...]] = {
    "Region": ("name",),
    "Department": ("name",),
    "Unit": ("name",),
    "Document": ("title",),
    "FunctionalSubject": ("code", "name"),
    "EconomicSubject": ("code", "name"),
    "Project": ("name",),
    "Indicator": ("name",),
    "Amount": ("yuan", "measure", "category", "fiscal_year"),
}


def key_property(label: str) -> str:
    return vocabulary().node(label).key


def display_label(label: str, props: dict[str, Any]) -> str:
    """How a person reads the entity: its name, a subject's code and name, an amount's sum."""
    if label in ("FunctionalSubject", "EconomicSubject"):
        return " ".join(str(v) for v in (props.get("code"), props.get("name")) if v)
    if label == "Document":
        return str(props.get("title") or props.get("id") or "")
    if label == "Amount":
        yuan = props.get("yuan")
        money = f"{yuan:,.2f} 元" if isinstance(yuan, int | float) else "—"
        what = " ".join(str(v) for v in (props.get("fiscal_year"), props.get("measure"),
                                          props.get("category")) if v is not None)
        return f"{what}: {money}" if what else money
    return str(props.get("name") or props.get(key_property(label)) or "")


@dataclass
class Link:
    rel: str
    direction: str  # out | in
    kind: str
    key: str
    iri: str
    label: str
    node_label: str  # the property-graph label of the other end

    def as_dict(self) -> dict[str, str]:
        return {"rel": self.rel, "direction": self.direction, "kind": self.kind,
                "key": self.key, "iri": self.iri, "label": self.label}


@dataclass
class LinkGroup:
    """How many links of one relationship, direction and label there are (and are shown)."""

    rel: str
    direction: str
    kind: str
    count: int
    shown: int


@dataclass
class Entity:
    node_label: str
    kind: str
    key: str
    iri: str
    label: str
    properties: dict[str, Any]
    links: list[Link] = field(default_factory=list)
    groups: list[LinkGroup] = field(default_factory=list)
    provenance: dict[str, Any] | None = None


def _returns(var: str, props: list[str]) -> str:
    return ", ".join(f"{var}.{quote(p)} AS {quote(p)}" for p in props)


def find(graph: GraphReader, label: str, key: str) -> dict[str, Any] | None:
    """The properties of one node (absent values left out), or None."""
    table = vocabulary().node(label)
    props = list(table.property_names)
    rows = graph.query(f"MATCH (n:{quote(label)} {{{quote(table.key)}: $key}}) "
                       f"RETURN {_returns('n', props)} LIMIT 1", {"key": key})
    if not rows:
        return None
    return {k: v for k, v in rows[0].items() if v is not None}


def link_pairs(label: str) -> list[tuple[str, str, str]]:
    """(relationship, direction, other label) for every pair the ontology allows."""
    out = []
    for rel in vocabulary().rels.values():
        for a, b in rel.pairs:
            if a == label:
                out.append((rel.type, "out", b))
            if b == label:
                out.append((rel.type, "in", a))
    return out


def links(graph: GraphReader, base: str, label: str, key: str, limit: int
          ) -> tuple[list[Link], list[LinkGroup]]:
    """The node's links, at most ``limit`` per group, ordered by the other end's key."""
    key_prop = quote(key_property(label))
    found: list[Link] = []
    groups: list[LinkGroup] = []
    for rel, direction, other in link_pairs(label):
        arrow = f"-[:{quote(rel)}]->" if direction == "out" else f"<-[:{quote(rel)}]-"
        pattern = f"(n:{quote(label)} {{{key_prop}: $key}}){arrow}(m:{quote(other)})"
        count = graph.query(f"MATCH {pattern} RETURN count(m) AS n", {"key": key})
        total = int(count[0]["n"]) if count else 0
        if not total:
            continue
        other_key = key_property(other)
        props = list(dict.fromkeys((other_key, *LABEL_PROPS[other])))
        rows = graph.query(f"MATCH {pattern} RETURN {_returns('m', props)} "
                           f"ORDER BY {quote(other_key)} LIMIT $limit",
                           {"key": key, "limit": limit})
        kind = ids.KINDS[other]
        for row in rows:
            k = str(row[other_key])
            found.append(Link(rel=rel, direction=direction, kind=kind, key=k,
                              iri=ids.iri(base, kind, k), label=display_label(other, row),
                              node_label=other))
        groups.append(LinkGroup(rel=rel, direction=direction, kind=kind, count=total,
                                shown=len(rows)))
    return found, groups


def provenance(label: str, props: dict[str, Any], found: list[Link]) -> dict[str, Any] | None:
    """Where the entity was read: its document, and the table, page and row if printed."""
    document = next(({"iri": lk.iri, "label": lk.label} for lk in found
                     if lk.rel == "REPORTED_IN" and lk.direction == "out"), None)
    if label == "Document":
        return None
    table, page, row = props.get("table"), props.get("page"), props.get("row")
    if document is None and table is None:
        return None
    return {"document": document, "table": table, "page": page, "row": row}


def fetch(graph: GraphReader, base: str, kind: str, key: str, link_limit: int
          ) -> Entity | None:
    """The entity ``/id/{kind}/{key}``, or None if there is none."""
    label = KIND_LABEL[kind]
    props = find(graph, label, key)
    if props is None:
        return None
    found, groups = links(graph, base, label, key, link_limit)
    return Entity(node_label=label, kind=kind, key=key, iri=ids.iri(base, kind, key),
                  label=display_label(label, props), properties=props, links=found,
                  groups=groups, provenance=provenance(label, props, found))
