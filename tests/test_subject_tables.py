"""Tables whose rows are classification subjects, on the real seed documents.

江油 2024 (per-unit rows, finer economic items, projects), 若羌 2024 (类|款|项 split codes),
涞源 2024 (one-cell-per-line text, 序号 column), 潼南 2024 决算 (元 with separators, column
groups, side-by-side economic lists).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from loaders.blocks import ReadDocument, Table
from loaders.context import Context
from loaders.kinds import subject_layout as grid
from loaders.kinds.subject_tables import extract_subject_table
from loaders.pipeline import load_document
from ontology.records import Amount, DocumentRecords

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU = "510781_jiangyou_gov-office_2024_budget.txt"
RUOQIANG = "652824_ruoqiang_gov-office_2024_budget.txt"
LAIYUAN = "130630_laiyuan_gov-office_2024_budget.txt"
TONGNAN = "500152_tongnan_gov-office_2024_final.txt"

JY_DEPT = "510781-江油市人民政府办公室"
JY_OFFICE = "510781-301001"  # 江油市人民政府办公室机关
JY_CENTRE = "510781-301604"  # 江油市政务服务中心
RQ_DEPT = "652824-若羌县人民政府办公室"
LY_DEPT = "130630-涞源县人民政府办公室"
TN_DEPT = "500152-重庆市潼南区人民政府办公室"

WAN = Decimal(10000)


@pytest.fixture(scope="module")
def docs() -> dict[str, DocumentRecords]:
    return {name: load_document(SAMPLES / name)
            for name in (JIANGYOU, RUOQIANG, LAIYUAN, TONGNAN)}


def amounts(records: DocumentRecords, table: str) -> list[Amount]:
    return [a for a in records.amounts if a.table == table]


def one(found: list[Amount]) -> Amount:
    assert len(found) == 1, found
    return found[0]


def cell(records: DocumentRecords, table: str, *, category: str, functional: str | None = None,
         economic: str | None = None, of: str | None = None, item: str | None = None,
         project: str | None = None) -> Amount:
    """The one amount of ``table`` with exactly these properties (None must be None)."""
    return one([a for a in amounts(records, table)
                if a.category == category and a.functional_ref == functional
                and a.economic_ref == economic and (of is None or a.of_ref == of)
                and a.item == item and a.project_ref == project])


# --- 若羌 2024 ---------------------------------------------------------------------


def test_ruoqiang_expenditure_by_function(docs: dict[str, DocumentRecords]) -> None:
    r = docs[RUOQIANG]
    t = "部门支出总体情况表"
    total = cell(r, t, category="total", functional="201")
    assert total.yuan == Decimal("683.70") * WAN == Decimal(6837000)
    assert (total.printed, total.printed_unit, total.fund, total.measure, total.of_ref) == (
        "683.70", "万元", "all", "budget", RQ_DEPT)
    assert total.table_kind == "expenditure"
    assert cell(r, t, category="basic", functional="201").yuan == Decimal("4346200")
    assert cell(r, t, category="project", functional="201").yuan == Decimal("2490800")
    assert cell(r, t, category="total", functional="2010301").yuan == Decimal("2655400")
    assert cell(r, t, category="project", functional="2014004").yuan == Decimal("150000")
    # 2010301 prints no 项目支出: absent, not 0.
    assert not [a for a in amounts(r, t)
                if a.functional_ref == "2010301" and a.category == "project"]
    assert cell(r, t, category="total", item="合计").yuan == Decimal("8420700")
    assert cell(r, t, category="basic", item="合计").yuan == Decimal("5929900")
    # 20 subject rows (4 类, 5 款, 11 项) and the 合计 row.
    rows = {a.row for a in amounts(r, t)}
    subject_rows = {a.row for a in amounts(r, t) if a.functional_ref}
    assert len(subject_rows) == 20 and len(rows) == 21
    assert {a.functional_ref for a in amounts(r, t) if a.functional_ref} >= {
        "201", "20103", "2010301", "2010350", "2010399", "20140", "2014004",
        "208", "20805", "2080501", "2080505", "2080506",
        "210", "21011", "2101101", "2101102", "2101103", "221", "22102", "2210201"}
    assert len(amounts(r, t)) == 45


def test_ruoqiang_general_budget_and_subject_names(docs: dict[str, DocumentRecords]) -> None:
    r = docs[RUOQIANG]
    a = cell(r, "一般公共预算支出情况表", category="total", functional="2080506")
    assert (a.yuan, a.fund, a.table_kind) == (Decimal("236400"), "general_public",
                                              "general_budget_expenditure")
    names = {s.code: (s.name, s.level, s.broader_ref) for s in r.functional_subjects}
    assert names["2014004"] == ("信访业务", 3, "20140")
    assert names["20140"] == ("信访事务", 2, "201")


def test_ruoqiang_basic_expenditure_by_economic_subject(
        docs: dict[str, DocumentRecords]) -> None:
    r = docs[RUOQIANG]
    t = "一般公共预算基本支出情况表"
    wages = cell(r, t, category="personnel", economic="30101")
    assert (wages.yuan, wages.fund, wages.table_kind) == (
        Decimal("984800"), "general_public", "general_budget_basic")
    assert cell(r, t, category="total", economic="301").yuan == Decimal("5422900")
    assert cell(r, t, category="public", economic="302").yuan == Decimal("386900")
    assert cell(r, t, category="public", economic="30217").yuan == Decimal("2500")
    assert not [a for a in amounts(r, t) if a.economic_ref == "302" and a.category == "personnel"]
    assert cell(r, t, category="total", item="合计").yuan == Decimal("5929900")
    assert cell(r, t, category="personnel", item="合计").yuan == Decimal("5543000")
    assert cell(r, t, category="public", item="合计").yuan == Decimal("386900")
    economic = {s.code: s for s in r.economic_subjects}
    assert (economic["30101"].name, economic["30101"].scheme) == ("基本工资", "department")
    assert not [a for a in amounts(r, t) if a.functional_ref]


def test_ruoqiang_empty_state_capital_table_has_no_amounts(
        docs: dict[str, DocumentRecords]) -> None:
    r = docs[RUOQIANG]
    assert amounts(r, "国有资本经营预算支出情况表") == []
    report = next(t for t in r.tables if t.title == "国有资本经营预算支出情况表")
    assert report.kind == "state_capital" and report.amounts == 0


# --- 江油 2024 -----------------------------------------------------------------------


def test_jiangyou_expenditure_per_unit(docs: dict[str, DocumentRecords]) -> None:
    r = docs[JIANGYOU]
    t = "部门支出总表"
    a = cell(r, t, category="total", functional="2010301", of=JY_OFFICE)
    assert (a.yuan, a.fund, a.printed) == (Decimal("9571800"), "all", "957.18")
    assert cell(r, t, category="basic", functional="2010350", of=JY_CENTRE).yuan == Decimal(
        "3777200")
    assert cell(r, t, category="project", functional="2010302", of=JY_CENTRE).yuan == Decimal(
        "499200")
    # Unit rows and the department row: totals of their own, no subject, no item.
    assert cell(r, t, category="total", of=JY_OFFICE).yuan == Decimal("15607400")
    assert cell(r, t, category="project", of=JY_CENTRE).yuan == Decimal("499200")
    assert cell(r, t, category="total", of=JY_DEPT).yuan == Decimal("20588000")
    assert cell(r, t, category="total", of=JY_DEPT, item="合计").yuan == Decimal("20588000")
    # 上缴上级支出 and 对附属单位补助支出 are blank throughout.
    assert not [x for x in amounts(r, t) if x.category == "other"]
    units = {u.id: (u.name, u.code, u.department_ref) for u in r.units}
    assert units[JY_OFFICE] == ("江油市人民政府办公室机关", "301001", JY_DEPT)
    assert units[JY_CENTRE] == ("江油市政务服务中心", "301604", JY_DEPT)
    assert "510781-301" not in units  # 301 is the department itself
    # 合计, the department, 301001 with its 9 subject rows, 301604 with its 5
    assert len({x.row for x in amounts(r, t)}) == 18


def test_jiangyou_general_budget_at_department_level(docs: dict[str, DocumentRecords]) -> None:
    r = docs[JIANGYOU]
    t = "一般公共预算支出预算表"
    a = cell(r, t, category="total", functional="2010350")
    assert (a.yuan, a.of_ref, a.fund) == (Decimal("5007400"), JY_DEPT, "general_public")
    current = cell(r, t, category="total", functional="2010350", item="当年财政拨款安排")
    assert current.yuan == Decimal("5007400")
    assert not [x for x in amounts(r, t) if x.category == "carry_over"]  # 上年结转安排 blank


def test_jiangyou_basic_expenditure_with_finer_items(docs: dict[str, DocumentRecords]) -> None:
    r = docs[JIANGYOU]
    t = "一般公共预算基本支出预算表"
    assert cell(r, t, category="total", economic="301", of=JY_OFFICE).yuan == Decimal(
        "10411700")
    assert cell(r, t, category="total", economic="30101", of=JY_OFFICE).yuan == Decimal(
        "2989900")
    detail = cell(r, t, category="personnel", economic="30101", of=JY_OFFICE,
                  item="行政基本工资")
    assert detail.yuan == Decimal("2628800")
    # The finer rows never replace the subject's own name.
    names = {s.code: s.name for s in r.economic_subjects}
    assert names["30101"] == "基本工资" and names["30199"] == "其他工资福利支出"
    # 其他工资福利支出 is printed twice: the second row is its finer item.
    assert cell(r, t, category="total", economic="30199", of=JY_CENTRE).yuan == Decimal(
        "540000")
    assert cell(r, t, category="total", economic="30199", of=JY_CENTRE,
                item="其他工资福利支出").yuan == Decimal("540000")
    # The 款 rows (item NULL) of 301 add up to 301; the finer rows are not counted twice.
    for unit in (JY_OFFICE, JY_CENTRE):
        kuan = [x for x in amounts(r, t) if x.of_ref == unit and x.category == "total"
                and x.item is None and (x.economic_ref or "").startswith("301")
                and len(x.economic_ref) == 5]
        whole = cell(r, t, category="total", economic="301", of=unit)
        assert sum(x.yuan for x in kuan) == whole.yuan
    assert cell(r, t, category="public", economic="302", of=JY_CENTRE).yuan == Decimal(
        "1092300")
    assert cell(r, t, category="personnel", of=JY_DEPT, item="合计").yuan == Decimal(
        "14596200")
    # 30101 has two finer rows in 301001 and one in 301604.
    assert len({x.row for x in amounts(r, t) if x.economic_ref == "30101" and x.item}) == 3
    assert not [p for p in r.problems if p.table == t]


def test_jiangyou_projects_under_their_subject(docs: dict[str, DocumentRecords]) -> None:
    r = docs[JIANGYOU]
    t = "一般公共预算项目支出预算表"
    projects = {p.name: p for p in r.projects}
    p = projects["政府办综合事务专项经费"]
    assert (p.run_by_ref, p.subject_ref, p.fiscal_year) == (JY_OFFICE, "2010302", 2024)
    a = cell(r, t, category="project", functional="2010302", of=JY_OFFICE,
             item="政府办综合事务专项经费", project=p.id)
    assert (a.yuan, a.fund) == (Decimal("2110000"), "general_public")
    assert projects["党建工作专项经费"].run_by_ref == JY_OFFICE
    assert projects["外事工作专项经费"].subject_ref == "2010305"
    assert projects["政务服务信息化运维经费"].run_by_ref == JY_CENTRE
    table_projects = {x.project_ref for x in amounts(r, t) if x.project_ref}
    assert len(table_projects) == 7
    assert "单位运转项目（不可细化）" not in projects
    # The grouping 单位运转项目（不可细化） is the 项's own row; the projects are its details.
    for unit, own in ((JY_OFFICE, "2140000"), (JY_CENTRE, "499200")):
        row = cell(r, t, category="project", functional="2010302", of=unit)
        assert row.yuan == Decimal(own) and row.project_ref is None
        assert sum(x.yuan for x in amounts(r, t) if x.of_ref == unit and x.project_ref
                   and x.functional_ref == "2010302") == row.yuan
    assert cell(r, t, category="project", functional="2010305", of=JY_OFFICE).yuan == Decimal(
        "60000")
    # The headings printed with the 款 code (201 03) above each 项: one row per 项.
    headings = [x for x in amounts(r, t) if x.functional_ref == "20103"]
    assert [(x.of_ref, x.yuan, x.item) for x in headings] == [
        (JY_OFFICE, Decimal("2140000"), None), (JY_OFFICE, Decimal("60000"), None),
        (JY_CENTRE, Decimal("499200"), None)]
    names = {s.code: s.name for s in r.functional_subjects}
    assert names["20103"] == "政府办公厅（室）及相关机构事务"
    assert cell(r, t, category="project", item="合计").yuan == Decimal("2699200")
    assert not [p for p in r.problems if p.table == t]


def test_jiangyou_empty_fund_tables(docs: dict[str, DocumentRecords]) -> None:
    r = docs[JIANGYOU]
    assert amounts(r, "政府性基金支出预算表") == []
    assert amounts(r, "国有资本经营预算支出预算表") == []


# --- 涞源 2024 -----------------------------------------------------------------------


def test_laiyuan_expenditure_with_row_numbers(docs: dict[str, DocumentRecords]) -> None:
    r = docs[LAIYUAN]
    t = "部门预算支出总表"
    a = cell(r, t, category="total", functional="2010301")
    assert (a.yuan, a.of_ref, a.fund, a.printed_unit) == (Decimal("11045400"), LY_DEPT, "all",
                                                          "万元")
    assert cell(r, t, category="basic", functional="2010301").yuan == Decimal("10045600")
    assert cell(r, t, category="project", functional="2010301").yuan == Decimal("999800")
    assert cell(r, t, category="project", functional="2150805").yuan == Decimal("450000")
    assert cell(r, t, category="total", item="合计").yuan == Decimal("14868300")
    # The 序号 column (1 … 17) is not money.
    assert {a.id.rsplit("-", 1)[1] for a in amounts(r, t)} == {"3", "4", "5"}
    assert len({a.row for a in amounts(r, t)}) == 17


def test_laiyuan_general_budget_tables(docs: dict[str, DocumentRecords]) -> None:
    r = docs[LAIYUAN]
    g = cell(r, "部门预算一般公共预算财政拨款支出表", category="total", functional="2080506")
    assert (g.yuan, g.fund) == (Decimal("347300"), "general_public")
    t = "部门预算一般公共预算财政拨款基本支出表"
    reception = cell(r, t, category="public", economic="30217")
    assert (reception.yuan, reception.table_kind) == (Decimal("950000"), "general_budget_basic")
    assert cell(r, t, category="personnel", economic="30301").yuan == Decimal("142700")
    assert cell(r, t, category="personnel", item="合计").yuan == Decimal("8221800")
    assert amounts(r, "部门预算政府性基金预算财政拨款支出表") == []
    assert amounts(r, "部门预算国有资本经营预算财政拨款支出表") == []


# --- 潼南 2024 决算 -------------------------------------------------------------------


def test_tongnan_expenditure_final_account(docs: dict[str, DocumentRecords]) -> None:
    r = docs[TONGNAN]
    t = "支出决算表"
    a = cell(r, t, category="total", functional="2010301")
    assert (a.yuan, a.measure, a.printed_unit, a.printed, a.fund, a.of_ref) == (
        Decimal("7171195.84"), "actual", "元", "7,171,195.84", "all", TN_DEPT)
    # A printed 0.00 is an amount.
    zero = cell(r, t, category="project", functional="2010301")
    assert zero.yuan == 0 and zero.printed == "0.00"
    assert cell(r, t, category="other", functional="2010301",
                item="上缴上级支出").yuan == 0
    assert cell(r, t, category="other", item="经营支出").yuan == 0  # on the 合计 row
    assert cell(r, t, category="basic", item="合计").yuan == Decimal("14859110.71")
    assert len(amounts(r, t)) == 20 * 6


def test_tongnan_general_budget_column_groups(docs: dict[str, DocumentRecords]) -> None:
    r = docs[TONGNAN]
    t = "一般公共预算财政拨款收入支出决算表"
    spent = cell(r, t, category="total", functional="2010301")
    assert (spent.yuan, spent.fund, spent.measure) == (
        Decimal("7171195.84"), "general_public", "actual")
    assert cell(r, t, category="basic", functional="2010350").yuan == Decimal("3647471.96")
    assert cell(r, t, category="project", functional="2010302").yuan == Decimal("5031428.80")
    opening = cell(r, t, category="carry_over", functional="2010301",
                   item="年初结转和结余/基本支出结转")
    assert opening.yuan == 0
    closing = cell(r, t, category="carry_over", functional="2010302",
                   item="年末结转和结余/项目支出结转和结余/项目支出结余")
    assert closing.yuan == 0
    income = cell(r, t, category="income", functional="2101101", item="本年收入/合计")
    assert income.yuan == Decimal("462799.60")
    assert cell(r, t, category="total", item="合计").yuan == Decimal("19890539.51")
    # On the 合计 row the columns with an item of their own are named by it alone.
    assert cell(r, t, category="income", item="本年收入/基本支出").yuan == Decimal("14859110.71")
    assert len(amounts(r, t)) == 20 * 13
    # 201 is printed there as 一般公共预算支出; the code list's name is kept and it is reported.
    assert {s.code: s.name for s in r.functional_subjects}["201"] == "一般公共服务支出"
    assert [p.row for p in r.problems if p.table == t] == [6]


def test_tongnan_basic_expenditure_side_by_side(docs: dict[str, DocumentRecords]) -> None:
    r = docs[TONGNAN]
    t = "一般公共预算财政拨款基本支出决算明细表"
    reception = cell(r, t, category="public", economic="30217")
    assert (reception.yuan, reception.fund, reception.measure) == (
        Decimal("105326.00"), "general_public", "actual")
    assert cell(r, t, category="personnel", economic="301").yuan == Decimal("11593416.81")
    assert cell(r, t, category="personnel", economic="30305").yuan == Decimal("764776.00")
    assert cell(r, t, category="public", economic="302").yuan == Decimal("2434543.90")
    assert cell(r, t, category="personnel", item="人员经费合计").yuan == Decimal("12424566.81")
    assert cell(r, t, category="public", item="公用经费合计").yuan == Decimal("2434543.90")
    # Blank cells (30203 咨询费, the whole 310 / 312 / 399 groups) are absent.
    assert not [a for a in amounts(r, t) if a.economic_ref in ("30203", "310", "31001", "399")]
    personnel = [a for a in amounts(r, t) if a.category == "personnel" and a.economic_ref
                 and len(a.economic_ref) == 3]
    assert sum(a.yuan for a in personnel) == Decimal("12424566.81")
    assert len(amounts(r, t)) == 35


def test_tongnan_zero_fund_tables(docs: dict[str, DocumentRecords]) -> None:
    r = docs[TONGNAN]
    fund = amounts(r, "政府性基金预算财政拨款收入支出决算表")
    assert len(fund) == 2 * 13 and {a.yuan for a in fund} == {0}
    assert {a.fund for a in fund} == {"government_fund"}
    assert all(a.functional_ref is None for a in fund)
    assert {a.item for a in fund if a.category == "total"} == {"合计"}
    capital = amounts(r, "国有资本经营预算财政拨款收入支出决算表")
    assert len(capital) == 2 * 8 and {a.fund for a in capital} == {"state_capital"}
    assert {a.category for a in capital} == {"carry_over", "income", "total"}


# --- layout -----------------------------------------------------------------------------


def test_header_shifted_left_is_matched_in_order() -> None:
    """潼南 05表 prints its group headers one column left of the values; the 栏次 row and
    the order of the header leaves put them back."""
    rows = [
        ["科目代码", "科目名称", "本年收入", "", "本年支出", "", ""],
        ["", "", "合计", "基本支出", "合计", "基本支出", ""],
        ["类", "款", "项", "1", "2", "3", "4"],
        ["201", "", "一般公共服务支出", "1.00", "2.00", "3.00", "4.00"],
    ]
    layout = grid.read_layout(rows)
    assert layout.name_col == 2 and layout.code_cols == [0, 1]
    assert [(c.index, c.category, c.item) for c in layout.columns] == [
        (3, "income", "本年收入/合计"), (4, "income", "本年收入/基本支出"),
        (5, "total", None), (6, "basic", None)]


def test_repeated_merged_header_cells() -> None:
    """涞源's reader repeats a merged cell in every column it spans."""
    rows = [
        ["序号", "支出部门经济分类科目", "支出部门经济分类科目", "一般公共预算基本支出",
         "一般公共预算基本支出", "一般公共预算基本支出"],
        ["", "科目编码", "科目名称", "合计", "人员经费", "公用经费"],
        ["1", "", "合计", "10.00", "6.00", "4.00"],
        ["2", "301", "工资福利支出", "6.00", "6.00", ""],
    ]
    layout = grid.read_layout(rows)
    assert (layout.code_cols, layout.name_col) == ([1], 2)
    assert [(c.index, c.category) for c in layout.columns] == [
        (3, "total"), (4, "personnel"), (5, "public")]


def test_a_table_without_money_unit_is_reported(docs: dict[str, DocumentRecords]) -> None:
    """Guessing 万元 or 元 would be off by 10 000: such a table is reported, not loaded."""
    r = docs[RUOQIANG]
    ctx = Context(read=ReadDocument(source="x.txt", sha256="0" * 64, blocks=[]),
                  records=DocumentRecords(document=r.document), department=r.departments[0],
                  region_code="652824", fiscal_year=2024, kind="budget")
    table = Table(title="部门支出总体情况表", line=1, rows=[
        ["功能分类科目编码", "", "", "功能分类科目名称", "合计"],
        ["201", "", "", "一般公共服务支出", "683.70"]])
    extract_subject_table(table, ctx)
    assert ctx.records.amounts == []
    assert [p.severity for p in ctx.records.problems] == ["error"]
