"""The 上海市普陀区 disclosures of the corpus, loaded end to end from their PDFs.

Twelve documents (tests/fixtures/corpus, see MANIFEST.tsv there): department budgets
(部门预算, cover ``上海市普陀区2025年区级部门预算`` + ``预算主管部门：…``), unit budgets
(单位预算, cover ``…区级单位预算`` + ``预算单位：…``), two final accounts (部门决算) and a
deliberately altered copy of one of them, plus a blank 决算 template.  Budgets print in 元
(the 三公 table in 万元), with codes over 类 | 款 | 项 columns; 万里街道 prints whole 元
without decimals and drops the leading zero of some 款 (``301 | 2``); final accounts
print in 万元 and put their economic classification in two lists side by side.

No Shanghai document of the corpus prints a 项目支出绩效目标表 (they refer to the unit's
own forms: ``详见单位的项目绩效目标表``), so there are no indicators to load; projects come
from the ``…项目经费情况说明`` sections of the budgets.

Every value asserted here was read in the PDF.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fiscal_kg.cli import app
from fiscal_kg.config import settings
from loaders.checks import Finding, check_amounts, check_records
from loaders.pipeline import LoadError, load_document
from ontology.records import Amount, DocumentRecords
from store.ladybug import open_store
from store.writer import write

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
PUTUO = "310107"

# file → (department, fiscal year, kind, document title)
DOCUMENTS = {
    "sh-putuo_commerce_2025_budget_dept.pdf": (
        "上海市普陀区商务委员会", 2025, "budget", "上海市普陀区商务委员会2025年部门预算"),
    "sh-putuo_commerce_2025_budget_unit.pdf": (
        "上海市普陀区商务委员会", 2025, "budget", "上海市普陀区商务委员会2025年单位预算"),
    "sh-putuo_finance-bureau_2024_final.pdf": (
        "上海市普陀区财政局", 2024, "final_account", "上海市普陀区财政局2024年部门决算"),
    "sh-putuo_finance-bureau_2024_final_TAMPERED.pdf": (
        "上海市普陀区财政局", 2024, "final_account", "上海市普陀区财政局2024年部门决算"),
    "sh-putuo_finance-bureau_2025_budget_dept.pdf": (
        "上海市普陀区财政局", 2025, "budget", "上海市普陀区财政局2025年部门预算"),
    "sh-putuo_gov-office_2025_budget_dept.pdf": (
        "上海市普陀区人民政府办公室", 2025, "budget", "上海市普陀区人民政府办公室2025年部门预算"),
    "sh-putuo_gov-office_2025_budget_unit.pdf": (
        "上海市普陀区人民政府办公室", 2025, "budget", "上海市普陀区人民政府办公室2025年单位预算"),
    "sh-putuo_justice-bureau_2026_budget.pdf": (
        "上海市普陀区司法局", 2026, "budget", "上海市普陀区司法局2026年部门预算"),
    "sh-putuo_justice-bureau_2026_budget_unit.pdf": (
        "上海市普陀区司法局", 2026, "budget", "上海市普陀区司法局2026年单位预算"),
    "sh-putuo_social-work-dept_2024_final.pdf": (
        "中共上海市普陀区委社会工作部", 2024, "final_account",
        "中共上海市普陀区委社会工作部2024年部门决算"),
    "sh-putuo_wanli-subdistrict_2024_budget.pdf": (
        "上海市普陀区人民政府万里街道办事处", 2024, "budget",
        "上海市普陀区人民政府万里街道办事处2024年部门预算"),
    "sh-putuo_wanli-subdistrict_2025_budget.pdf": (
        "上海市普陀区人民政府万里街道办事处", 2025, "budget",
        "上海市普陀区人民政府万里街道办事处2025年部门预算"),
}
BUDGET_KINDS = [
    "income_expenditure_summary", "income", "expenditure", "fiscal_summary",
    "general_budget_expenditure", "government_fund", "state_capital", "general_budget_basic",
    "three_public"]
FINAL_KINDS = [
    None, "income_expenditure_summary", "income", "expenditure", "fiscal_summary",
    "general_budget_expenditure", "general_budget_basic", "three_public", "government_fund",
    "state_capital"]
FINANCE_FINAL = "sh-putuo_finance-bureau_2024_final.pdf"
TAMPERED = "sh-putuo_finance-bureau_2024_final_TAMPERED.pdf"


@cache
def load(name: str) -> DocumentRecords:
    return load_document(CORPUS / name)


def wan(text: str) -> Decimal:
    return Decimal(text) * 10000


def cell(records: DocumentRecords, table: str, *, category: str = "total",
         functional: str | None = None, economic: str | None = None,
         measure: str | None = None, item: str | None = None,
         project: bool = False) -> Amount:
    """The one amount of a table (titled ``table``, or with ``table`` in its title when no
    table has that title) matching the rest."""
    exact = any(a.table == table for a in records.amounts)
    hits = [a for a in records.amounts
            if (a.table == table if exact else table in a.table)
            and a.category == category and a.functional_ref == functional
            and a.economic_ref == economic and (measure is None or a.measure == measure)
            and (item is None or a.item == item) and (a.project_ref is not None) == project]
    assert len(hits) == 1, [(a.table, a.row, a.item, a.yuan) for a in hits]
    return hits[0]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


# --- every document ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_loads_with_its_department_region_year_and_kind(name: str) -> None:
    records = load(name)
    department, year, kind, title = DOCUMENTS[name]
    doc = records.document
    assert (doc.title, doc.fiscal_year, doc.kind) == (title, year, kind)
    assert [(d.name, d.region_ref) for d in records.departments] == [(department, PUTUO)]
    # 上海市 → 普陀区 (a 直辖市 district: no prefecture between); 万里街道 is no county
    assert [(r.code, r.name) for r in records.regions] == [
        ("310000", "上海市"), (PUTUO, "普陀区")]
    assert len(records.amounts) > 100
    assert all(a.fiscal_year == year for a in records.amounts)
    kinds = [t.kind for t in records.tables]
    if kind == "budget":
        assert kinds == BUDGET_KINDS
    else:
        # the only table not recognised is the untitled list of units (部门决算单位构成)
        assert kinds == FINAL_KINDS or (name == TAMPERED and kinds == [
            k for k in FINAL_KINDS if k != "expenditure"])
        unlisted = records.tables[0]
        assert (unlisted.title, unlisted.kind, unlisted.amounts) == ("", None, 0)


def test_load_report_lists_tables_with_pages() -> None:
    reports = load("sh-putuo_commerce_2025_budget_dept.pdf").tables
    assert [(t.title, t.kind, t.page) for t in reports] == [
        ("2025年部门财务收支预算总表", "income_expenditure_summary", 9),
        ("2025年部门收入预算总表", "income", 10),
        ("2025年部门支出预算总表", "expenditure", 12),
        ("2025年部门财政拨款收支预算总表", "fiscal_summary", 14),
        ("2025年部门一般公共预算支出功能分类预算表", "general_budget_expenditure", 15),
        ("2025年部门政府性基金预算支出功能分类预算表", "government_fund", 17),
        ("2025年部门国有资本经营预算支出功能分类预算表", "state_capital", 18),
        ("2025年部门一般公共预算基本支出部门预算经济分类预算表", "general_budget_basic", 19),
        ("2025年部门“三公”经费和机关运行经费预算表", "three_public", 21),
    ]
    # the two fund tables say they are empty (故本表为空表); all others yield amounts
    assert [t.page for t in reports if t.empty] == [17, 18]
    assert all(t.amounts for t in reports if not t.empty)


def test_blank_template_is_refused_with_one_message() -> None:
    """附件2 is the 决算 template of 上海市XX局: no real department, nothing to load."""
    with pytest.raises(LoadError) as caught:
        load_document(CORPUS / "template_dept-final-account_attachment2.pdf")
    assert str(caught.value) == (
        "template_dept-final-account_attachment2.pdf: a blank template, not a disclosure: "
        "its publisher is a placeholder (上海市XX局2024年度部门决算); nothing loaded")


# --- values, document by document ----------------------------------------------------------

def test_commerce_department_budget_values() -> None:
    r = load("sh-putuo_commerce_2025_budget_dept.pdf")
    spending = "2025年部门支出预算总表"
    # 类 and 项 (元, codes over 类 | 款 | 项)
    assert cell(r, spending, functional="201").yuan == Decimal("21601733.00")
    assert cell(r, spending, category="project", functional="201").yuan == Decimal("9310000.00")
    assert cell(r, spending, category="basic", functional="2011301").yuan == Decimal(
        "9389913.00")
    assert cell(r, "收入预算总表", functional="2150899").yuan == Decimal("293810000.00")
    # economic classification (部门预算经济分类: the department scheme)
    reception = cell(r, "经济分类预算表", category="public", economic="30217")
    assert reception.yuan == Decimal("10000.00")
    scheme = {s.code: (s.name, s.scheme) for s in r.economic_subjects}
    assert scheme["30217"] == ("公务接待费", "department")
    assert cell(r, "经济分类预算表", category="personnel", economic="301").yuan == Decimal(
        "16671057.00")
    # 三公 in 万元: 合计 1.00, all of it 公务接待费; 机关运行经费 171.01
    three = "“三公”经费和机关运行经费预算表"
    assert cell(r, three, category="three_public").yuan == wan("1.00")
    assert cell(r, three, category="official_reception").yuan == wan("1.00")
    assert cell(r, three, category="office_operation").yuan == wan("171.01")
    # a project of the 项目经费情况说明 sections: 2025年度项目总预算1720.00万
    project = cell(r, "narrative", category="project", project=True, item="科技创新专项")
    assert project.yuan == wan("1720.00") and project.measure == "budget"
    assert [p.name for p in r.projects] == [
        "科技创新专项", "生命健康专项（政策资金）", "商业创新专项（政策资金）",
        "贸易高质量发展专项（政策资金）"]
    assert check_records(r) == []


def test_commerce_unit_budget_splits_basic_spending_in_its_summary() -> None:
    r = load("sh-putuo_commerce_2025_budget_unit.pdf")
    summary = "2025年预算单位财务收支预算总表"
    assert cell(r, summary, functional="201").yuan == Decimal("21601733.00")
    assert cell(r, summary, category="personnel", functional="201").yuan == Decimal(
        "10823891.00")
    assert cell(r, summary, category="public", functional="201").yuan == Decimal("1467842.00")
    assert cell(r, summary, category="project", functional="201").yuan == Decimal("9310000.00")
    assert errors(check_records(r)) == []


def test_finance_bureau_final_account_values() -> None:
    r = load(FINANCE_FINAL)
    spending = "支出决算表"
    assert cell(r, "收入支出决算总表", functional="201").yuan == wan("2106.66")
    item = [a for a in r.amounts if a.table == spending and a.functional_ref == "2010601"]
    assert {a.category: a.yuan for a in item} == {
        "total": wan("1511.89"), "basic": wan("1503.52"), "project": wan("8.37")}
    assert all(a.measure == "actual" and a.page == 10 for a in item)
    # economic subjects in two lists side by side (类 | 款 | 科目名称 | 决算数, twice)
    basic = "一般公共预算财政拨款基本支出决算表"
    assert cell(r, basic, category="basic", economic="30101").yuan == wan("262.33")
    assert cell(r, basic, category="basic", economic="302").yuan == wan("171.07")
    assert cell(r, basic, category="personnel", item="人员经费合计").yuan == wan("2152.26")
    assert cell(r, basic, category="public", item="公用经费合计").yuan == wan("184.65")
    # 三公: 预算数 0.95 万元 (all 公务接待费), 决算数 blank
    three = "财政拨款“三公”经费支出决算表"
    assert cell(r, three, category="three_public", measure="budget").yuan == wan("0.95")
    assert cell(r, three, category="official_reception", measure="budget").yuan == wan("0.95")
    assert not [a for a in r.amounts if a.table == three and a.measure == "actual"]
    # the text's 项 statement: 年初预算为1560.05万元，支出决算为1511.89万元
    assert cell(r, "narrative", functional="2010601", measure="budget").yuan == wan("1560.05")
    assert cell(r, "narrative", functional="2010601", measure="actual").yuan == wan("1511.89")


def test_social_work_final_account_values() -> None:
    r = load("sh-putuo_social-work-dept_2024_final.pdf")
    assert cell(r, "支出决算表", functional="201").yuan == wan("264.87")
    assert cell(r, "支出决算表", category="project", functional="2013999").yuan == wan("202.24")
    assert cell(r, "基本支出决算表", category="basic", economic="302").yuan == wan("10.23")
    assert cell(r, "基本支出决算表", category="basic", economic="30101").yuan == wan("14.12")
    # 本年度没有财政拨款“三公”经费支出，故本表无数据
    assert [t.empty for t in r.tables if t.kind == "three_public"] == [True]
    assert errors(check_records(r)) == []


def test_justice_bureau_department_and_unit_budgets_differ() -> None:
    """The 部门 budget covers all units of 司法局, the 单位 budget the bureau itself."""
    dept = load("sh-putuo_justice-bureau_2026_budget.pdf")
    unit = load("sh-putuo_justice-bureau_2026_budget_unit.pdf")
    assert cell(dept, "部门支出预算总表", functional="204").yuan == Decimal("87267272.44")
    assert cell(unit, "单位支出预算总表", functional="204").yuan == Decimal("79189400.34")
    assert cell(dept, "部门支出预算总表", category="basic", functional="2040601").yuan == Decimal(
        "16726725.44")
    assert cell(dept, "经济分类预算表", category="personnel", economic="30101").yuan == Decimal(
        "2892504.00")
    three = "“三公”经费和机关运行经费预算表"
    assert cell(dept, three, category="three_public").yuan == wan("10.81")
    assert cell(dept, three, category="official_reception").yuan == wan("0.83")
    assert cell(dept, three, category="vehicle_operation").yuan == wan("9.98")
    assert cell(dept, three, category="overseas_travel").yuan == Decimal(0)  # printed 0
    assert cell(dept, three, category="office_operation").yuan == wan("217.83")
    mediation = cell(dept, "narrative", category="project", project=True, item="人民调解")
    assert mediation.yuan == wan("795")
    (project,) = dept.projects
    assert project.goal and project.goal.startswith("通过政府购买区人民调解协会服务工作模式")
    assert check_records(dept) == []
    # the unit budget prints 项目支出 64,840,547.00 on the 行政运行 row (2040601), which the
    # 项 rows below already hold: the check reports it, with the table and row
    found = {(f.identity, f.table, f.row) for f in errors(check_records(unit))}
    assert found == {
        ("subject_tree", "2026年预算单位支出预算总表", 4),
        ("subject_tree", "2026年预算单位一般公共预算支出功能分类预算表", 4),
        ("basic_plus_project", "2026年预算单位支出预算总表", 5),
        ("basic_plus_project", "2026年预算单位一般公共预算支出功能分类预算表", 5)}


def test_wanli_subdistrict_whole_yuan_and_codes_without_leading_zero() -> None:
    """万里街道 is a 街道 of 普陀区 (region 310107), not a county of its own."""
    r = load("sh-putuo_wanli-subdistrict_2024_budget.pdf")
    assert cell(r, "部门支出预算总表", functional="201").yuan == Decimal("2932700")
    assert cell(r, "部门支出预算总表", category="project", functional="2010507").yuan == Decimal(
        "257700")
    assert cell(r, "财务收支预算总表", category="income", item="财政拨款收入").yuan == Decimal(
        "156211123")
    # printed 301 | 2 津贴补贴 and 301 | 7 绩效工资
    allowance = cell(r, "经济分类预算表", category="personnel", economic="30102")
    assert allowance.yuan == Decimal("16623810") and allowance.printed == "16,623,810"
    assert cell(r, "经济分类预算表", category="personnel", economic="30107").yuan == Decimal(
        "11447100")
    # the 三公 table prints figures although its note calls it empty: loaded, and reported
    assert cell(r, "三公", category="three_public").yuan == wan("47.91")
    assert cell(r, "三公", category="vehicle_purchase").yuan == wan("25")
    assert [(p.severity, p.table, p.page) for p in r.problems if p.severity != "rounding"] == [
        ("warning", "部门“三公”经费和机关运行经费预算表", 31)]
    assert errors(check_records(r)) == []
    r2025 = load("sh-putuo_wanli-subdistrict_2025_budget.pdf")
    assert cell(r2025, "三公", category="vehicle_purchase").yuan == wan("15")


def test_government_office_unit_budget_values() -> None:
    r = load("sh-putuo_gov-office_2025_budget_unit.pdf")
    assert cell(r, "单位支出预算总表", category="project", functional="2010399").yuan == Decimal(
        "20120000.00")
    assert cell(r, "单位支出预算总表", category="basic", functional="201").yuan == Decimal(
        "15686797.42")
    assert cell(r, "经济分类预算表", category="public", economic="302").yuan == Decimal(
        "1932777.54")
    three = "“三公”经费和机关运行经费预算表"
    assert cell(r, three, category="three_public").yuan == wan("867.50")
    assert cell(r, three, category="overseas_travel").yuan == wan("839.00")
    assert errors(check_records(r)) == []


# --- the altered final account ------------------------------------------------------------

def test_authentic_final_account_has_one_error_of_its_own() -> None:
    """Beyond rounding, the published 财政局 决算 has one finding, and it is the document's:
    its text says 财政拨款收入支出总计0.3万元 where 财政拨款收入支出决算总表 prints 总计
    2,961.68 万元 (the altered copy has 2961.68 there)."""
    r = load(FINANCE_FINAL)
    found = check_records(r)
    assert {f.severity for f in found} == {"error", "rounding"}
    (error,) = errors(found)
    assert (error.identity, error.table, error.expected, error.actual) == (
        "narrative_vs_tables", "narrative", wan("2961.68"), wan("0.3"))
    assert "财政拨款收入支出决算总表第33行" in error.message
    # rounding: 0.01 万元 here and there, and 302 = Σ of twelve 302xx rows (171.07 vs 171.09)
    assert all(abs(f.difference) <= wan("0.02") for f in found if f.severity == "rounding")
    assert [p for p in r.problems if p.severity not in ("rounding", "error")] == []


def test_tampered_final_account_findings() -> None:
    """What was altered (compared with the authentic file) and how each shows:

    * 收入支出总计 in the text: 2995.39 → 0 万元 (identity narrative_vs_tables);
    * the 支出决算表 (公开表三) removed; the 三公 table's row of figures removed;
    * 决算数小于预算数 turned into 大于 (行政运行, 职业年金) and 等于 (行政单位医疗);
    * the heading 2023年度部门决算情况说明, assets 截至2023年12月31日, the placeholder
      上海市普陀区XX局 left in a heading.
    """
    r = load(TAMPERED)
    (error,) = errors(check_records(r))
    assert (error.identity, error.table, error.expected, error.actual) == (
        "narrative_vs_tables", "narrative", wan("2995.39"), Decimal(0))
    assert "收入支出决算总表第31行" in error.message
    assert "应为 2,995.39 万元，实为 0.00 万元" in error.message
    problems = [(p.severity, p.table, p.page, p.message) for p in r.problems
                if p.severity != "rounding" and p.table != "narrative"]
    says = "but the text says 决算数"
    assert problems == [
        ("error", None, 7,
         "the text still holds the template's placeholder '部分上海市普陀区XX局202'"),
        ("error", None, 18,
         "the heading '第三部分上海市普陀区财政局2023年度部门决算情况说明' names 2023, "
         "but the document is the 2024 final account"),
        ("error", None, 19, f"年初预算为1560.05万元，支出决算为1511.89万元，{says}大于预算数"),
        ("error", None, 20, f"年初预算为80.81万元，支出决算为80.38万元，{says}大于预算数"),
        ("error", None, 21, f"年初预算为62.29万元，支出决算为60.99万元，{says}等于预算数"),
        ("error", None, 24, "a 2024 final account states a figure 截至2023年12月31日 "
                            "(expected 截至2024年12月31日)"),
        ("error", None, 2,
         "the contents list the table '支出决算表', but the document does not print it"),
        ("warning", "财政拨款“三公”经费支出决算表", 15,
         "the table prints no figure and does not say it is empty (空表); "
         "its rows may be missing"),
    ]
    # none of these statements is made by the authentic file
    authentic = [p for p in load(FINANCE_FINAL).problems
                 if p.severity != "rounding" and p.table != "narrative"]
    assert authentic == []


def test_check_command_reports_the_tampered_total(tmp_path: Path) -> None:
    with open_store(settings(tmp_path).ladybug_path) as store:
        assert all(o.ok for o in write(store, [load(TAMPERED)]))
    result = CliRunner().invoke(app, ["--data", str(tmp_path), "check", "--json"])
    assert result.exit_code == 1, result.output  # an error was found
    rows = [r for r in json.loads(result.stdout) if r["severity"] == "error"]
    assert [(r["identity"], r["expected"], r["actual"]) for r in rows] == [
        ("narrative_vs_tables", "29953900.00", "0.00")]


def _amount(key: str, printed: str, *, table: str, kind: str, item: str | None = None,
            functional: str | None = None, fund: str = "all") -> Amount:
    return Amount(id=f"doc-{key}", yuan=wan(printed), measure="actual", category="total",
                  fund=fund, fiscal_year=2024, table=table, table_kind=kind, item=item,
                  printed=printed, printed_unit="万元", row=1, of_ref="dept",
                  functional_ref=functional, document_ref="doc")


def test_text_agrees_when_any_table_prints_its_figure() -> None:
    """收支总表 rounds 208 to 326.71 where the other tables print 326.72: a text saying
    326.72 agrees with them; a text saying 0 for the 收入支出总计 agrees with nothing."""
    tables = [
        _amount("2-9-3", "326.71", table="收入支出决算总表", kind="income_expenditure_summary",
                functional="208"),
        _amount("6-10-4", "326.72", table="一般公共预算财政拨款支出决算表",
                kind="general_budget_expenditure", functional="208", fund="general_public"),
        _amount("2-31-1", "2995.39", table="收入支出决算总表", kind="income_expenditure_summary",
                item="收入总计"),
    ]
    text = [
        _amount("0-63-nf1", "326.72", table="narrative", kind="narrative_final",
                functional="208", fund="general_public"),
        _amount("0-50-nf2", "0", table="narrative", kind="narrative_final", item="收入支出总计"),
    ]
    found = check_amounts([*tables, *text], {"dept"}, only=["narrative_vs_tables"])
    assert [(f.severity, f.expected, f.actual) for f in found] == [
        ("error", wan("2995.39"), Decimal(0))]
