"""``fiscal-kg check``: the identity checks over every amount in the store.

The checks themselves live in ``loaders.checks`` and work on ``Amount`` records; this
module reads the amounts back from the embedded graph (with the endpoints of their
relationships, which the checks need as ``_ref`` fields) and prints the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from fiscal_kg.config import settings
from loaders.checks import Finding, check_amounts, show
from ontology.records import Amount
from store.ladybug import StoreError, open_store

Query = Callable[[str, dict[str, Any]], list[dict[str, Any]]]

# One row per amount of one document.  Each endpoint has its own OPTIONAL MATCH (a chain of
# them is what both engines plan well); ``department`` is set when the amount is OF a
# Department node, which tells the checks that it is a department-level figure, not a unit's.
AMOUNTS_CYPHER = """
MATCH (a:Amount)-[:REPORTED_IN]->(d:Document {id: $document})
OPTIONAL MATCH (a)-[:OF]->(u:Unit)
OPTIONAL MATCH (a)-[:OF]->(dep:Department)
OPTIONAL MATCH (a)-[:CLASSIFIED_AS]->(f:FunctionalSubject)
OPTIONAL MATCH (a)-[:CLASSIFIED_AS]->(e:EconomicSubject)
OPTIONAL MATCH (a)-[:FOR_PROJECT]->(p:Project)
RETURN a.id AS id, a.yuan AS yuan, a.measure AS measure, a.category AS category,
       a.fund AS fund, a.fiscal_year AS fiscal_year, a.`table` AS `table`,
       a.table_kind AS table_kind, a.item AS item, a.printed AS printed,
       a.printed_unit AS printed_unit, a.page AS page, a.`row` AS `row`,
       d.id AS document_ref, coalesce(u.id, dep.id) AS of_ref, dep.id AS department,
       f.code AS functional_ref, e.code AS economic_ref, p.id AS project_ref
ORDER BY id
"""

DOCUMENTS_CYPHER = """
MATCH (d:Document)
RETURN d.id AS id, d.title AS title, d.source AS source
ORDER BY id
"""


def _money(value: object) -> Decimal:
    """A stored amount back to Decimal (stores keep 元 as a double; its repr is exact enough)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(
        value, float) else str(value))


def amounts_from_rows(rows: Iterable[dict[str, Any]]) -> tuple[list[Amount], set[str]]:
    """Rows of ``AMOUNTS_CYPHER`` as Amount records, plus the ids of department nodes."""
    amounts: list[Amount] = []
    departments: set[str] = set()
    for r in rows:
        if r.get("department"):
            departments.add(r["department"])
        amounts.append(Amount(
            id=r["id"], yuan=_money(r["yuan"]), measure=r["measure"], category=r["category"],
            fund=r["fund"], fiscal_year=r.get("fiscal_year") or 0, table=r["table"],
            table_kind=r.get("table_kind") or "", item=r.get("item"), printed=r.get("printed"),
            printed_unit=r.get("printed_unit"), page=r.get("page"), row=r.get("row"),
            of_ref=r.get("of_ref"), functional_ref=r.get("functional_ref"),
            economic_ref=r.get("economic_ref"), project_ref=r.get("project_ref"),
            document_ref=r.get("document_ref")))
    return amounts, departments


def check_store(query: Query) -> list[Finding]:
    """Run every identity over the amounts a store returns through ``query``.

    Identities never span documents, so the amounts are read one document at a time.
    """
    findings: list[Finding] = []
    for doc in query(DOCUMENTS_CYPHER, {}):
        rows = query(AMOUNTS_CYPHER, {"document": doc["id"]})
        amounts, departments = amounts_from_rows(rows)
        findings.extend(check_amounts(amounts, departments))
    return findings


def run_check(store_path: Path) -> list[Finding]:
    """The findings for everything loaded in the Ladybug store at ``store_path``."""
    with open_store(Path(store_path), read_only=True) as store:
        return check_store(store.query)


def document_names(query: Query) -> dict[str, str]:
    """Document id → the file it was loaded from (what a reader recognises)."""
    return {r["id"]: r.get("source") or r.get("title") or r["id"]
            for r in query(DOCUMENTS_CYPHER, {})}


def format_report(findings: list[Finding], names: dict[str, str] | None = None) -> str:
    """A plain-text report grouped by document: errors first, then rounding differences."""
    if not findings:
        return "All identities hold."
    names = names or {}
    lines: list[str] = []
    order = {"error": 0, "rounding": 1}
    by_doc: dict[str | None, list[Finding]] = {}
    for f in findings:
        by_doc.setdefault(f.document, []).append(f)
    for doc, items in by_doc.items():
        errors = sum(f.severity == "error" for f in items)
        lines.append(f"{names.get(doc or '', doc)}: {errors} error(s), "
                     f"{len(items) - errors} rounding difference(s)")
        for f in sorted(items, key=lambda f: (order.get(f.severity, 9), f.table or "",
                                              f.row or 0)):
            where = ", ".join(p for p in (
                f.table, f"p. {f.page}" if f.page is not None else None,
                f"row {f.row}" if f.row is not None else None) if p)
            lines.append(f"  [{f.severity}] {f.identity} — {where}")
            lines.append(f"      {f.message}")
            lines.append(f"      expected {show(f.expected, f.printed_unit)}, "
                         f"actual {show(f.actual, f.printed_unit)}")
    errors = sum(f.severity == "error" for f in findings)
    lines.append(f"{errors} error(s), {len(findings) - errors} rounding difference(s)")
    return "\n".join(lines)


def check_command(data: Path, json_out: bool) -> None:
    """Print the validation report for the data directory ``data``; exit 1 on any error.

    With ``json_out`` the report is a JSON array of finding objects on stdout and nothing
    else (money as decimal strings in 元).
    """
    path = settings(data).ladybug_path
    try:
        with open_store(path, read_only=True) as store:
            findings = check_store(store.query)
            names = document_names(store.query)
    except StoreError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from e
    if json_out:
        typer.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(findings, names))
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)
