"""Readers: one per document format, each turning a file into ``blocks``.

Text exports come in several shapes (tab-separated PDF text, one-cell-per-line DOCX text,
Markdown-like, broken PDF layout); each shape's reader says how well it fits a text
(``sniff``), and the best fit reads it.  Binary formats are chosen by their magic bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loaders.blocks import Block, ReadDocument


class ReadError(Exception):
    """A file that cannot be read as a disclosure; the message names the file and why."""


@dataclass(frozen=True)
class TextShape:
    name: str
    sniff: Callable[[str], float]  # 0 = not this shape … 1 = certainly this shape
    read: Callable[[str], list[Block]]


TEXT_SHAPES: list[TextShape] = []
BINARY_READERS: dict[bytes, Callable[[Path], tuple[list[Block], int | None]]] = {}


def text_shape(name: str, sniff: Callable[[str], float]):
    """Register a reader for one shape of text export."""

    def register(fn: Callable[[str], list[Block]]) -> Callable[[str], list[Block]]:
        TEXT_SHAPES.append(TextShape(name, sniff, fn))
        return fn

    return register


def binary_format(magic: bytes):
    """Register a reader for files starting with ``magic`` (e.g. b'%PDF')."""

    def register(fn: Callable[[Path], tuple[list[Block], int | None]]):
        BINARY_READERS[magic] = fn
        return fn

    return register


def _import_all() -> None:
    import importlib
    import pkgutil

    for m in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{m.name}")


def read(path: Path) -> ReadDocument:
    """Read any supported file into blocks; raise ReadError with a clear reason otherwise."""
    _import_all()
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{path.name}: cannot open ({e.strerror})") from e
    if not data.strip():
        raise ReadError(f"{path.name}: the file is empty")
    sha = hashlib.sha256(data).hexdigest()
    for magic, reader in BINARY_READERS.items():
        if data.startswith(magic):
            blocks, pages = reader(path)
            return ReadDocument(source=path.name, sha256=sha, blocks=blocks, pages=pages)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(f"{path.name}: not a PDF, DOCX, XLSX or UTF-8 text file") from e
    if not TEXT_SHAPES:
        raise ReadError(f"{path.name}: no text reader is installed")
    best = max(TEXT_SHAPES, key=lambda s: s.sniff(text))
    if best.sniff(text) <= 0:
        raise ReadError(f"{path.name}: text does not look like a budget disclosure")
    return ReadDocument(source=path.name, sha256=sha, blocks=best.read(text))
