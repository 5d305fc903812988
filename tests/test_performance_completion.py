"""项目绩效目标完成情况表 of the 江油市人民政府办公室 2020 final account."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from loaders.pipeline import load_document
from ontology.records import DocumentRecords

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU_2020 = SAMPLES / "510781_jiangyou_gov-office_2020_final.txt"
DEPARTMENT = "510781-江油市人民政府办公室"
# 项目名称 → (预算数, 执行数) in 万元, as printed in the five forms.
PROJECTS = {
    "综合事务经费": (260, 260),
    "五七高炮营训练、演习及装备购置经费": (20, 20),
    "营商环境服务中心专项经费": (10, 10),
    "大数据中心专项经费": (10, 10),
    "党建经费": (5, 5),
}


@pytest.fixture(scope="module")
def records() -> DocumentRecords:
    return load_document(JIANGYOU_2020)


def test_projects(records: DocumentRecords) -> None:
    assert [p.name for p in records.projects] == list(PROJECTS)
    for p in records.projects:
        assert p.fiscal_year == 2020
        assert p.run_by_ref == DEPARTMENT  # 预算单位 江油市人民政府办公室 is the department
        assert p.id == f"{DEPARTMENT}-2020-{p.name}"
    goals = {p.name: p.goal for p in records.projects}
    assert goals["综合事务经费"] == "为市政府年度工作目标任务的顺利实现提供保障。"
    assert goals["党建经费"] == "保障党建工作顺利开展"


def test_budget_and_actual(records: DocumentRecords) -> None:
    names = {p.id: p.name for p in records.projects}
    amounts = [a for a in records.amounts if a.table_kind == "performance_completion"]
    assert len(amounts) == 10
    got = {(names[a.project_ref], a.measure): a.yuan for a in amounts}
    for name, (budget, actual) in PROJECTS.items():
        assert got[(name, "budget")] == Decimal(budget) * 10000
        assert got[(name, "actual")] == Decimal(actual) * 10000
    for a in amounts:
        assert (a.category, a.fund, a.printed_unit) == ("project", "all", "万元")
        assert a.table == "项目绩效目标完成情况表"
        assert a.of_ref == DEPARTMENT


def test_indicators(records: DocumentRecords) -> None:
    names = {p.id: p.name for p in records.projects}
    per_project: dict[str, list] = {}
    for ind in records.indicators:
        per_project.setdefault(names[ind.owner_ref], []).append(ind)
    assert {n: len(v) for n, v in per_project.items()} == {n: 8 for n in PROJECTS}
    for name, inds in per_project.items():
        assert [i.level1 for i in inds] == (
            ["项目完成指标"] * 4 + ["效益指标"] * 2 + ["满意度指标"] * 2)
        assert [i.level2 for i in inds] == [
            "数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "可持续影响指标",
            "管理部门满意度指标", "服务对象满意度指标"], name
        for sat in inds[6:]:
            assert sat.name in ("管理部门满意度", "服务对象满意度")
            assert (sat.operator, sat.target_value, sat.unit) == (">=", Decimal(90), "%")
            assert (sat.target_text, sat.actual_text) == ("≥90%", "≥95%")
            assert sat.actual_value == Decimal(95)
            assert sat.fiscal_year == 2020 and sat.table == "项目绩效目标完成情况表"


def test_indicator_values(records: DocumentRecords) -> None:
    by_text = {(i.name, i.target_text): i for i in records.indicators}
    people = by_text[("召开工作会议、开展业务培训、学习考察", "450 人次")]
    assert (people.operator, people.target_value, people.unit) == ("=", Decimal(450), "人次")
    assert people.actual_value is None and people.actual_text == "完成了工作目标任务"
    quality = by_text[("提升服务质量", "提升机关服务质量")]
    assert (quality.operator, quality.target_value) == ("qualitative", None)
    timely = [i for i in records.indicators if i.name == "完成时间"]
    assert len(timely) == 5
    # "2020 年 12 月底完成了全年工作目标任务" is a sentence, not the number 2020.
    assert all(i.actual_value is None for i in timely)
    assert timely[0].actual_text == "2020 年 12 月底完成了全年工作目标任务"
    party_cost = [i for i in records.indicators if i.level2 == "成本指标"][-1]
    assert party_cost.target_text == (
        "党员培训教育及党报党刊订阅等费用 3.8 万元、退休支部工作补贴1.2 万元")
    assert (party_cost.operator, party_cost.actual_value) == ("qualitative", Decimal(100))


def test_no_problems(records: DocumentRecords) -> None:
    assert records.problems == []
    assert [(t.kind, t.amounts) for t in records.tables] == [("performance_completion", 2)] * 5
