"""Per-document load reports: what was read, what was not, and what went wrong.

One ``DocumentReport`` per file given to ``fiscal-kg load``, built from its records (or from
the error that stopped it) and updated with the store's verdict: the tables recognised
(kind, page, amounts), the tables seen but not recognised, what was loaded, the identity
checks (which ran, and the findings of those that do not hold) and every problem.
``as_dict`` is the ``--json`` form; ``print_report`` the human one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from loaders import checks
from ontology.records import DocumentRecords

LOADED, FAILED = "loaded", "failed"


@dataclass
class DocumentReport:
    """The outcome of loading one file."""

    path: str
    status: str = LOADED  # loaded | failed
    error: str | None = None
    document_id: str | None = None
    title: str | None = None
    department: str | None = None
    fiscal_year: int | None = None
    kind: str | None = None
    tables_recognised: list[dict[str, object]] = field(default_factory=list)
    tables_not_recognised: list[dict[str, object]] = field(default_factory=list)
    amounts: int = 0
    projects: int = 0
    indicators: int = 0
    units: int = 0
    # {"run": [identity names], "errors": n, "rounding": n, "findings": [...]}
    identity_checks: dict[str, object] = field(default_factory=dict)
    problems: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == LOADED

    def fail(self, error: str) -> None:
        self.status, self.error = FAILED, error

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def failed(path: Path, error: str) -> DocumentReport:
    """A file that produced no records at all."""
    return DocumentReport(path=str(path), status=FAILED, error=error)


def identity_results(records: DocumentRecords) -> dict[str, object]:
    """Which identity checks ran on the document and what they found (the findings are
    also among the problems, as the load reported them)."""
    findings = checks.check_records(records)
    return {
        "run": [name for name, _ in checks.IDENTITIES],
        "errors": sum(1 for f in findings if f.severity == "error"),
        "rounding": sum(1 for f in findings if f.severity == "rounding"),
        "findings": [{"identity": f.identity, "severity": f.severity, "message": f.message,
                      "table": f.table, "page": f.page, "row": f.row} for f in findings],
    }


def from_records(path: Path, records: DocumentRecords) -> DocumentReport:
    """Summarise the records read from ``path`` (before they are written)."""
    doc = records.document
    return DocumentReport(
        path=str(path), document_id=doc.id, title=doc.title,
        department=records.departments[0].name if records.departments else None,
        fiscal_year=doc.fiscal_year, kind=doc.kind,
        tables_recognised=[
            {"title": t.title, "kind": t.kind, "page": t.page, "amounts": t.amounts,
             "empty": t.empty} for t in records.tables if t.kind is not None],
        tables_not_recognised=[
            {"title": t.title, "page": t.page, "line": t.line}
            for t in records.tables if t.kind is None],
        amounts=len(records.amounts), projects=len(records.projects),
        indicators=len(records.indicators), units=len(records.units),
        identity_checks=identity_results(records),
        problems=[{"severity": p.severity, "message": p.message, "table": p.table,
                   "page": p.page, "row": p.row} for p in records.problems],
    )


_STYLE = {"error": "red", "warning": "yellow", "rounding": "cyan"}


def print_report(console: Console, report: DocumentReport) -> None:
    """A few lines per document: verdict, tables, counts, then every problem."""
    name = escape(Path(report.path).name)
    if not report.ok:
        error = report.error or "failed"
        # the loaders' messages name the file already: say it once
        said = error.removeprefix(f"{Path(report.path).name}: ")
        console.print(f"[bold red]✗ {name}[/]: {escape(said)}")
        return
    kind = {"budget": "budget", "final_account": "final account"}.get(report.kind or "", "")
    console.print(f"[bold green]✓ {name}[/] — {escape(report.title or '')} "
                  f"[dim]({escape(report.department or '?')}, {report.fiscal_year} {kind})[/]")
    console.print(f"  tables: {len(report.tables_recognised)} recognised, "
                  f"{len(report.tables_not_recognised)} not recognised; "
                  f"{report.amounts} amounts, {report.projects} projects, "
                  f"{report.indicators} indicators, {report.units} units")
    for t in report.tables_recognised:
        where = f"p. {t['page']}" if t.get("page") is not None else "   "
        got = "empty" if t.get("empty") else f"{t['amounts']} amounts"
        console.print(f"  [dim]{where:>6}[/]  {escape(str(t['title']))} "
                      f"[dim]({t['kind']}: {got})[/]")
    for t in report.tables_not_recognised:
        where = f" (p. {t['page']})" if t.get("page") is not None else ""
        console.print(f"  [yellow]not recognised:[/] {escape(str(t['title']))}{where}")
    console.print("  " + _checks_line(report.identity_checks))
    for p in report.problems:
        where = ", ".join(str(x) for x in (
            p.get("table"), f"p. {p['page']}" if p.get("page") is not None else None,
            f"row {p['row']}" if p.get("row") is not None else None) if x)
        style = _STYLE.get(str(p["severity"]), "white")
        console.print(f"  [{style}]{p['severity']}[/]: {escape(str(p['message']))}"
                      + (f" [dim]({escape(where)})[/]" if where else ""))


def _checks_line(results: dict[str, object]) -> str:
    """``identity checks: 6 run, all hold`` or what does not hold."""
    run = results.get("run") or []
    errors, rounding = results.get("errors", 0), results.get("rounding", 0)
    head = f"identity checks: {len(run)} run"  # type: ignore[arg-type]
    if not errors and not rounding:
        return f"{head}, all hold"
    parts = [f"[red]{errors} not holding[/]"] if errors else []
    if rounding:
        parts.append(f"[cyan]{rounding} within rounding[/]")
    return f"{head}: {', '.join(parts)} (see below)"


def print_totals(console: Console, reports: list[DocumentReport]) -> None:
    loaded = [r for r in reports if r.ok]
    failed_ = [r for r in reports if not r.ok]
    line = (f"{len(loaded)} document(s) loaded: {sum(r.amounts for r in loaded)} amounts, "
            f"{sum(r.projects for r in loaded)} projects, "
            f"{sum(r.indicators for r in loaded)} indicators")
    if failed_:
        names = ", ".join(Path(r.path).name for r in failed_)
        line += f"; [bold red]{len(failed_)} failed[/]: {escape(names)}"
    console.print(line)
