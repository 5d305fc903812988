"""收支总表 / 收入总表 / 财政拨款收支总表 amounts, on all four seed documents that print them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from loaders import kinds, pipeline
from loaders.blocks import Table
from loaders.kinds.summary import analyse, plain_label
from loaders.readers import read
from ontology.records import Amount, DocumentRecords

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU = SAMPLES / "510781_jiangyou_gov-office_2024_budget.txt"
RUOQIANG = SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt"
TONGNAN = SAMPLES / "500152_tongnan_gov-office_2024_final.txt"
LAIYUAN = SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt"
MINE = ("income_expenditure_summary", "income", "fiscal_summary")


def load_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentRecords:
    """The real pipeline (reader, detection, recognition) with only this module's extractors,
    so that work on other table kinds cannot change what these tests see."""
    monkeypatch.setattr(kinds, "TABLES", {k: kinds.TABLES[k] for k in MINE})
    monkeypatch.setattr(kinds, "NARRATIVE", [])
    return pipeline.records_from(read(path))


def amounts(records: DocumentRecords, table: str, **fields: object) -> list[Amount]:
    return [a for a in records.amounts if a.table == table
            and all(getattr(a, k) == v for k, v in fields.items())]


def one(records: DocumentRecords, table: str, **fields: object) -> Amount:
    found = amounts(records, table, **fields)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def jiangyou(monkeypatch: pytest.MonkeyPatch) -> DocumentRecords:
    return load_only(JIANGYOU, monkeypatch)


@pytest.fixture
def ruoqiang(monkeypatch: pytest.MonkeyPatch) -> DocumentRecords:
    return load_only(RUOQIANG, monkeypatch)


@pytest.fixture
def tongnan(monkeypatch: pytest.MonkeyPatch) -> DocumentRecords:
    return load_only(TONGNAN, monkeypatch)


@pytest.fixture
def laiyuan(monkeypatch: pytest.MonkeyPatch) -> DocumentRecords:
    return load_only(LAIYUAN, monkeypatch)


# --- 江油 2024 -----------------------------------------------------------------------

def test_jiangyou_income_expenditure_summary(jiangyou: DocumentRecords) -> None:
    t = "部门收支总表"
    dept = "510781-江油市人民政府办公室"
    total = one(jiangyou, t, item="收入总计")
    assert total.yuan == Decimal("20588000") and total.category == "total"
    assert total.printed == "2,058.80" and total.printed_unit == "万元"
    assert total.measure == "budget" and total.of_ref == dept and total.functional_ref is None
    assert one(jiangyou, t, item="支出总计").yuan == Decimal("20588000")
    assert one(jiangyou, t, item="本年收入合计").yuan == Decimal("20588000")
    gp = one(jiangyou, t, category="income", fund="general_public")
    assert gp.yuan == Decimal("20588000") and gp.item == "一般公共预算拨款收入"
    general = one(jiangyou, t, functional_ref="201")
    assert general.yuan == Decimal("17278400") and general.category == "total"
    assert general.fund == "all" and general.item is None
    assert one(jiangyou, t, functional_ref="221").yuan == Decimal("1128800")
    # Blank cells are absent, never 0: 外交支出 (202), 事业收入, 上年结转 print nothing.
    assert not amounts(jiangyou, t, functional_ref="202")
    assert not amounts(jiangyou, t, fund="unit_funds")
    assert not amounts(jiangyou, t, category="carry_over")
    assert len(amounts(jiangyou, t)) == 10


def test_jiangyou_income_table_per_unit(jiangyou: DocumentRecords) -> None:
    t = "部门收入总表"
    centre = one(jiangyou, t, of_ref="510781-301604", category="income")
    assert centre.yuan == Decimal("4980600") and centre.fund == "general_public"
    assert centre.item == "一般公共预算拨款收入"
    assert one(jiangyou, t, of_ref="510781-301604", category="total").yuan == Decimal("4980600")
    assert one(jiangyou, t, of_ref="510781-301001", category="income").yuan == Decimal("15607400")
    units = {u.code: u for u in jiangyou.units}
    assert units["301604"].name == "江油市政务服务中心"
    assert units["301001"].name == "江油市人民政府办公室机关"
    assert "301" not in units  # the department's own row hangs on the department
    dept_rows = amounts(jiangyou, t, of_ref="510781-江油市人民政府办公室", category="income")
    assert [a.yuan for a in dept_rows] == [Decimal("20588000")] * 2  # 合计 row and 301 row


def test_jiangyou_fiscal_summary(jiangyou: DocumentRecords) -> None:
    t = "财政拨款收支预算总表"
    assert one(jiangyou, t, functional_ref="201", fund="general_public").yuan == Decimal("17278400")
    assert one(jiangyou, t, functional_ref="201", fund="all").yuan == Decimal("17278400")
    assert one(jiangyou, t, functional_ref="205", fund="general_public").yuan == Decimal("73700")
    assert one(jiangyou, t, item="本年收入").yuan == Decimal("20588000")
    assert one(jiangyou, t, category="income", fund="general_public").yuan == Decimal("20588000")
    assert not amounts(jiangyou, t, fund="government_fund")
    subjects = {s.code: s.name for s in jiangyou.functional_subjects}
    assert subjects["201"] == "一般公共服务支出" and subjects["221"] == "住房保障支出"


# --- 若羌 2024 -----------------------------------------------------------------------

def test_ruoqiang_summary_and_fiscal_summary(ruoqiang: DocumentRecords) -> None:
    t1, t4 = "部门收支总体情况表", "财政拨款收支预算总体情况表"
    assert one(ruoqiang, t1, functional_ref="201").yuan == Decimal("6837000")
    assert one(ruoqiang, t1, item="收入总计").yuan == Decimal("8420700")
    assert one(ruoqiang, t1, item="本年收入").yuan == Decimal("8420700")
    assert one(ruoqiang, t1, item="一般公共预算拨款").fund == "general_public"
    assert one(ruoqiang, t1, item="一般财力").yuan == Decimal("8420700")
    assert not amounts(ruoqiang, t1, category="carry_over")
    fiscal = one(ruoqiang, t4, functional_ref="201", fund="general_public")
    assert fiscal.yuan == Decimal("6837000") and fiscal.printed == "683.70"
    assert one(ruoqiang, t4, functional_ref="208", fund="all").yuan == Decimal("803300")
    assert one(ruoqiang, t4, item="一般公共预算").yuan == Decimal("8420700")
    assert one(ruoqiang, t4, item="财政拨款（补助）").fund == "all"
    assert {a.of_ref for a in ruoqiang.amounts} == {"652824-若羌县人民政府办公室"}


# --- 潼南 2024 final account (元, thousands separators, 行次 columns) ---------------

def test_tongnan_income_expenditure_final_account(tongnan: DocumentRecords) -> None:
    t = "收入支出决算表"
    gp = one(tongnan, t, category="income", fund="general_public")
    assert gp.yuan == Decimal("19890539.51") and gp.printed == "19,890,539.51"
    assert gp.printed_unit == "元" and gp.measure == "actual"
    assert gp.item == "一般公共预算财政拨款收入"
    assert one(tongnan, t, functional_ref="201").yuan == Decimal("15850096.60")
    assert one(tongnan, t, item="收入总计").yuan == Decimal("19890539.51")
    assert one(tongnan, t, item="支出总计").yuan == Decimal("19890539.51")
    # 行次 and 栏次 are row numbers, never amounts.
    assert all("." in a.printed for a in amounts(tongnan, t))
    assert len(amounts(tongnan, t)) == 9


def test_tongnan_income_by_subject(tongnan: DocumentRecords) -> None:
    t = "收入决算表"
    running = one(tongnan, t, functional_ref="2010301", item="财政拨款收入")
    assert running.yuan == Decimal("7171195.84") and running.category == "income"
    assert one(tongnan, t, functional_ref="2010301", item="本年收入合计").fund == "all"
    # A printed 0.00 is an amount.
    upper = one(tongnan, t, functional_ref="2010301", item="上级补助收入")
    assert upper.yuan == Decimal("0") and upper.fund == "unit_funds"
    total = one(tongnan, t, functional_ref=None, item="本年收入合计")
    assert total.yuan == Decimal("19890539.51")
    assert {s.code for s in tongnan.functional_subjects} >= {"201", "20103", "2010301", "2210201"}


def test_tongnan_fiscal_final_account(tongnan: DocumentRecords) -> None:
    t = "财政拨款收入支出决算表"
    assert one(tongnan, t, functional_ref="201", fund="general_public").yuan == Decimal(
        "15850096.60")
    assert one(tongnan, t, functional_ref="221", fund="all").yuan == Decimal("774531.96")
    assert one(tongnan, t, category="income").fund == "general_public"
    assert one(tongnan, t, item="收入总计").yuan == Decimal("19890539.51")
    assert not amounts(tongnan, t, fund="government_fund")


# --- 涞源 2024 (DOCX text, one cell per line) --------------------------------------

def test_laiyuan_summaries(laiyuan: DocumentRecords) -> None:
    t = "部门预算收支总表"
    assert one(laiyuan, t, category="income", fund="general_public").yuan == Decimal("14868300")
    assert one(laiyuan, t, functional_ref="215").yuan == Decimal("450000")
    assert one(laiyuan, t, item="支出总计").yuan == Decimal("14868300")
    income = "部门预算收入总表"
    assert one(laiyuan, income, functional_ref="2010301", category="total").yuan == Decimal(
        "11045400")
    assert one(laiyuan, income, functional_ref="2080505", item="财政拨款收入").yuan == Decimal(
        "694600")
    fiscal = "部门预算财政拨款收支总表"
    assert one(laiyuan, fiscal, functional_ref="208", fund="general_public").yuan == Decimal(
        "1517300")


# --- layout pieces on built tables ------------------------------------------------------

def test_grid_types_columns_by_their_cells() -> None:
    table = Table(title="收入支出决算表", caption=["单位：元"], rows=[
        ["项目", "行次", "金额", "项目", "行次", "金额"],
        ["栏次", "", "1", "栏次", "", "2"],
        ["一、一般公共预算财政拨款收入", "1", "1,000.00", "一、一般公共服务支出", "31", "900.00"],
        ["", "2", "", "二、外交支出", "32", ""],
    ])
    grid = analyse(table)
    assert grid.first_body == 2
    assert grid.roles == ["label", "rowno", "amount", "label", "rowno", "amount"]
    assert [(s.label, s.amounts) for s in grid.sides] == [(0, [2]), (3, [5])]


def test_plain_label_drops_ordinals() -> None:
    assert plain_label("一、一般公共预算拨款收入") == "一般公共预算拨款收入"
    assert plain_label("其中：一般财力") == "一般财力"
    assert plain_label("1. 一般公共预算拨款") == "一般公共预算拨款"
    assert plain_label("收 入 总 计") == "收入总计"


def test_full_pipeline_keeps_these_amounts() -> None:
    """Through load_document with every extractor installed (others' kinds ignored here)."""
    records = pipeline.load_document(JIANGYOU)
    mine = [a for a in records.amounts if a.table_kind in MINE]
    assert len(mine) == 32
    assert any(a.table == "部门收支总表" and a.functional_ref == "201"
               and a.yuan == Decimal("17278400") for a in mine)
