"""What every reader produces: tables and paragraphs in reading order.

Readers differ by format (PDF, DOCX, XLSX, the text exports of the seeds); everything
after them works on these two shapes only, so a recogniser never asks where a table came
from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A table as printed: its title, the cells row by row, and where it was found.

    ``rows`` holds header and body rows alike, each a list of cell strings ('' for an
    empty cell).  ``caption`` keeps the short lines printed between the title and the
    grid (部门：…, 金额单位：万元, 表3 …) and ``notes`` the lines printed after it
    (空表说明 …), because both carry meaning (unit of money, emptiness).
    """

    title: str
    rows: list[list[str]]
    page: int | None = None
    # 1-based line of the title in a text export; other readers number tables in reading
    # order.  Together with row and column it keys the cells, so it must be stable.
    line: int | None = None
    caption: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Paragraph:
    """A run of narrative text (headings included), kept for the narrative recognisers."""

    text: str
    page: int | None = None
    line: int | None = None
    heading: bool = False


Block = Table | Paragraph


@dataclass
class ReadDocument:
    """A document after reading: its blocks plus what identifies the file."""

    source: str  # file name as given
    sha256: str
    blocks: list[Block]
    pages: int | None = None

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def text(self) -> str:
        """All paragraph text joined by newlines (for document-level detection)."""
        return "\n".join(b.text for b in self.blocks if isinstance(b, Paragraph))
