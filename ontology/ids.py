"""Stable keys for entities, built from the data and never from load order.

Every entity has the IRI ``{base}/id/{kind}/{key}`` and the same ``id`` in the property
graph.  Keys are readable where the data gives a natural one (region and subject codes,
printed project codes, department names) and derived from the document hash plus a
position for cells and indicators, so loading the same file twice yields the same keys
and two documents naming the same department or subject meet at the same node.
"""

from __future__ import annotations

import re
import unicodedata

# Kinds as they appear in IRIs, keyed by record class name.
KINDS: dict[str, str] = {
    "Region": "region",
    "Department": "department",
    "Unit": "unit",
    "Document": "document",
    "FunctionalSubject": "functional-subject",
    "EconomicSubject": "economic-subject",
    "Project": "project",
    "Indicator": "indicator",
    "Amount": "amount",
}

_SPACE = re.compile(r"\s+")
# Suffixes such as (常年性项目) or （一次性项目） that qualify a project name without renaming it.
_NAME_SUFFIX = re.compile(r"[\(（][^()（）]*项目[\)）]$")


def squash(text: str) -> str:
    """Remove all whitespace (printed codes and names carry stray spaces)."""
    return _SPACE.sub("", text)


def plain_name(name: str) -> str:
    """Project name in the form that matches across documents.

    Drops whitespace and a trailing qualifier like ``(常年性项目)`` and folds full-width
    forms, so ``区政府办政府会议专项 (常年性项目)`` and ``区政府办政府会议专项`` meet.
    """
    name = squash(unicodedata.normalize("NFKC", name))
    return _NAME_SUFFIX.sub("", name)


def department_key(region_code: str | None, name: str) -> str:
    """Departments are known by region and full name; printed codes are only local."""
    return f"{region_code or 'xx'}-{squash(name)}"


def unit_key(region_code: str | None, code: str | None, department_id: str, name: str) -> str:
    """Budget units by region + printed unit code when there is one, else by name."""
    if code:
        return f"{region_code or 'xx'}-{squash(code)}"
    return f"{department_id}-{squash(name)}"


def project_key(code: str | None, department_id: str, fiscal_year: int, name: str) -> str:
    """Printed project codes are nationally unique; otherwise department + year + plain name."""
    if code:
        return squash(code)
    return f"{department_id}-{fiscal_year}-{plain_name(name)}"


def document_key(sha256: str) -> str:
    """The content hash names the document: same bytes, same node."""
    return sha256[:16]


def cell_key(document_id: str, *position: object) -> str:
    """Amounts and indicators: document plus their position in it."""
    return "-".join([document_id, *(str(p) for p in position)])


# Characters an IRI path segment may hold as they are (RFC 3987 ipchar, less pct-encoded):
# ASCII letters and digits, - . _ ~, the sub-delims and : @.  Chinese text is ucschar and
# stays readable; everything else (space, / ? # %, quotes, controls) is percent-encoded.
_SEGMENT_ASCII = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")

# A fast check for keys that need no encoding (ASCII above, CJK and full-width forms).
_LEGAL_SEGMENT = re.compile(
    r"[A-Za-z0-9\-._~!$&'()*+,;=:@\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef]*")


def _ucschar(cp: int) -> bool:
    """RFC 3987 ucschar: the non-ASCII code points an IRI may carry unencoded."""
    if 0xA0 <= cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF:
        return True
    if 0x10000 <= cp <= 0xDFFFF:
        return (cp & 0xFFFF) <= 0xFFFD
    return 0xE1000 <= cp <= 0xEFFFD


def iri_segment(key: str) -> str:
    """A key as one IRI path segment: unchanged when legal, else percent-encoded (UTF-8).

    Keys come from printed text (project names), so a ``/`` or a space must not split or
    break the IRI; a server decoding the path gets the key back exactly.
    """
    if _LEGAL_SEGMENT.fullmatch(key):  # the usual case: codes, hashes, Chinese names
        return key
    out = []
    for ch in key:
        if ch in _SEGMENT_ASCII or (ord(ch) > 0x7F and _ucschar(ord(ch))):
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def iri(base: str, kind: str, key: str) -> str:
    """The linked-data IRI of an entity (the key percent-encoded where an IRI needs it)."""
    return f"{base.rstrip('/')}/id/{kind}/{iri_segment(key)}"
