"""Where extractors register: table kind → function, plus narrative passes."""

from __future__ import annotations

from collections.abc import Callable

from loaders.blocks import Paragraph, Table
from loaders.context import Context

TableExtractor = Callable[[Table, Context], None]
NarrativeExtractor = Callable[[list[Paragraph], Context], None]

TABLES: dict[str, TableExtractor] = {}
NARRATIVE: list[NarrativeExtractor] = []


def table_extractor(*kinds: str) -> Callable[[TableExtractor], TableExtractor]:
    """Register ``fn`` as the reader of tables of these kinds (see table_kinds.toml)."""

    def register(fn: TableExtractor) -> TableExtractor:
        for kind in kinds:
            if kind in TABLES:
                raise RuntimeError(f"two extractors for table kind {kind!r}")
            TABLES[kind] = fn
        return fn

    return register


def narrative_extractor(fn: NarrativeExtractor) -> NarrativeExtractor:
    """Register a pass over the document's paragraphs (figures stated in prose)."""
    NARRATIVE.append(fn)
    return fn
