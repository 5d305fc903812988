"""Readable HTML pages for entities (and for entities that are not there).

The page shell is ``api/templates/page.html`` (a ``string.Template``); everything printed
into it is escaped here.  A page shows the entity's properties, its provenance (document,
table, page, row) and its links grouped by relationship, each a link to the other entity's
own page, so a person can walk the graph with nothing but a browser.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import quote, urlencode

from api.entity import Entity

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "page.html"


@lru_cache(maxsize=1)
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def page(title: str, body: str, alternates: str = "", head: str = "") -> str:
    return _template().substitute(title=escape(title), body=body, alternates=alternates,
                                  head=head)


def _value(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:,.2f}" if not value.is_integer() or abs(value) >= 10_000 else f"{value:g}"
        return f'<span class="num">{escape(text)}</span>'
    return escape(str(value))


def _local(iri: str) -> str:
    """An IRI as a path on this server when it is one of ours (links keep working offline)."""
    marker = iri.find("/id/")
    return iri[marker:] if marker >= 0 else iri


def entity_page(entity: Entity) -> str:
    path = _local(entity.iri)
    formats = [("JSON", "json"), ("JSON-LD", "jsonld"), ("Turtle", "ttl")]
    alternates = "".join(f'<a href="{escape(path)}.{suffix}">{name}</a>'
                         for name, suffix in formats)
    head = "".join(
        f'<link rel="alternate" type="{media}" href="{escape(path)}.{suffix}">'
        for media, suffix in (("application/ld+json", "jsonld"), ("text/turtle", "ttl")))
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{_value(v)}</td></tr>"
                   for k, v in entity.properties.items())
    parts = [f'<div class="kind">{escape(entity.kind)}</div>',
             f"<h1>{escape(entity.label or entity.key)}</h1>",
             f'<div class="iri">{escape(entity.iri)}</div></header>',
             "<h2>Properties</h2>", f"<table>{rows}</table>"]
    if entity.provenance:
        parts.append("<h2>Provenance</h2><table>")
        doc = entity.provenance.get("document")
        if doc:
            parts.append(f'<tr><th>document</th><td><a href="{escape(_local(doc["iri"]))}">'
                         f'{escape(doc["label"])}</a></td></tr>')
        for name in ("table", "page", "row"):
            value = entity.provenance.get(name)
            if value is not None:
                parts.append(f"<tr><th>{name}</th><td>{_value(value)}</td></tr>")
        parts.append("</table>")
    if entity.groups:
        parts.append("<h2>Links</h2>")
    for group in entity.groups:
        arrow = "→" if group.direction == "out" else "←"
        items = [lk for lk in entity.links if (lk.rel, lk.direction, lk.kind)
                 == (group.rel, group.direction, group.kind)]
        lis = "".join(f'<li><a href="{escape(_local(lk.iri))}">{escape(lk.label or lk.key)}</a>'
                      "</li>" for lk in items)
        more = (f'<p class="more">{group.shown} of {group.count} shown</p>'
                if group.count > group.shown else "")
        parts.append(f"<h3>{arrow} {escape(group.rel)} ({escape(group.kind)}, "
                     f"{group.count})</h3><ul>{lis}</ul>{more}")
    return page(entity.label or entity.key, "\n".join(parts), alternates, head)


def not_found_page(kind: str, key: str, iri: str) -> str:
    search = "/search?" + urlencode({"q": key, "kind": kind})
    body = (f'<div class="kind">{escape(kind)}</div><h1>Not found</h1>'
            f'<div class="iri">{escape(iri)}</div></header>'
            f"<p>There is no {escape(kind)} with the key <code>{escape(key)}</code> in this "
            f'graph. <a href="{escape(search)}">Search for “{escape(key)}”</a> '
            f'(JSON), or look it up in the <a href="/">explorer</a>.</p>'
            f"<p>Keys are region and subject codes, <code>region-name</code> for departments, "
            f"printed project codes, or document hashes; the IRI of an entity is "
            f"<code>/id/{escape(kind)}/{escape(quote('{key}', safe='{}'))}</code>.</p>")
    return page("Not found", body)
