"""“三公”经费 and 机构运行信息 amounts, on the four seed documents that print them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from loaders import kinds, pipeline
from loaders.blocks import Table
from loaders.context import Context
from loaders.kinds.three_public import category_of, extract_three_public
from loaders.readers import read
from ontology.records import Amount, DocumentRecords

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU = SAMPLES / "510781_jiangyou_gov-office_2024_budget.txt"
RUOQIANG = SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt"
TONGNAN = SAMPLES / "500152_tongnan_gov-office_2024_final.txt"
LAIYUAN = SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt"
MINE = ("three_public", "government_fund_three_public", "institution_operation")


def load_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentRecords:
    """The real pipeline with only the 三公 extractor installed."""
    monkeypatch.setattr(kinds, "TABLES", {k: kinds.TABLES[k] for k in MINE})
    monkeypatch.setattr(kinds, "NARRATIVE", [])
    return pipeline.records_from(read(path))


def amounts(records: DocumentRecords, **fields: object) -> list[Amount]:
    return [a for a in records.amounts if a.table_kind in MINE
            and all(getattr(a, k) == v for k, v in fields.items())]


def one(records: DocumentRecords, **fields: object) -> Amount:
    found = amounts(records, **fields)
    assert len(found) == 1, found
    return found[0]


def test_jiangyou_per_unit_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    records = load_only(JIANGYOU, monkeypatch)
    office = "510781-301001"
    reception = one(records, of_ref=office, category="official_reception")
    assert reception.yuan == Decimal("103200") and reception.printed == "10.32"
    assert reception.fund == "general_public" and reception.item == "公务接待费"
    assert reception.table == "一般公共预算“三公”经费支出预算表"
    assert one(records, of_ref=office, category="three_public").yuan == Decimal("163200")
    assert one(records, of_ref=office, category="vehicle_operation").yuan == Decimal("60000")
    assert one(records, of_ref=office, category="vehicle_purchase_operation").item == (
        "公务用车购置及运行费小计")
    dept = "510781-江油市人民政府办公室"
    totals = amounts(records, of_ref=dept, category="three_public")
    assert [a.yuan for a in totals] == [Decimal("180000")] * 2  # 合计 row and 301 row
    assert one(records, of_ref="510781-301604", category="official_reception").yuan == Decimal(
        "16800")
    # Blank 因公出国 and 购置费 cells load nothing; the 政府性基金 三公 table is a 空表.
    assert not amounts(records, category="overseas_travel")
    assert not amounts(records, category="vehicle_purchase")
    assert not amounts(records, table_kind="government_fund_three_public")
    assert len(amounts(records)) == 14
    assert not [p for p in records.problems if "三公" in (p.table or "")]


def test_ruoqiang_items_as_rows_with_fund_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    records = load_only(RUOQIANG, monkeypatch)
    reception = one(records, category="official_reception", fund="general_public")
    assert reception.yuan == Decimal("2500") and reception.printed == "0.25"
    assert one(records, category="official_reception", fund="all").yuan == Decimal("2500")
    assert one(records, category="three_public", fund="general_public").yuan == Decimal("2500")
    assert not amounts(records, fund="government_fund")
    assert not amounts(records, category="vehicle_operation")
    assert len(amounts(records)) == 4


def test_laiyuan_subtotal_and_sub_items(monkeypatch: pytest.MonkeyPatch) -> None:
    records = load_only(LAIYUAN, monkeypatch)
    gp = {"fund": "general_public"}
    assert one(records, category="three_public", **gp).yuan == Decimal("1710000")
    assert one(records, category="three_public", **gp).item == "“三公”经费小计"
    assert one(records, category="official_reception", **gp).yuan == Decimal("950000")
    assert one(records, category="vehicle_operation", **gp).yuan == Decimal("690000")
    assert one(records, category="vehicle_purchase_operation", **gp).yuan == Decimal("690000")
    travel = amounts(records, category="overseas_travel", **gp)
    assert [(a.item, a.yuan) for a in travel] == [("因公出国（境）费", Decimal("70000")),
                                                  ("其他因公出国（境）费", Decimal("70000"))]
    # The table's 合计 (三公 plus 会议费/培训费 lines) is not the 三公 total.
    assert one(records, category="total", **gp).yuan == Decimal("1860000")
    assert not amounts(records, category="meeting")


def test_tongnan_institution_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    records = load_only(TONGNAN, monkeypatch)
    assert all(a.measure == "actual" and a.printed_unit == "元" for a in amounts(records))
    assert one(records, category="vehicle_operation").yuan == Decimal("360000.00")
    assert one(records, category="vehicle_purchase_operation").yuan == Decimal("360000.00")
    assert one(records, category="three_public").yuan == Decimal("465326.00")
    office = amounts(records, category="office_operation")
    assert [(a.item, a.yuan) for a in office] == [("机关运行经费", Decimal("1876083.12")),
                                                  ("行政单位", Decimal("1876083.12"))]
    assert one(records, category="meeting").yuan == Decimal("114816.50")
    assert one(records, category="training").yuan == Decimal("6468.00")
    assert one(records, category="travel").yuan == Decimal("102125.00")
    receptions = amounts(records, category="official_reception")
    assert [(a.item, a.yuan) for a in receptions] == [("公务接待费", Decimal("105326.00")),
                                                      ("国内接待费", Decimal("105326.00"))]
    # Vehicles, 批次 and 人次 are counts, not money.
    assert not [a for a in amounts(records) if a.yuan in (Decimal(9), Decimal(192),
                                                          Decimal(1335), Decimal(1), Decimal(7))]
    assert len(amounts(records)) == 10


def test_empty_table_gives_nothing_and_no_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    records = load_only(JIANGYOU, monkeypatch)
    before = (len(records.amounts), len(records.problems))
    ctx = Context(read=read(JIANGYOU), records=records, department=records.departments[0],
                  region_code="510781", fiscal_year=2024, kind="budget")
    table = Table(title="政府性基金预算“三公”经费支出预算表", line=9999,
                  caption=["金额单位：万元"], notes=["空表说明：无此项内容"], rows=[
                      ["单位编码", "单位名称（科目）", "当年财政拨款预算安排", "", "", "", ""],
                      ["", "", "合计", "因公出国（境）费用", "公务用车购置及运行费", "", "",
                       "公务接待费"],
                      ["", "", "", "", "小计", "公务用车购置费", "公务用车运行费", ""],
                      ["", "合 计", "", "", "", "", "", ""]])
    extract_three_public(table, ctx)
    assert (len(records.amounts), len(records.problems)) == before


def test_category_words() -> None:
    assert category_of("因公出国（境）费用") == "overseas_travel"
    assert category_of("公务用车购置及运维费") == "vehicle_purchase_operation"
    assert category_of("其中：公务用车购置费") == "vehicle_purchase"
    assert category_of("公务用车运行维护费") == "vehicle_operation"
    assert category_of("（2）国（境）外接待费") == "official_reception"
    assert category_of("五、机关运行经费") == "office_operation"
    assert category_of("“三公”经费小计") == "three_public"


def test_full_pipeline_keeps_these_amounts() -> None:
    """Through load_document with every extractor installed (others' kinds ignored here)."""
    records = pipeline.load_document(TONGNAN)
    mine = [a for a in records.amounts if a.table_kind in MINE]
    assert len(mine) == 10
    assert any(a.category == "office_operation" and a.yuan == Decimal("1876083.12")
               for a in mine)
