"""The identity checks: hand-built rows first, then the seed documents as loaded."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fiscal_kg.check import run_check
from fiscal_kg.cli import app
from fiscal_kg.config import settings
from loaders import checks
from loaders.checks import Finding, check_amounts, check_records
from loaders.pipeline import load_document
from ontology.records import Amount, DocumentRecords
from store.ladybug import open_store
from store.writer import write

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DOC = "d0c"
DEPT = "130630-涞源县人民政府办公室"
_cells = count()


def cell(printed: str, *, row: int, category: str = "total", unit: str = "万元",
         table: str = "部门预算支出总表", kind: str = "expenditure", line: int = 10,
         functional: str | None = None, economic: str | None = None, item: str | None = None,
         project: str | None = None, of: str = DEPT, fund: str = "all",
         measure: str = "budget") -> Amount:
    """One amount as an extractor would emit it (value printed in ``unit``)."""
    value = Decimal(printed.replace(",", ""))
    factor = Decimal(10000) if unit == "万元" else Decimal(1)
    return Amount(id=f"{DOC}-{line}-{row}-{next(_cells)}", yuan=value * factor, measure=measure,
                  category=category, fund=fund, fiscal_year=2024, table=table,
                  table_kind=kind, item=item, printed=printed, printed_unit=unit, page=3,
                  row=row, of_ref=of, functional_ref=functional, economic_ref=economic,
                  project_ref=project, document_ref=DOC)


def run(*amounts: Amount, only: str | None = None) -> list[Finding]:
    return check_amounts(amounts, {DEPT}, only=[only] if only else None)


# --- hand-built ------------------------------------------------------------------------

def test_class_row_not_equal_to_its_kuan_rows_is_an_error() -> None:
    found = run(
        cell("1255.37", row=2, functional="201"),
        cell("1200.00", row=3, functional="20103"),
        cell("50.00", row=4, functional="20106"),
        only="subject_tree")
    assert len(found) == 1
    f = found[0]
    assert (f.identity, f.severity, f.row) == ("subject_tree", "error", 2)
    assert f.expected == Decimal("12553700") and f.actual == Decimal("12500000")
    assert f.difference == Decimal("-53700")
    assert "201" in f.message and "款" in f.message and "-5.37 万元" in f.message


def test_difference_of_one_printed_unit_is_rounding() -> None:
    found = run(
        cell("1255.37", row=2, functional="201"),
        cell("1200.00", row=3, functional="20103"),
        cell("55.38", row=4, functional="20106"),
        only="subject_tree")
    assert [(f.severity, f.difference) for f in found] == [("rounding", Decimal("100"))]


def test_sums_that_hold_give_no_finding_at_every_level() -> None:
    found = run(
        cell("1486.83", row=1),  # 合计
        cell("1255.37", row=2, functional="201"),
        cell("1255.37", row=3, functional="20103"),
        cell("1104.54", row=4, functional="2010301"),
        cell("35.72", row=5, functional="2010302"),
        cell("115.11", row=6, functional="2010305"),
        cell("231.46", row=7, functional="208"),
        cell("231.46", row=8, functional="2080505"),  # 款 row not printed: 项 under 类
        only="subject_tree")
    assert found == []


def test_total_row_against_class_rows() -> None:
    found = run(cell("1486.83", row=1), cell("1255.37", row=2, functional="201"),
                cell("231.47", row=7, functional="208"), only="subject_tree")
    assert [(f.severity, f.row, f.actual) for f in found] == [
        ("rounding", 1, Decimal("14868400"))]


def test_detail_rows_are_not_double_counted_but_must_add_up() -> None:
    """基本工资 298.99 is printed as a 款 row and again split into two detail rows."""
    kw = {"table": "一般公共预算基本支出预算表", "kind": "general_budget_basic",
          "category": "personnel"}
    rows = [
        cell("447.28", row=1, economic="301", **kw),
        cell("298.99", row=2, economic="30101", **kw),
        cell("262.88", row=3, economic="30101", item="行政基本工资", **kw),
        cell("36.11", row=4, economic="30101", item="事业基本工资", **kw),
        cell("148.29", row=5, economic="30102", **kw),
    ]
    assert run(*rows, only="subject_tree") == []
    broken = [*rows[:3], cell("36.00", row=4, economic="30101", item="事业基本工资", **kw),
              rows[4]]
    found = run(*broken, only="subject_tree")
    assert [(f.row, f.severity, f.difference) for f in found] == [(2, "error", Decimal("-1100"))]
    assert "明细" in found[0].message


def test_department_row_equals_sum_of_unit_rows() -> None:
    kw = {"table": "部门支出总表"}
    rows = [cell("2058.80", row=1, **kw), cell("2058.80", row=2, **kw),
            cell("1560.74", row=3, of="u1", **kw),
            cell("957.18", row=4, of="u1", functional="2010301", **kw),
            cell("603.56", row=5, of="u1", functional="2010302", **kw),
            cell("498.06", row=6, of="u2", **kw),
            cell("498.06", row=7, of="u2", functional="2010350", **kw)]
    assert run(*rows, only="subject_tree") == []
    rows[5] = cell("497.06", row=6, of="u2", **kw)
    found = run(*rows, only="subject_tree")
    assert {(f.row, f.severity) for f in found} == {(1, "error"), (6, "error")}
    assert any("各单位" in f.message for f in found)


def test_same_code_printed_twice_splits_its_children_by_position() -> None:
    """A project table printing 20103 twice, each followed by its own 项 rows."""
    kw = {"table": "一般公共预算项目支出预算表", "kind": "general_budget_project",
          "category": "project"}
    rows = [cell("220.00", row=1, **kw),
            cell("214.00", row=2, functional="20103", **kw),
            cell("214.00", row=3, functional="2010302", **kw),
            cell("6.00", row=4, functional="20103", **kw),
            cell("6.00", row=5, functional="2010305", **kw)]
    assert run(*rows, only="subject_tree") == []


def test_basic_plus_project_not_equal_to_total_is_an_error() -> None:
    rows = [cell("1104.54", row=4, functional="2010301"),
            cell("1004.56", row=4, functional="2010301", category="basic"),
            cell("99.00", row=4, functional="2010301", category="project")]
    found = run(*rows, only="basic_plus_project")
    assert [(f.identity, f.severity, f.difference) for f in found] == [
        ("basic_plus_project", "error", Decimal("-9800"))]
    ok = [rows[0], rows[1], cell("99.98", row=4, functional="2010301", category="project")]
    assert run(*ok, only="basic_plus_project") == []
    blank_basic = [cell("35.72", row=5, functional="2010302"),
                   cell("35.72", row=5, functional="2010302", category="project")]
    assert run(*blank_basic, only="basic_plus_project") == []


def test_personnel_plus_public_against_basic() -> None:
    kw = {"table": "基本支出表", "kind": "general_budget_basic"}
    rows = [cell("1191.02", row=1, category="basic", **kw),
            cell("822.18", row=1, category="personnel", **kw),
            cell("368.85", row=1, category="public", **kw)]
    found = run(*rows, only="personnel_plus_public")
    assert [(f.severity, f.difference) for f in found] == [("rounding", Decimal("100"))]


def test_personnel_and_public_totals_against_the_documents_basic_total() -> None:
    yuan = {"unit": "元"}
    rows = [cell("14,859,110.71", row=1, category="basic", kind="expenditure", **yuan),
            cell("12,424,566.81", row=40, category="personnel", table="基本支出决算明细表",
                 kind="general_budget_basic", item="人员经费合计", fund="general_public", **yuan),
            cell("2,434,543.91", row=40, category="public", table="基本支出决算明细表",
                 kind="general_budget_basic", item="公用经费合计", fund="general_public", **yuan)]
    found = run(*rows, only="personnel_plus_public")
    # 0.01 元 is one printed unit in a table in 元.
    assert [(f.severity, f.difference) for f in found] == [("rounding", Decimal("0.01"))]
    assert "基本支出见部门预算支出总表" in found[0].message


def test_income_total_equals_expenditure_total() -> None:
    kw = {"table": "部门收支总表", "kind": "income_expenditure_summary"}
    rows = [cell("2,058.80", row=40, category="income", item="收入总计", **kw),
            cell("2,058.70", row=40, item="支出总计", **kw)]
    found = run(*rows, only="income_equals_expenditure")
    assert [(f.severity, f.expected, f.actual) for f in found] == [
        ("error", Decimal("20588000"), Decimal("20587000"))]


def test_same_subject_in_two_tables() -> None:
    a = cell("1727.84", row=2, functional="201", table="部门收支总表",
             kind="income_expenditure_summary")
    b = cell("1727.84", row=2, functional="201", table="财政拨款收支总表", kind="fiscal_summary")
    c = cell("1727.48", row=3, functional="201", table="部门支出总表")
    found = run(a, b, c, only="same_subject_across_tables")
    assert [(f.table, f.severity, f.expected) for f in found] == [
        ("部门支出总表", "error", Decimal("17278400"))]
    # Printed in 元 in one place and 万元 in the other: rounding explains it, no finding.
    d = cell("17,278,412.00", row=9, functional="201", table="支出决算表", unit="元")
    assert run(a, d, only="same_subject_across_tables") == []


def test_projects_against_project_total() -> None:
    total = cell("295.81", row=1, category="project")
    projects = [cell(v, row=3, category="project", project=f"p{i}", table=f"{i}、绩效目标表",
                     kind="project_performance", item="预算数", line=100 + i)
                for i, v in enumerate(["5.44", "13.98", "276.40"])]
    found = run(total, *projects, only="projects_vs_project_total")
    assert [(f.severity, f.expected, f.actual) for f in found] == [
        ("rounding", Decimal("2958100"), Decimal("2958200"))]
    # Performance tables may cover only some projects: a shortfall is not a finding ...
    assert run(total, *projects[:2], only="projects_vs_project_total") == []
    # ... but more than the total is.
    big = cell("300.00", row=3, category="project", project="p9", table="9、绩效目标表",
               kind="project_performance", line=300)
    found = run(total, *projects, big, only="projects_vs_project_total")
    assert [f.severity for f in found] == ["error"]


def test_project_total_stated_only_in_the_text() -> None:
    """Project actuals in 元 against 项目支出 503.14 万元 stated in prose: rounding to the
    text's precision is agreement; 503.15 万元 is one printed unit off."""
    projects = [cell(v, row=4, category="project", project=f"p{i}", unit="元",
                     table="2024 年度二级项目绩效自评表", kind="project_self_evaluation",
                     item="年度总金额", line=500 + i, measure="actual")
                for i, v in enumerate(["496,454.03", "4,534,974.77"])]

    def stated(printed: str) -> Amount:
        return cell(printed, row=77, category="project", table="narrative",
                    kind="narrative_final", item="项目支出", line=0, measure="actual")

    assert run(stated("503.14"), *projects, only="projects_vs_project_total") == []
    found = run(stated("503.15"), *projects, only="projects_vs_project_total")
    assert [(f.severity, f.expected, f.actual) for f in found] == [
        ("rounding", Decimal("5031500"), Decimal("5031428.80"))]
    assert "说明正文" in found[0].message


def test_findings_serialise_money_as_strings() -> None:
    f = run(cell("10.00", row=1, functional="201"), cell("9.00", row=2, functional="20103"),
            only="subject_tree")[0]
    d = f.as_dict()
    assert d["expected"] == "100000.00" and d["difference"] == "-10000.00"
    assert d["severity"] == "error"


def test_registry_names() -> None:
    assert [name for name, _ in checks.IDENTITIES] == [
        "subject_tree", "basic_plus_project", "personnel_plus_public",
        "income_equals_expenditure", "same_subject_across_tables", "projects_vs_project_total",
        "narrative_vs_tables"]


# --- the seed documents, as loaded ------------------------------------------------------

@pytest.fixture(scope="module")
def laiyuan() -> DocumentRecords:
    return load_document(SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt")


@pytest.fixture(scope="module")
def tongnan() -> DocumentRecords:
    return load_document(SAMPLES / "500152_tongnan_gov-office_2024_final.txt")


@pytest.fixture(scope="module")
def jiangyou() -> DocumentRecords:
    return load_document(SAMPLES / "510781_jiangyou_gov-office_2024_budget.txt")


def changed(records: DocumentRecords, pick: Callable[[Amount], bool],
            delta: str) -> list[Finding]:
    """The findings after one cell is changed by ``delta`` 元 (a misprint or a misreading)."""
    hits = [a for a in records.amounts if pick(a)]
    assert len(hits) == 1, hits
    amounts = [replace(a, yuan=a.yuan + Decimal(delta)) if a is hits[0] else a
               for a in records.amounts]
    return check_amounts(amounts, {d.id for d in records.departments})


def summary(found: list[Finding]) -> list[tuple[str, str, str | None, int | None, Decimal,
                                                Decimal]]:
    return [(f.identity, f.severity, f.table, f.row, f.expected, f.actual) for f in found]


def test_laiyuan_fourteen_projects_add_to_one_hundred_yuan_more_than_printed(
        laiyuan: DocumentRecords) -> None:
    """14 project budgets add to 295.82 万元; 部门预算支出总表 prints 项目支出 295.81 万元."""
    found = check_records(laiyuan)
    assert summary(found) == [(
        "projects_vs_project_total", "rounding", "1、OA系统服务费绩效目标表", 1,
        Decimal("2958100"), Decimal("2958200"))]
    f = found[0]
    assert f.difference == Decimal("100") and f.printed_unit == "万元"
    assert f.document == laiyuan.document.id
    assert "14 个项目" in f.message and "部门预算支出总表" in f.message
    assert "应为 295.81 万元，实为 295.82 万元" in f.message


def test_laiyuan_misprinted_subject_in_one_table(laiyuan: DocumentRecords) -> None:
    """201 is printed in four tables; changed in 财政拨款收支总表 it no longer matches the
    others, nor does that table's 本年支出合计 match its 类 rows."""
    found = changed(laiyuan, lambda a: a.table_kind == "fiscal_summary"
                    and a.functional_ref == "201" and a.fund == "all", "-1000")
    assert summary(found)[:2] == [
        ("subject_tree", "error", "部门预算财政拨款收支总表", 33, Decimal("14868300"),
         Decimal("14867300")),
        ("same_subject_across_tables", "error", "部门预算财政拨款收支总表", 2,
         Decimal("12553700"), Decimal("12552700"))]
    assert "部门预算收支总表" in found[1].message


def test_tongnan_ten_projects_add_exactly_to_project_expenditure(
        tongnan: DocumentRecords) -> None:
    """10 project actuals add to 5,031,428.80 元 = 项目支出 of 支出决算表: nothing to report."""
    projects = {a.project_ref: a.yuan for a in tongnan.amounts
                if a.table_kind == "project_self_evaluation" and a.measure == "actual"
                and a.fund == "all"}
    assert len(projects) == 10 and sum(projects.values()) == Decimal("5031428.80")
    found = check_records(tongnan)
    assert [f for f in found if f.severity == "error"] == []
    assert found == []


def test_tongnan_project_check_sees_a_cent(tongnan: DocumentRecords) -> None:
    """The same check is live on this document: one cent more is rounding, 1000 元 an error."""
    def meeting(a: Amount) -> bool:
        return (a.project_ref == "50015224T000004234131" and a.measure == "actual"
                and a.fund == "all")

    assert summary(changed(tongnan, meeting, "0.01")) == [(
        "projects_vs_project_total", "rounding", "2024 年度二级项目绩效自评表", 4,
        Decimal("5031428.80"), Decimal("5031428.81"))]
    assert [f.severity for f in changed(tongnan, meeting, "1000")] == ["error"]


def test_tongnan_side_by_side_basic_expenditure_table(tongnan: DocumentRecords) -> None:
    """06表 prints 人员经费 and 公用经费 side by side; 302 = Σ 302xx and the two totals add
    up to 基本支出 14,859,110.71 元 of another table."""
    found = changed(tongnan, lambda a: a.item == "公用经费合计", "1")
    assert summary(found) == [
        ("subject_tree", "error", "一般公共预算财政拨款基本支出决算明细表", 35,
         Decimal("2434544.90"), Decimal("2434543.90")),
        ("personnel_plus_public", "error", "一般公共预算财政拨款基本支出决算明细表", 35,
         Decimal("14859110.71"), Decimal("14859111.71")),
    ]


def test_jiangyou_2024_tables_are_consistent(jiangyou: DocumentRecords) -> None:
    """Per-unit blocks, detail rows under 款 codes, grouped projects: every identity holds."""
    assert check_records(jiangyou) == []


def test_jiangyou_2024_unit_block_and_row(jiangyou: DocumentRecords) -> None:
    """部门支出总表: 政务服务中心 (301604) 498.06 = Σ its 项 rows; 377.72 = 377.72 + 0."""
    found = changed(jiangyou, lambda a: a.table == "部门支出总表"
                    and a.functional_ref == "2010350" and a.of_ref == "510781-301604"
                    and a.category == "total", "10000")
    assert summary(found) == [
        ("subject_tree", "error", "部门支出总表", 14, Decimal("4980600"), Decimal("4990600")),
        ("basic_plus_project", "error", "部门支出总表", 15, Decimal("3787200"),
         Decimal("3777200")),
    ]
    assert "各项行" in found[0].message


def test_jiangyou_2024_detail_rows(jiangyou: DocumentRecords) -> None:
    """基本工资 298.99 = 行政基本工资 262.88 + 事业基本工资 36.11 (details under 30101)."""
    found = changed(jiangyou, lambda a: a.item == "行政基本工资" and a.category == "personnel",
                    "-1000")
    assert ("subject_tree", "error", "一般公共预算基本支出预算表", 7, Decimal("2989900"),
            Decimal("2988900")) in summary(found)


def test_jiangyou_2024_grouped_projects(jiangyou: DocumentRecords) -> None:
    """单位运转项目（不可细化） 214.00 = 党建工作专项经费 3.00 + 政府办综合事务专项经费 211.00,
    and the seven projects add to 项目支出 269.92 万元."""
    found = changed(jiangyou, lambda a: a.item == "党建工作专项经费"
                    and a.table_kind == "general_budget_project", "100")
    assert summary(found) == [
        ("subject_tree", "rounding", "一般公共预算项目支出预算表", 6, Decimal("2140000"),
         Decimal("2140100")),
        ("projects_vs_project_total", "rounding", "一般公共预算项目支出预算表", 7,
         Decimal("2699200"), Decimal("2699300")),
    ]


def test_jiangyou_2024_income_and_expenditure_totals(jiangyou: DocumentRecords) -> None:
    found = changed(jiangyou, lambda a: a.item == "支出总计", "-100000")
    assert summary(found) == [("income_equals_expenditure", "error", "部门收支总表", 36,
                               Decimal("20588000"), Decimal("20488000"))]


def test_ruoqiang_and_jiangyou_2020_have_no_findings() -> None:
    for name in ("652824_ruoqiang_gov-office_2024_budget.txt",
                 "510781_jiangyou_gov-office_2020_final.txt"):
        assert check_records(load_document(SAMPLES / name)) == []


# --- through the store and the command line ---------------------------------------------

def test_store_round_trip_and_command(tmp_path: Path, laiyuan: DocumentRecords,
                                      tongnan: DocumentRecords) -> None:
    path = settings(tmp_path).ladybug_path
    with open_store(path) as store:
        assert all(o.ok for o in write(store, [laiyuan, tongnan]))
    found = run_check(path)
    assert found == check_records(laiyuan) + check_records(tongnan)
    runner = CliRunner()
    result = runner.invoke(app, ["--data", str(tmp_path), "check", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["identity"], r["severity"], r["expected"], r["actual"]) for r in rows] == [
        ("projects_vs_project_total", "rounding", "2958100.00", "2958200.00")]
    text = runner.invoke(app, ["--data", str(tmp_path), "check"])
    assert text.exit_code == 0
    assert "130630_laiyuan_gov-office_2024_budget.txt" in text.stdout
    assert "0 error(s), 1 rounding difference(s)" in text.stdout


def test_command_exits_1_on_errors(tmp_path: Path, jiangyou: DocumentRecords) -> None:
    broken = replace(jiangyou, amounts=[
        replace(a, yuan=a.yuan - 100000) if a.item == "支出总计" else a
        for a in jiangyou.amounts])
    with open_store(settings(tmp_path).ladybug_path) as store:
        assert all(o.ok for o in write(store, [broken]))
    result = CliRunner().invoke(app, ["--data", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert "[error] income_equals_expenditure — 部门收支总表, row 36" in result.stdout
    assert "支出总计应等于收入总计：应为 2,058.80 万元，实为 2,048.80 万元" in result.stdout


def test_loading_reports_the_findings_as_problems(laiyuan: DocumentRecords) -> None:
    rounding = [p for p in laiyuan.problems if p.severity == "rounding"]
    assert [(p.source, p.table, p.row) for p in rounding] == [
        ("130630_laiyuan_gov-office_2024_budget.txt", "1、OA系统服务费绩效目标表", 1)]
    assert "应为 295.81 万元，实为 295.82 万元" in rounding[0].message
