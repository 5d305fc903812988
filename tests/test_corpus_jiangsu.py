"""Jiangsu provincial department budgets (江苏省级部门预算), loaded end to end from PDF.

The documents (tests/fixtures/corpus, see MANIFEST.tsv there) come in two shapes: a
tables-only file (``…部门预算公开表``: 7-digit codes in one cell, 万元, no year on the cover
line that names the document) and a narrative file (``…部门预算公开文件``: the
情况说明 without any table), or both in one file (江苏省人民检察院).  The
``derived_*.csv`` files are the 收支预算总表 totals another parser extracted from the same
publications, in 万元: the load must agree with them to the cent.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from fiscal_kg import report
from loaders.pipeline import load_document
from ontology.records import Amount, DocumentRecords

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
PARTY_TABLES = "js-prov_party-committee-office_2018_budget_tables.pdf"
PARTY_TEXT = "js-prov_party-committee-office_2018_budget.pdf"
NPC_TABLES = "js-prov_npc-standing-committee_2019_budget_tables.pdf"
NPC_TEXT = "js-prov_npc-standing-committee_2019_budget.pdf"
PROCURATORATE = "js-prov_procuratorate_2019_budget.pdf"
JIANGSU = (PARTY_TABLES, PARTY_TEXT, NPC_TABLES, NPC_TEXT, PROCURATORATE)
WAN = Decimal(10000)


@cache
def load(name: str) -> DocumentRecords:
    return load_document(CORPUS / name)


def yuan(wan: str) -> Decimal:
    """A printed 万元 figure in 元."""
    return Decimal(wan) * WAN


def the(records: DocumentRecords, **want: object) -> Amount:
    """The one amount whose fields have the given values."""
    found = [a for a in records.amounts
             if all(getattr(a, k) == v for k, v in want.items())]
    assert len(found) == 1, (want, found)
    return found[0]


# --- who, where, when ----------------------------------------------------------------

@pytest.mark.parametrize(("name", "department", "year"), [
    (PARTY_TABLES, "中共江苏省委办公厅", 2018),
    (PARTY_TEXT, "中共江苏省委办公厅", 2018),
    (NPC_TABLES, "江苏省人大常委会办公厅", 2019),
    (NPC_TEXT, "江苏省人大常委会办公厅", 2019),
    (PROCURATORATE, "江苏省人民检察院", 2019),
])
def test_department_region_and_year_from_the_documents_own_text(
        name: str, department: str, year: int) -> None:
    r = load(name)
    assert r.departments[0].name == department
    assert r.departments[0].region_ref == "320000"
    assert [(g.code, g.name, g.level) for g in r.regions] == [("320000", "江苏省", "province")]
    assert (r.document.fiscal_year, r.document.kind) == (year, "budget")


def test_cover_and_tables_name_the_same_department() -> None:
    """The narrative's cover says 江苏省委办公厅, the tables' 部门： line 中共江苏省委办公厅:
    one party-committee organ, so one node."""
    assert load(PARTY_TEXT).departments[0].id == load(PARTY_TABLES).departments[0].id
    assert load(NPC_TEXT).departments[0].id == load(NPC_TABLES).departments[0].id


# --- the derived 收支预算总表 totals ----------------------------------------------------

# Column of the derived CSV → what identifies the cell in our 收支预算总表.
SELECTORS: dict[str, dict[str, object]] = {
    "财政拨款": {"category": "income", "fund": "all", "item": "财政拨款"},
    "一般公共预算": {"category": "income", "fund": "general_public", "item": "一般公共预算"},
    "财政专户管理资金": {"item": "财政专户管理资金"},
    "其他资金": {"item": "其他资金"},
    "当年收入小计": {"category": "total", "item": "当年收入小计"},
    "收入合计": {"category": "total", "item": "收入合计"},
    "一般公共服务支出": {"category": "total", "functional_ref": "201"},
    "公共安全支出": {"category": "total", "functional_ref": "204"},
    "社会保障和就业支出": {"category": "total", "functional_ref": "208"},
    "住房保障支出": {"category": "total", "functional_ref": "221"},
    "基本支出": {"category": "basic", "item": None},
    "项目支出": {"category": "project", "item": None},
    "单位预留机动经费": {"category": "other", "item": "单位预留机动经费"},
    "当年支出小计": {"category": "total", "item": "当年支出小计"},
    "支出合计": {"category": "total", "item": "支出合计"},
}
DERIVED = [
    ("derived_js-prov_party-committee-office_income-expenditure-summary_2017-2019.csv",
     PARTY_TABLES, 2018),
    ("derived_js-prov_npc_income-expenditure-summary_2017-2019.csv", NPC_TABLES, 2019),
    ("derived_js-prov_procuratorate_income-expenditure-summary_2017-2019.csv",
     PROCURATORATE, 2019),
]


def derived_row(csv_name: str, year: int) -> dict[str, str]:
    with (CORPUS / csv_name).open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r[""].startswith(str(year))]
    assert len(rows) == 1
    return {k: v for k, v in rows[0].items() if k}


@pytest.mark.parametrize(("csv_name", "pdf", "year"), DERIVED)
def test_summary_table_agrees_with_the_derived_totals(csv_name: str, pdf: str, year: int
                                                      ) -> None:
    expected = derived_row(csv_name, year)
    summary = [a for a in load(pdf).amounts if a.table_kind == "income_expenditure_summary"]
    checked = 0
    for column, value in expected.items():
        want = SELECTORS[column]
        found = [a for a in summary if all(getattr(a, k) == v for k, v in want.items())]
        if not value:  # blank in the source: nothing is invented
            assert found == [], column
            continue
        assert len(found) == 1, (column, found)
        assert found[0].yuan == yuan(value), column
        assert found[0].printed_unit == "万元"
        checked += 1
    assert checked >= 11


def test_summary_spending_uses_add_up_in_the_summary_table() -> None:
    """基本支出 + 项目支出 + 单位预留机动经费 = 当年支出小计 (江苏's third, 支出用途 side)."""
    r = load(PROCURATORATE)
    summary = [a for a in r.amounts if a.table_kind == "income_expenditure_summary"]
    uses = [a.yuan for a in summary if a.category in ("basic", "project")
            or a.item == "单位预留机动经费"]
    assert sum(uses) == yuan("24169.74")
    assert the(r, table_kind="income_expenditure_summary", item="单位预留机动经费").yuan == (
        yuan("3990.40"))


def test_narrative_agrees_with_the_tables_published_separately() -> None:
    """The NPC's narrative file states the totals its tables file prints."""
    expected = derived_row(DERIVED[1][0], 2019)
    r = load(NPC_TEXT)
    assert all(a.table_kind == "narrative_budget" for a in r.amounts)
    stated = {
        "支出合计": the(r, item="支出预算总计"),
        "一般公共服务支出": the(r, functional_ref="201"),
        "社会保障和就业支出": the(r, functional_ref="208"),
        "住房保障支出": the(r, functional_ref="221"),
        "基本支出": the(r, category="basic", item="基本支出"),
        "项目支出": the(r, category="project"),
        "单位预留机动经费": the(r, item="单位预留机动经费"),
    }
    for column, amount in stated.items():
        assert amount.yuan == yuan(expected[column]), column


# --- specific cells ----------------------------------------------------------------------

def test_class_item_and_economic_amounts() -> None:
    party = load(PARTY_TABLES)
    # 类: 201 一般公共服务支出 in the 财政拨款支出预算表 (公开05表)
    cls = the(party, table_kind="fiscal_expenditure", functional_ref="201")
    assert (cls.yuan, cls.fund, cls.category, cls.page) == (yuan("20153.75"), "all", "total", 7)
    # 项: 2013101 行政运行 in the 一般公共预算支出预算表
    assert the(party, table_kind="general_budget_expenditure",
               functional_ref="2013101").yuan == yuan("8072.29")
    procuratorate = load(PROCURATORATE)
    xiang = the(procuratorate, table_kind="general_budget_expenditure",
                functional_ref="2040401")
    assert (xiang.yuan, xiang.fund) == (yuan("12268.62"), "general_public")
    # economic: 30201 办公费 in the 一般公共预算基本支出预算表 and the 机关运行经费 table
    npc = load(NPC_TABLES)
    office = the(npc, table_kind="general_budget_basic", economic_ref="30201")
    assert office.yuan == yuan("570.00")
    running = the(npc, table_kind="office_operation", economic_ref="302")
    assert (running.yuan, running.category) == (yuan("1642.08"), "office_operation")
    # the 支出预算总表 prints one row of department totals and no label at all
    assert the(npc, table_kind="expenditure", category="basic").yuan == yuan("9312.90")


def test_three_public_figures() -> None:
    procuratorate = load(PROCURATORATE)
    assert the(procuratorate, table_kind="three_public",
               category="official_reception").yuan == yuan("101.26")
    assert the(procuratorate, table_kind="three_public", category="training").yuan == (
        yuan("700"))
    party = load(PARTY_TABLES)
    assert the(party, table_kind="three_public", category="overseas_travel").yuan == (
        yuan("70.00"))
    assert the(party, table_kind="three_public", category="vehicle_operation").yuan == (
        yuan("411.20"))
    # 合计 over “三公” (小计) and 会议费 | 培训费 is the table's grand total
    assert the(party, table_kind="three_public", category="total").yuan == yuan("1471.70")
    assert the(party, table_kind="three_public", category="three_public").yuan == (
        yuan("508.20"))
    # 公务用车购置费 is printed blank: absent, not 0
    assert not [a for a in party.amounts if a.category == "vehicle_purchase"
                and a.table_kind == "three_public"]


def test_procurement_table_by_item_and_subtotal() -> None:
    party = load(PARTY_TABLES)
    procurement = [a for a in party.amounts if a.table_kind == "procurement"]
    assert the(party, table_kind="procurement", item="合计").yuan == yuan("1449.50")
    assert the(party, table_kind="procurement", item="货物A").yuan == yuan("90.00")
    assert any(a.item == "会议服务" and a.yuan == yuan("872.10") for a in procurement)


def test_identity_checks_hold() -> None:
    """The 江苏 tables add up (at most rounding), read through every table kind they hold."""
    for name in (PARTY_TABLES, NPC_TABLES, PROCURATORATE):
        r = load(name)
        errors = [p.message for p in r.problems if p.severity == "error"]
        assert errors == [], name
        assert all(t.kind is not None for t in r.tables), [
            t.title for t in r.tables if t.kind is None]


# --- the narrative files ---------------------------------------------------------------

def test_narrative_only_budget_states_its_figures() -> None:
    r = load(PARTY_TEXT)
    assert r.tables == []
    assert the(r, functional_ref="2013101").yuan == yuan("8072.29")
    assert the(r, functional_ref="2080506").yuan == yuan("297.36")  # 类 from the heading
    assert the(r, category="personnel").yuan == yuan("8308.53")
    assert the(r, category="overseas_travel").yuan == yuan("70")
    assert the(r, category="procurement").yuan == yuan("1449.50")
    assert all(a.table == "narrative" and a.measure == "budget" for a in r.amounts)
    # stated twice (六 and 八): loaded once
    assert len([a for a in r.amounts if a.category == "public"]) == 1
    warning = [p.message for p in r.problems if "prints no tables" in p.message]
    assert warning == ["the document prints no tables (its tables may be published as a "
                       f"separate file): {len(r.amounts)} amounts were read from its text"]


def test_narrative_is_not_loaded_beside_tables() -> None:
    """A document with tables is read from them; its text only repeats them."""
    assert not [a for a in load(PROCURATORATE).amounts if a.table_kind.startswith("narrative")]


def test_load_report_lists_tables_with_pages_and_checks() -> None:
    rep = report.from_records(CORPUS / PROCURATORATE, load(PROCURATORATE))
    assert rep.tables_recognised[0] == {
        "title": "收支预算总表", "kind": "income_expenditure_summary", "page": 14,
        "amounts": 12, "empty": False}
    assert rep.tables_not_recognised == []
    assert rep.amounts == len(load(PROCURATORATE).amounts)
    checks = rep.identity_checks
    assert "basic_plus_project" in checks["run"] and len(checks["run"]) >= 6
    assert (checks["errors"], checks["findings"]) == (0, [])
