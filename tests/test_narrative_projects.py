"""Projects described in prose (若羌 2024: ``1、项目名称: 政府办业务经费`` …)."""

from __future__ import annotations

from decimal import Decimal

from loaders.blocks import Paragraph
from loaders.kinds.narrative_projects import extract_narrative_projects
from loaders.kinds.performance import extract_performance
from loaders.pipeline import load_document
from tests.test_performance import JIANGYOU, RUOQIANG, context, paragraphs, tabbed_table

RUOQIANG_PROJECTS = {
    # name: (万元 as printed, line of 预算安排规模)
    "政府办业务经费": ("144.08", 415),
    "行政服务中心业务经费": ("40", 427),
    "若羌县民生“微实事”项目": ("50", 439),
    "信访局业务经费": ("15", 451),
}


def _ruoqiang():
    paras = paragraphs(RUOQIANG)
    ctx = context(RUOQIANG, "若羌县人民政府办公室", None, "652824", paras)
    return ctx, paras


def test_four_projects_with_budgets() -> None:
    ctx, paras = _ruoqiang()
    extract_narrative_projects(paras, ctx)
    projects = {p.name: p for p in ctx._projects.values()}
    assert list(projects) == list(RUOQIANG_PROJECTS)
    amounts = {a.item: a for a in ctx.records.amounts}
    for name, (printed, line) in RUOQIANG_PROJECTS.items():
        a = amounts[name]
        assert a.yuan == Decimal(printed) * 10000
        assert a.printed == printed and a.printed_unit == "万元"
        assert (a.category, a.measure, a.table, a.table_kind) == (
            "project", "budget", "narrative", "narrative_project")
        assert a.row == line
        assert a.project_ref == projects[name].id
        assert a.of_ref == ctx.department.id  # 项目承担单位 is the department itself
        assert projects[name].run_by_ref == ctx.department.id
    assert sum(a.yuan for a in ctx.records.amounts) == Decimal("2490800")  # 项目支出 249.08


def test_merges_with_the_performance_form_project() -> None:
    ctx, paras = _ruoqiang()
    form = tabbed_table(RUOQIANG, "项目支出绩效目标表", "(五) 其他需说明的事项")
    extract_performance(form, ctx)
    extract_narrative_projects(paras, ctx)
    assert len(ctx._projects) == 4
    office = next(p for p in ctx._projects.values() if p.name == "政府办业务经费")
    owners = {i.owner_ref for i in ctx.records.indicators}
    assert owners == {office.id}
    assert office.goal.startswith("1、通过官方网站发布信息数量不少于3500条")
    budget = [a for a in ctx.records.amounts if a.project_ref == office.id]
    assert [a.yuan for a in budget] == [Decimal("1440800.00")]


def test_text_without_the_pattern_yields_nothing() -> None:
    paras = paragraphs(JIANGYOU)
    ctx = context(JIANGYOU, "江油市人民政府办公室", "301", "510781", paras)
    extract_narrative_projects(paras, ctx)
    assert ctx.records.amounts == [] and not ctx._projects
    other = [Paragraph("项目名称：这是一句普通的话", line=1),
             Paragraph("预算安排规模：3万元", line=2)]
    extract_narrative_projects(other, ctx)  # no numbered entry: not a project list
    assert ctx.records.amounts == []


def test_entry_ends_at_the_next_section() -> None:
    paras = [Paragraph("1、项目名称：甲项目", line=1),
             Paragraph("八、关于政府性基金预算拨款情况说明", line=2),
             Paragraph("预算安排规模：9万元", line=3)]
    ctx = context(RUOQIANG, "若羌县人民政府办公室", None, "652824", paras)
    extract_narrative_projects(paras, ctx)
    assert [p.name for p in ctx._projects.values()] == ["甲项目"]
    assert ctx.records.amounts == []


def test_ruoqiang_through_the_pipeline() -> None:
    records = load_document(RUOQIANG)
    narrative = {a.item: a.yuan for a in records.amounts if a.table_kind == "narrative_project"}
    assert narrative == {name: Decimal(printed) * 10000
                         for name, (printed, _) in RUOQIANG_PROJECTS.items()}
    office = next(p for p in records.projects if p.name == "政府办业务经费")
    assert len([i for i in records.indicators if i.owner_ref == office.id]) == 14
