"""Pages per second of the PDF reader, against pypdfium2 text extraction as the floor.

The reader (pdfplumber: ruled tables, text lines, titles, continuations) does far more
than pull text out of a page; pypdfium2's plain text extraction of the same pages is the
fastest anything can read them, so the ratio says what the table work costs.

    .venv/bin/python bench/pdf_pages.py [FOLDER_OR_PDF ...]   # default: tests/fixtures/corpus
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pypdfium2

from loaders.readers.pdf import read_pdf

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "corpus"


def pdfs(args: list[str]) -> list[Path]:
    paths = [Path(a) for a in args] or [DEFAULT]
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.glob("*.pdf")) if p.is_dir() else [p])
    return out


def pdfium_text(path: Path) -> int:
    """Extract every page's text with pypdfium2; returns the number of pages."""
    doc = pypdfium2.PdfDocument(str(path))
    try:
        for page in doc:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(doc)
    finally:
        doc.close()


def main(args: list[str]) -> None:
    files = pdfs(args)
    total_pages = 0
    reader_s = pdfium_s = 0.0
    print(f"{'file':60} {'pages':>5} {'reader p/s':>10} {'pdfium p/s':>10}")
    for f in files:
        t0 = time.perf_counter()
        _, pages = read_pdf(f)
        t1 = time.perf_counter()
        pdfium_text(f)
        t2 = time.perf_counter()
        total_pages += pages
        reader_s += t1 - t0
        pdfium_s += t2 - t1
        print(f"{f.name[:60]:60} {pages:5d} {pages / (t1 - t0):10.1f} {pages / (t2 - t1):10.1f}")
    if not files:
        print("no PDF found")
        return
    print(f"{'all ' + str(len(files)) + ' files':60} {total_pages:5d} "
          f"{total_pages / reader_s:10.1f} {total_pages / pdfium_s:10.1f}")
    print(f"reader: {1000 * reader_s / total_pages:.0f} ms/page; "
          f"pypdfium2 text: {1000 * pdfium_s / total_pages:.1f} ms/page")


if __name__ == "__main__":
    main(sys.argv[1:])
