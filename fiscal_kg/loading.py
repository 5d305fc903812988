"""Loading documents into the stores: the one orchestration the CLI and the API share.

Read each file into records (``loaders.pipeline``), write them in batches to the property
graph (embedded Ladybug, or Neo4j) and — for the embedded graph — to the RDF store beside
it, which takes exactly the documents the graph took so the two always hold the same
documents.  A document that cannot be read or written is reported by name; the others are
loaded all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fiscal_kg import config, report

SUPPORTED_SUFFIXES = (".txt", ".pdf", ".docx", ".xlsx")
WRITE_BATCH = 20  # documents per store transaction


class StoreOpenError(Exception):
    """A store could not be opened (locked, unreachable, corrupt); the message says which."""


@dataclass
class Stores:
    """The open stores one load writes to, and the graph writer that fits the engine."""

    graph: Any
    write_graph: Callable[[Any, Sequence[Any]], list[Any]]
    rdf: Any | None = None


@contextmanager
def open_stores(settings: config.Settings, engine: str = "ladybug") -> Iterator[Stores]:
    """Open the graph store of ``engine`` (and, for the embedded graph, the RDF store)."""
    from store.ladybug import StoreError
    from store.oxigraph import RdfStoreError

    try:
        if engine == "neo4j":
            import store.neo4j as neo4j_store

            graph: Any = neo4j_store.open_store(timeout_ms=settings.query_timeout_ms)
            stores = Stores(graph, neo4j_store.write)
        else:
            from store.ladybug import open_store
            from store.oxigraph import open_store as open_rdf
            from store.writer import write

            graph = open_store(settings.ladybug_path)
            try:
                rdf = open_rdf(settings.rdf_path, base=settings.base)
            except RdfStoreError:
                graph.close()
                raise
            stores = Stores(graph, write, rdf)
    except (StoreError, RdfStoreError) as e:
        raise StoreOpenError(str(e)) from e
    try:
        yield stores
    finally:
        if stores.rdf is not None:
            stores.rdf.close()
        stores.graph.close()


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[report.DocumentReport]]:
    """Supported files under ``paths`` (folders recursively, sorted); bad paths as failures.

    A file named explicitly with an unsupported suffix is a failure; inside a folder such
    files (README, images) are skipped, as are hidden files.
    """
    files: list[Path] = []
    bad: list[report.DocumentReport] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                bad.append(report.failed(path, f"{path.name}: unsupported file type "
                                               f"(supported: {' '.join(SUPPORTED_SUFFIXES)})"))
        else:
            bad.append(report.failed(path, f"{path}: no such file or folder"))
    return list(dict.fromkeys(files)), bad


def write_batch(stores: Stores, pending: Sequence[tuple[report.DocumentReport, Any]]) -> None:
    """Write read documents; a document a store refuses is marked failed in its report."""
    if not pending:
        return
    outcomes = stores.write_graph(stores.graph, [records for _, records in pending])
    for (rep, _), outcome in zip(pending, outcomes, strict=True):
        if not outcome.ok:
            rep.fail(outcome.error or "not written")
    written = [item for item, outcome in zip(pending, outcomes, strict=True) if outcome.ok]
    if stores.rdf is not None and written:
        rdf_outcomes = stores.rdf.write([records for _, records in written])
        for (rep, _), outcome in zip(written, rdf_outcomes, strict=True):
            if not outcome.ok:
                rep.fail(outcome.error or "not written to the RDF store")


def load_files(stores: Stores, files: Iterable[Path],
               on_file: Callable[[Path], None] | None = None,
               batch: int = WRITE_BATCH) -> list[report.DocumentReport]:
    """Read and write ``files`` in batches; one report per file, in order.

    ``on_file`` is called after each file is read (progress display).
    """
    from loaders.pipeline import LoadError, load_document

    reports: list[report.DocumentReport] = []
    pending: list[tuple[report.DocumentReport, Any]] = []
    for path in files:
        try:
            records = load_document(path)
        except LoadError as e:
            reports.append(report.failed(path, str(e)))
        else:
            rep = report.from_records(path, records)
            reports.append(rep)
            pending.append((rep, records))
            if len(pending) >= batch:
                write_batch(stores, pending)
                pending.clear()
        if on_file is not None:
            on_file(path)
    write_batch(stores, pending)
    return reports
