"""Unit lists (部门预算单位构成, 部门机构设置情况) and procurement budgets (部门政府采购预算).

江油 2024 lists its two budget units by name only; its 部门收入总表 / 部门支出总表 print
them with codes (301001, 301604), so a full load must end with exactly two units.  涞源
2024 describes two units in its 机构设置 table and prints its 政府采购预算 form empty.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from loaders import kinds, pipeline
from loaders.blocks import ReadDocument, Table
from loaders.context import Context
from loaders.kinds.procurement import extract_procurement
from loaders.kinds.units import extract_units, split_unit_code
from loaders.readers import read
from loaders.recognise import kind_of_title, recognise
from ontology.records import Department, Document, DocumentRecords

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU = SAMPLES / "510781_jiangyou_gov-office_2024_budget.txt"
LAIYUAN = SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt"
JIANGYOU_DEPT = "510781-江油市人民政府办公室"
LAIYUAN_DEPT = "130630-涞源县人民政府办公室"
JIANGYOU_UNITS = [("301001", "江油市人民政府办公室机关"), ("301604", "江油市政务服务中心")]


def context(region: str, name: str, code: str | None = None) -> Context:
    """An empty context for a department, to run one extractor on one table."""
    dept = Department(id=f"{region}-{name}", name=name, code=code, region_ref=region)
    doc = Document(id="d" * 16, title=name, kind="budget", fiscal_year=2024, source="x.txt",
                   sha256="0" * 64, department_ref=dept.id)
    return Context(read=ReadDocument(source="x.txt", sha256="0" * 64, blocks=[]),
                   records=DocumentRecords(document=doc, departments=[dept]),
                   department=dept, region_code=region, fiscal_year=2024, kind="budget")


def table_titled(path: Path, title: str) -> Table:
    return next(t for t in read(path).tables() if t.title == title)


# --- recognition ----------------------------------------------------------------------

def test_titles_are_recognised() -> None:
    assert kind_of_title("二、部门预算单位构成") == "unit_composition"
    assert kind_of_title("部门机构设置情况") == "unit_composition"
    assert kind_of_title("部门政府采购预算") == "procurement"
    assert kind_of_title("2024年政府采购预算表") == "procurement"
    # Neighbouring kinds keep their tables.
    assert kind_of_title("部门固定资产占用情况表") == "fixed_assets"
    assert kind_of_title("机构运行信息决算表") == "institution_operation"


# --- 江油: a name-only list and coded tables meet at one unit ---------------------------

def test_jiangyou_full_load_has_exactly_the_two_coded_units() -> None:
    records = pipeline.load_document(JIANGYOU)
    assert sorted((u.code, u.name) for u in records.units) == JIANGYOU_UNITS
    assert [u.id for u in sorted(records.units, key=lambda u: u.id)] == [
        "510781-301001", "510781-301604"]
    assert {u.department_ref for u in records.units} == {JIANGYOU_DEPT}
    report = next(t for t in records.tables if t.title == "二、部门预算单位构成")
    assert report.kind == "unit_composition" and report.line == 76
    assert not [p for p in records.problems if "no extractor" in p.message]
    # Every reference to a unit reaches one of the two.
    known = {u.id for u in records.units} | {JIANGYOU_DEPT}
    assert {a.of_ref for a in records.amounts} <= known
    assert {p.run_by_ref for p in records.projects} <= known


def test_jiangyou_list_alone_prints_names_without_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kinds, "TABLES", {"unit_composition": kinds.TABLES["unit_composition"]})
    monkeypatch.setattr(kinds, "NARRATIVE", [])
    records = pipeline.records_from(read(JIANGYOU))
    assert [(u.code, u.name) for u in records.units] == [(None, n) for _, n in JIANGYOU_UNITS]
    assert records.units[1].id == "510781-江油市人民政府办公室-江油市政务服务中心"


def test_jiangyou_list_after_the_coded_tables_still_gives_two_units() -> None:
    doc = read(JIANGYOU)
    listing = next(b for b in doc.blocks if isinstance(b, Table) and "单位构成" in b.title)
    moved = ReadDocument(source=doc.source, sha256=doc.sha256, pages=doc.pages,
                         blocks=[b for b in doc.blocks if b is not listing] + [listing])
    records = pipeline.records_from(moved)
    assert sorted((u.code, u.name) for u in records.units) == JIANGYOU_UNITS


def test_merge_repoints_amounts_projects_and_indicators() -> None:
    ctx = context("510781", "江油市人民政府办公室", "301")
    named = ctx.unit("江油市政务服务中心")
    assert named == "510781-江油市人民政府办公室-江油市政务服务中心"
    ctx.add_amount(None, 1, 1, Decimal("5.10"), "万元", category="project",
                   table_kind="performance", of=named)
    project = ctx.project("公共资源交易中心运行经费", run_by=named)
    ctx.add_indicator(named, "制作标书等费用")
    assert ctx.find_unit("江油市政务服务中心") == named
    coded = ctx.unit("江油市政务服务中心", "301604")
    assert ctx.find_unit(" 江油市政务服务中心 ") == coded == "510781-301604"
    records = ctx.finish()
    assert [(u.id, u.code) for u in records.units] == [("510781-301604", "301604")]
    assert records.amounts[0].of_ref == coded and records.amounts[0].yuan == Decimal("51000")
    assert next(p for p in records.projects if p.id == project).run_by_ref == coded
    assert records.indicators[0].owner_ref == coded


def test_a_name_two_coded_units_share_is_left_alone() -> None:
    ctx = context("510781", "江油市人民政府办公室", "301")
    named = ctx.unit("江油市政务服务中心")
    ctx.unit("江油市政务服务中心", "301604")
    ctx.unit("江油市政务服务中心", "301605")
    assert {u.id for u in ctx.finish().units} == {named, "510781-301604", "510781-301605"}


def test_codes_printed_in_a_column_or_before_the_name() -> None:
    assert split_unit_code("301604-江油市政务服务中心") == ("301604", "江油市政务服务中心")
    assert split_unit_code("[301001]江油市人民政府办公室机关") == (
        "301001", "江油市人民政府办公室机关")
    assert split_unit_code("江油市政务服务中心") == (None, "江油市政务服务中心")
    ctx = context("510781", "江油市人民政府办公室", "301")
    table = Table(title="部门预算单位构成", line=1, rows=[
        ["单位编码", "单位名称"], ["301", "江油市人民政府办公室"],
        ["301001", "江油市人民政府办公室机关"], ["", "301604-江油市政务服务中心"],
        ["", "合计"]])
    extract_units(table, ctx)
    assert sorted((u.code, u.name) for u in ctx.finish().units) == JIANGYOU_UNITS


# --- 涞源: 机构设置 ---------------------------------------------------------------------

def test_laiyuan_institution_table_names_two_units() -> None:
    records = pipeline.load_document(LAIYUAN)
    assert [(u.code, u.name, u.department_ref) for u in records.units] == [
        (None, "涞源县人民政府办公室本级", LAIYUAN_DEPT),
        (None, "涞源县金融服务中心", LAIYUAN_DEPT)]
    report = next(t for t in records.tables if t.title == "部门机构设置情况")
    assert report.kind == "unit_composition" and report.amounts == 0
    # 单位性质 / 单位规格 / 经费保障形式 are descriptions, not money.
    assert not [a for a in records.amounts if a.table == "部门机构设置情况"]


def test_internal_offices_are_not_budget_units() -> None:
    """若羌 lists 7 科室 under 机构设置 and says it has no subordinate budget unit."""
    ctx = context("652824", "若羌县人民政府办公室")
    offices = ["办公室", "秘书室", "档案室", "财务室", "政务及信息化室", "行政服务室",
               "信访接待办公室"]
    table = Table(title="机构设置情况", line=1,
                  rows=[["序号", "内设机构", "编制数"]] + [[str(i), o, ""]
                                                        for i, o in enumerate(offices, 1)])
    assert recognise(table) == "unit_composition"
    extract_units(table, ctx)
    records = ctx.finish()
    assert records.units == [] and records.amounts == []
    assert [p.severity for p in records.problems] == ["warning"]


# --- 涞源: 政府采购预算 ------------------------------------------------------------------

def test_laiyuan_procurement_form_is_printed_empty() -> None:
    """无政府采购预算，空表列示: recognised, read, and nothing invented (its narrative's
    9.31 万元 of planned asset purchases is not a table figure)."""
    records = pipeline.load_document(LAIYUAN)
    report = next(t for t in records.tables if t.title == "部门政府采购预算")
    assert (report.kind, report.line, report.amounts, report.empty) == (
        "procurement", 3210, 0, True)
    assert not [a for a in records.amounts if a.table_kind == "procurement"]
    assert not [p for p in records.problems if p.table == "部门政府采购预算"]


def test_rows_on_the_laiyuan_form() -> None:
    """The printed 涞源 header (real) with item rows filled in to exercise its columns."""
    form = table_titled(LAIYUAN, "部门政府采购预算")
    header = [r for r in form.rows if any(c.strip() for c in r)]
    assert len(header) == 2 and form.caption == ["434涞源县人民政府办公室", "单位：万元"]
    body = [
        ["智能签批设备", "9.31", "台式计算机", "A02010104", "台", "5", "0.60",
         "3.00", "3.00", "", "", "", "", "", "3.00"],
        ["", "", "打印设备", "A02010601", "台", "2", "0.50", "1.00", "", "", "", "",
         "0.40", "0.60", ""],
        ["合计", "", "", "", "", "", "", "4.00", "3.00", "", "", "", "0.40", "0.60", "3.00"],
    ]
    table = Table(title=form.title, line=form.line, caption=form.caption, rows=header + body)
    ctx = context("130630", "涞源县人民政府办公室")
    project = ctx.project("智能签批设备", "13063024P000090100016")
    extract_procurement(table, ctx)
    got = [(a.row, a.item, a.category, a.fund, a.yuan, a.project_ref, a.of_ref)
           for a in ctx.records.amounts]
    assert got == [
        (2, "台式计算机", "procurement", "all", Decimal("30000"), project, LAIYUAN_DEPT),
        (2, "台式计算机", "procurement", "general_public", Decimal("30000"), project,
         LAIYUAN_DEPT),
        (3, "打印设备", "procurement", "all", Decimal("10000"), project, LAIYUAN_DEPT),
        (3, "打印设备", "procurement", "unit_funds", Decimal("4000"), project, LAIYUAN_DEPT),
        (3, "打印设备", "carry_over", "all", Decimal("6000"), project, LAIYUAN_DEPT),
        (4, "合计", "procurement", "all", Decimal("40000"), None, LAIYUAN_DEPT),
        (4, "合计", "procurement", "general_public", Decimal("30000"), None, LAIYUAN_DEPT),
        (4, "合计", "procurement", "unit_funds", Decimal("4000"), None, LAIYUAN_DEPT),
        (4, "合计", "carry_over", "all", Decimal("6000"), None, LAIYUAN_DEPT),
    ]
    # 预算资金 9.31, 单价, 数量 and the 预留中小微企业份额 are not procurement amounts.
    assert {a.printed for a in ctx.records.amounts} == {"3.00", "1.00", "0.40", "0.60", "4.00"}
    assert all(a.printed_unit == "万元" and a.table_kind == "procurement"
               for a in ctx.records.amounts)


def test_a_short_form_by_unit_and_item() -> None:
    """单位名称 | 采购项目 | 采购品目 | 金额（万元）: the unit column owns the row."""
    ctx = context("510781", "江油市人民政府办公室", "301")
    table = Table(title="政府采购预算表", line=1, rows=[
        ["单位名称", "采购项目", "采购品目", "采购金额（万元）"],
        ["301604-江油市政务服务中心", "开评标设施设备维护", "其他服务", "2.50"]])
    extract_procurement(table, ctx)
    [amount] = ctx.records.amounts
    assert (amount.item, amount.fund, amount.yuan, amount.of_ref) == (
        "其他服务", "all", Decimal("25000"), "510781-301604")
