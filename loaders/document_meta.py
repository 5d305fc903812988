"""Who published a document, where, for which year, and whether it is a budget or a final account.

Detected from the document's own text (title, 部门：/编制部门：/预算主管部门 lines), never from
its file name.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.blocks import ReadDocument
from ontology.records import Region


@dataclass(frozen=True)
class DocumentMeta:
    title: str  # e.g. 江油市人民政府办公室2024年部门预算
    department_name: str  # full name, e.g. 江油市人民政府办公室
    department_code: str | None  # as printed (301), when the document prints one
    region_code: str | None  # GB/T 2260, 6 digits
    fiscal_year: int
    kind: str  # budget | final_account


def detect(doc: ReadDocument) -> DocumentMeta:
    raise NotImplementedError


def region_chain(code: str | None) -> list[Region]:
    raise NotImplementedError
