"""One document in, one ``DocumentRecords`` out — or a clear error and nothing at all.

read (format reader) → detect who/where/when (document_meta) → recognise each table and
run its extractor → narrative passes → identity checks.  Any failure raises LoadError
naming the file, so the caller can report it and go on with the next document.
"""

from __future__ import annotations

from pathlib import Path

from loaders import checks, document_meta, kinds
from loaders.blocks import Paragraph, ReadDocument, Table
from loaders.context import Context
from loaders.readers import ReadError, read
from loaders.recognise import recognise, says_empty
from ontology import ids
from ontology.records import Department, Document, DocumentRecords, TableReport


class LoadError(Exception):
    """A document that could not be loaded; ``str()`` names the file and the reason."""


def load_document(path: Path) -> DocumentRecords:
    """Read one file into records.  Raises LoadError (never anything else) on failure."""
    try:
        doc = read(path)
        return records_from(doc)
    except (ReadError, LoadError, document_meta.MetaError) as e:
        raise LoadError(str(e)) from e
    except Exception as e:  # a reader or extractor bug must not abort the batch
        raise LoadError(f"{path.name}: could not be loaded ({type(e).__name__}: {e})") from e


def records_from(doc: ReadDocument) -> DocumentRecords:
    """Turn the blocks of a read document into records."""
    meta = document_meta.detect(doc)
    regions = document_meta.region_chain(meta.region_code)
    dept_id = ids.department_key(meta.region_code, meta.department_name)
    department = Department(id=dept_id, name=meta.department_name, code=meta.department_code,
                            region_ref=meta.region_code)
    document = Document(id=ids.document_key(doc.sha256), title=meta.title, kind=meta.kind,
                        fiscal_year=meta.fiscal_year, source=doc.source, sha256=doc.sha256,
                        department_ref=dept_id)
    records = DocumentRecords(document=document, regions=regions, departments=[department])
    ctx = Context(read=doc, records=records, department=department,
                  region_code=meta.region_code, fiscal_year=meta.fiscal_year, kind=meta.kind)
    for block in doc.blocks:
        if isinstance(block, Table):
            _extract_table(block, ctx)
    paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    for narrative in kinds.NARRATIVE:
        narrative(paragraphs, ctx)
    if not any(isinstance(b, Table) for b in doc.blocks):
        stated = len(ctx.records.amounts)
        ctx.problem("the document prints no tables (its tables may be published as a separate "
                    f"file): {stated} amounts were read from its text"
                    if stated else "the document prints no tables and its text states no "
                    "figures that could be read: nothing but the document itself is loaded")
    records = ctx.finish()
    # The identities the tables promise, reported with the load (rounding or error).
    records.problems.extend(checks.as_problems(checks.check_records(records), doc.source))
    return records


def _extract_table(table: Table, ctx: Context) -> None:
    kind = recognise(table)
    before = len(ctx.records.amounts)
    report = TableReport(title=table.title, kind=kind, page=table.page, line=table.line)
    ctx.records.tables.append(report)
    if kind is None:
        return
    extractor = kinds.TABLES.get(kind)
    if extractor is None:
        ctx.problem(f"table kind {kind!r} is recognised but has no extractor", table)
        return
    emitted_before = ctx.emitted()
    extractor(table, ctx)
    report.amounts = len(ctx.records.amounts) - before
    # Empty when the document says so or when a recognised table yields nothing at all.
    report.empty = says_empty(table) or ctx.emitted() == emitted_before
