"""Figures stated in the prose of final accounts (江油 2020 and 潼南 2024)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.blocks import Paragraph, ReadDocument
from loaders.context import Context
from loaders.kinds.narrative_final import _resolve, extract_final_narrative
from loaders.pipeline import load_document
from ontology.records import Amount, Department, Document, DocumentRecords
from ontology.subjects import code_for

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU_2020 = SAMPLES / "510781_jiangyou_gov-office_2020_final.txt"
TONGNAN = SAMPLES / "500152_tongnan_gov-office_2024_final.txt"

# The 13 项 statements of 江油 2020: code, 万元 as printed, 完成预算 %.
ITEMS = [
    ("2010301", "881.48", "99.56"),
    ("2010302", "317.14", "96.60"),
    ("2010305", "25.00", "100"),
    ("2010350", "44.54", "99.82"),
    ("2010399", "40.00", "100"),
    ("2050803", "6.22", "91.74"),
    ("2080501", "58.49", "96.42"),
    ("2080502", "13.85", "95.52"),
    ("2080505", "78.10", "100"),
    ("2100410", "64.84", "100"),
    ("2101101", "29.69", "100"),
    ("2101102", "2.22", "100"),
    ("2210201", "55.85", "100"),
]


def wan(text: str) -> Decimal:
    return Decimal(text) * 10000


@pytest.fixture(scope="module")
def narrative() -> list[Amount]:
    records = load_document(JIANGYOU_2020)
    return [a for a in records.amounts if a.table_kind == "narrative_final"]


def one(amounts: list[Amount], category: str, fund: str, measure: str = "actual",
        functional: str | None = None) -> Amount:
    hits = [a for a in amounts if (a.category, a.fund, a.measure, a.functional_ref)
            == (category, fund, measure, functional)]
    assert len(hits) == 1, (category, fund, measure, functional, hits)
    return hits[0]


def test_the_thirteen_item_statements(narrative: list[Amount]) -> None:
    items = [a for a in narrative if a.functional_ref and len(a.functional_ref) == 7]
    assert [a.functional_ref for a in items] == [code for code, _, _ in ITEMS]
    for a, (code, printed, rate) in zip(items, ITEMS, strict=True):
        assert a.yuan == wan(printed), code
        assert a.execution_rate == Decimal(rate), code
        assert (a.measure, a.category, a.fund) == ("actual", "total", "general_public")
        assert (a.table, a.printed, a.printed_unit) == ("narrative", printed, "万元")
        assert a.fiscal_year == 2020
    first = items[0]
    assert first.yuan == Decimal(8814800)
    assert first.item == "一般公共服务（类）政府办公厅（室）及相关机构事务（款）行政运行（项）"


def test_class_statements(narrative: list[Amount]) -> None:
    """一般公共服务（类）支出 1308.16 万元 … stated once, restated in 附件1: loaded once."""
    classes = {a.functional_ref: a.yuan for a in narrative
               if a.functional_ref and len(a.functional_ref) == 3}
    assert classes == {"201": wan("1308.16"), "205": wan("6.22"), "208": wan("150.44"),
                       "210": wan("96.75"), "221": wan("55.85")}


def test_document_level_figures(narrative: list[Amount]) -> None:
    assert one(narrative, "income", "all").yuan == wan("1612.36")
    assert one(narrative, "income", "general_public").yuan == wan("1612.36")
    assert one(narrative, "total", "all").yuan == wan("1617.42")
    spent = one(narrative, "total", "general_public")
    assert (spent.yuan, spent.execution_rate) == (wan("1617.42"), Decimal("98.87"))
    assert one(narrative, "basic", "all").yuan == wan("1170.44")
    assert one(narrative, "basic", "general_public").yuan == wan("1170.44")
    assert one(narrative, "project", "all").yuan == wan("446.98")
    assert one(narrative, "personnel", "general_public").yuan == wan("1002.82")
    assert one(narrative, "public", "general_public").yuan == wan("167.62")
    three = one(narrative, "three_public", "general_public")
    assert (three.yuan, three.execution_rate) == (wan("10.58"), Decimal("17.07"))
    assert one(narrative, "three_public", "general_public", "budget").yuan == wan("62")
    vehicles = one(narrative, "vehicle_purchase_operation", "general_public")
    assert (vehicles.yuan, vehicles.execution_rate) == (wan("8.54"), Decimal("94.89"))
    assert one(narrative, "vehicle_operation", "general_public").yuan == wan("8.54")
    assert one(narrative, "vehicle_purchase", "general_public").yuan == 0
    overseas = one(narrative, "overseas_travel", "general_public")
    assert (overseas.yuan, overseas.execution_rate) == (0, Decimal(0))
    reception = one(narrative, "official_reception", "general_public")
    assert (reception.yuan, reception.execution_rate) == (wan("2.04"), Decimal("13.60"))
    assert one(narrative, "office_operation", "general_public").yuan == wan("167.62")
    assert one(narrative, "procurement", "all").yuan == wan("25.22")


def test_no_figure_twice(narrative: list[Amount]) -> None:
    keys = Counter((a.measure, a.category, a.fund, a.functional_ref) for a in narrative)
    assert max(keys.values()) == 1
    assert len(narrative) == 36
    # The per-project 项目支出 of 附件2 (项目支出 272.9 万元) is not the document's 项目支出.
    assert not any(a.yuan == wan("272.9") for a in narrative)


def test_subject_names_changed_since_2020() -> None:
    old = "行政事业单位离退休"  # 20805 行政事业单位养老支出 since
    assert _resolve("208", old, "归口管理的行政单位离退休") == ("208", "20805", "2080501")
    assert _resolve("208", old, "事业单位离退休") == ("208", "20805", "2080502")
    assert _resolve("201", "政府办公厅（室）及相关机构事务", "专项业务活动") == \
        ("201", "20103", "2010305")
    assert code_for("functional", "其他政府办公厅（室）及相关机构事务支出", "20103") == "2010399"


def _context(kind: str, paragraphs: list[Paragraph]) -> Context:
    dept = Department(id="500152-重庆市潼南区人民政府办公室", name="重庆市潼南区人民政府办公室",
                      region_ref="500152")
    doc = Document(id="tongnan", title="t", kind=kind, fiscal_year=2024, source=TONGNAN.name,
                   sha256="0" * 64, department_ref=dept.id)
    read = ReadDocument(source=TONGNAN.name, sha256="0" * 64, blocks=list(paragraphs))
    return Context(read=read, records=DocumentRecords(document=doc, departments=[dept]),
                   department=dept, region_code="500152", fiscal_year=2024, kind=kind)


def _tongnan_paragraphs() -> list[Paragraph]:
    """The prose lines of 潼南 (its tables are TAB rows), one paragraph per line."""
    lines = TONGNAN.read_text(encoding="utf-8").splitlines()
    return [Paragraph(text=ln.strip(), line=i) for i, ln in enumerate(lines, start=1)
            if ln.strip() and "\t" not in ln]


def test_tongnan_final_account_narrative() -> None:
    ctx = _context("final_account", _tongnan_paragraphs())
    extract_final_narrative(_tongnan_paragraphs(), ctx)
    got = ctx.records.amounts
    assert all(a.table_kind == "narrative_final" for a in got)
    assert one(got, "total", "all").yuan == wan("1989.05")
    assert one(got, "basic", "all").yuan == wan("1485.91")
    assert one(got, "project", "all").yuan == wan("503.14")
    assert one(got, "personnel", "general_public").yuan == wan("1242.46")
    assert one(got, "public", "general_public").yuan == wan("243.45")
    assert one(got, "three_public", "general_public").yuan == wan("46.53")
    assert one(got, "vehicle_operation", "general_public").yuan == wan("36.00")
    assert one(got, "official_reception", "general_public").yuan == wan("10.53")
    assert one(got, "meeting", "general_public").yuan == wan("11.48")
    assert one(got, "office_operation", "general_public").yuan == wan("187.61")
    assert one(got, "total", "general_public", functional="201").yuan == wan("1585.01")
    assert not ctx.records.problems


def test_budgets_are_left_alone() -> None:
    ctx = _context("budget", _tongnan_paragraphs())
    extract_final_narrative(_tongnan_paragraphs(), ctx)
    assert ctx.records.amounts == []
