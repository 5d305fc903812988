"""绩效自评表 extraction, on the 潼南区人民政府办公室 2024 final account (10 二级项目 + 1 整体)."""

from __future__ import annotations

from dataclasses import astuple
from decimal import Decimal
from pathlib import Path

import pytest

from loaders import kinds
from loaders.kinds.self_evaluation import DEPARTMENT_KIND, PROJECT_KIND, extract_self_evaluation
from loaders.pipeline import load_document
from ontology import ids
from ontology.records import DocumentRecords, Indicator, Project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TONGNAN = SAMPLES / "500152_tongnan_gov-office_2024_final.txt"
DEPARTMENT = "500152-重庆市潼南区人民政府办公室"

# name as printed, code without its stray spaces, 年初预算数, 全年(调整)预算数, 全年执行数,
# number of indicators
PROJECTS = [
    ("区政府办政府会议专项 (常年性项目)", "50015224T000004234131",
     "560000.00", "496454.03", "496454.03", 12),
    ("区政府办调研政研专项（常年性项目）", "50015224T000004234143",
     "400000.00", "365000.00", "365000.00", 15),
    ("区政府办征兵外事专项（常年性项目）", "50015224T000004234154",
     "180000.00", "165000.00", "165000.00", 11),
    ("区政府办督查议案专项（常年性项目）", "50015224T000004234172",
     "680000.00", "598117.00", "598117.00", 16),
    ("区政府办全区放管服改革专项 (常年性项目)", "50015224T000004234185",
     "150000.00", "129842.75", "129842.75", 11),
    ("区政府办电子政务、政务（政府）信息公开专项（常年性项目）", "50015224T000004234208",
     "750000.00", "657000.00", "657000.00", 17),
    ("区政府办值班应急调度投诉处理专项 (常年性项目)", "50015224T000004234219",
     "620000.00", "516351.76", "516351.76", 16),
    ("区政府办视频会议系扩容建设", "50015224T000004484492",
     "0.00", "500000.00", "500000.00", 4),
    ("数字化城市运行和治理专项", "50015225T000004722652",
     "0.00", "1362818.12", "1362818.12", 21),
    ("打击非法集资和金融监管专项", "50015225T000004722638",
     "0.00", "240845.14", "240845.14", 8),
]

# 区政府办政府会议专项: name, operator, target value, unit, target text, actual, weight, score
MEETING_INDICATORS = [
    ("区政府常务会议", ">=", "30", "次", "30", "30", "6", "6"),
    ("区政府党组会议", ">=", "12", "次", "12", "12", "7", "7"),
    ("区政府专题会议", ">=", "230", "次", "230", "230", "9", "9"),
    ("印制会议相关资料数量", ">=", "1.5", "万次", "1.5", "1.5", "8", "8"),
    ("确保各项会议和重大活动顺利进行", "qualitative", None, None, "长期", "1", "10", "10"),
    ("为区委、区政府决策提供依据和参谋服务，推动潼南经济高质量发展。为撰写区委、区政府上报信息、"
     "出台政策、编制规划等提供基础资料信息等。", "qualitative", None, None, "长期", "1", "5", "5"),
    ("及时解决群众关心、关注的民生问题，促进社会和谐稳定", "qualitative", None, None, "长期", "1",
     "6", "6"),
    ("持续推进政府各项工作开展", "qualitative", None, None, "长期", "1", "9", "9"),
    ("满意度", ">=", "90", "%", "90", "90", "10", "10"),
    ("会场及会议设施设备租赁、管理及使用", ">=", "15", "万元", "15", "15", "6", "6"),
    ("其他会务成本", "=", "7", "万元", "7", "7", "6", "6"),
    ("统一印制会议传达学习资料、会议汇报材料、常务会议纪要、专题会议纪要等费用)", ">=", "30",
     "万元", "30", "30", "8", "8"),
]
VIDEO_INDICATORS = [
    ("委托业务费", "=", "50", "万元", "50", "50", "40", "40"),
    ("节约会议成本", "qualitative", None, None, "完成", "1", "20", "20"),
    ("提升信息化水平", "qualitative", None, None, "达标", "1", "20", "20"),
    ("满意度", ">=", "98", "%", "98", "98", "10", "10"),
]
DEPARTMENT_INDICATORS = [
    ("电子政务网站维护个数", ">=", "65", "个", "65", "65", "9", "9"),
    ("开展调研政研次数", ">=", "50", "次", "50", "50", "11", "11"),
    ("开展督查次数", ">=", "70", "次", "70", "70", "9", "9"),
    ("圆满召开政府相关会议次数", ">=", "280", "次", "280", "280", "11", "11"),
    ("服务企业满意度", "qualitative", None, None, "满意", "1", "12", "12"),
    ("征兵外事满意度", "qualitative", None, None, "满意", "1", "12", "12"),
    ("群众满意度", ">=", "95", "%", "95", "95", "14", "14"),
    ("基本支出", "=", "14859110.71", "元", "14,859,110.71", "14859110.71", "12", "12"),
    ("项目支出", "=", "5031428.80", "元", "5,031,428.80", "5031428.80", "10", "10"),
]

# Contact persons and phone numbers printed in the forms: none may be loaded.
CONTACTS = ["周艳", "马凌乔", "熊刚", "黄关霖", "丁琪珈", "刘天艺", "郑凤鸣", "唐静波", "曹敏",
            "44556966", "18883193697", "15826173698", "13883239768", "13996155606",
            "18222505555", "13508350445", "17382370955", "13452049566"]


@pytest.fixture(scope="module")
def records() -> DocumentRecords:
    """The document loaded with only the self-evaluation extractor installed."""
    own = {PROJECT_KIND: extract_self_evaluation, DEPARTMENT_KIND: extract_self_evaluation}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kinds, "TABLES", own)
        return load_document(TONGNAN)


def _projects(records: DocumentRecords) -> dict[str, Project]:
    return {p.code or "": p for p in records.projects}


def _indicators(records: DocumentRecords, owner: str) -> list[Indicator]:
    return [i for i in records.indicators if i.owner_ref == owner]


def _amount(records: DocumentRecords, *, project: str | None, measure: str, fund: str = "all",
            category: str = "project") -> Decimal:
    found = [a.yuan for a in records.amounts
             if a.table_kind in (PROJECT_KIND, DEPARTMENT_KIND) and a.project_ref == project
             and a.measure == measure and a.fund == fund and a.category == category]
    assert len(found) == 1, found
    return found[0]


def _check_indicators(found: list[Indicator], expected: list[tuple]) -> None:
    assert len(found) == len(expected)
    for ind, (name, op, target, unit, text, actual, weight, score) in zip(found, expected,
                                                                            strict=True):
        assert ind.name == name
        assert ind.operator == op
        assert ind.target_value == (Decimal(target) if target else None)
        assert ind.unit == unit
        assert ind.target_text == text
        assert ind.actual_value == Decimal(actual)
        assert ind.weight == Decimal(weight)
        assert ind.score == Decimal(score)
        assert ind.level1 is None and ind.level2 is None


def test_ten_project_forms_with_names_and_codes(records: DocumentRecords) -> None:
    projects = _projects(records)
    assert sorted(projects) == sorted(code for _, code, *_ in PROJECTS)
    for printed, code, *_ in PROJECTS:
        p = projects[code]
        assert p.id == code
        assert p.name == ids.squash(printed)
        assert ids.plain_name(p.name) == ids.plain_name(printed)
        assert p.run_by_ref == DEPARTMENT and p.subject_ref is None and p.fiscal_year == 2024
    assert ids.plain_name(projects["50015224T000004234131"].name) == "区政府办政府会议专项"


@pytest.mark.parametrize(("printed", "code", "budget", "adjusted", "actual", "n"), PROJECTS)
def test_project_amounts(records: DocumentRecords, printed: str, code: str, budget: str,
                         adjusted: str, actual: str, n: int) -> None:
    assert _amount(records, project=code, measure="budget") == Decimal(budget)
    assert _amount(records, project=code, measure="adjusted_budget") == Decimal(adjusted)
    assert _amount(records, project=code, measure="actual") == Decimal(actual)
    # The 一般公共预算 row repeats the totals with its own fund.
    general = _amount(records, project=code, measure="actual", fund="general_public")
    assert general == Decimal(actual)
    assert len(_indicators(records, code)) == n


def test_project_actuals_add_up_to_the_project_expenditure(records: DocumentRecords) -> None:
    total = sum(_amount(records, project=code, measure="actual") for _, code, *_ in PROJECTS)
    assert total == Decimal("5031428.80")  # 支出决算表 项目支出 合计


def test_amount_provenance_and_rows_loaded(records: DocumentRecords) -> None:
    meeting = [a for a in records.amounts if a.project_ref == "50015224T000004234131"]
    assert len(meeting) == 6  # 年度总金额 and 一般公共预算, three measures each
    assert {a.item for a in meeting} == {"年度总金额", "一般公共预算"}
    assert all(a.printed_unit == "元" and a.category == "project" and a.functional_ref is None
               and a.table == "2024 年度二级项目绩效自评表" and a.of_ref == DEPARTMENT
               for a in meeting)
    actual = next(a for a in meeting if a.measure == "actual" and a.fund == "general_public")
    assert actual.printed == "496,454.03" and actual.execution_rate == Decimal("100")
    # 其中：财政拨款 spans several funds and repeats the 一般公共预算 row: not loaded.
    assert not any("财政拨款" in (a.item or "") for a in records.amounts
                   if a.table_kind in ("project_self_evaluation", "department_self_evaluation"))


def test_project_goals(records: DocumentRecords) -> None:
    projects = _projects(records)
    assert projects["50015224T000004234131"].goal == "确保各类会议顺利召开，有效推进工作开展。"
    assert projects["50015224T000004484492"].goal == "提升基层信息化应用水平"
    assert projects["50015224T000004234154"].goal == (
        "圆满完成年度征兵工作，确保外事工作和涉外活动顺利开展")


def test_meeting_project_indicators(records: DocumentRecords) -> None:
    found = _indicators(records, "50015224T000004234131")
    _check_indicators(found, MEETING_INDICATORS)
    assert all(i.table == "2024 年度二级项目绩效自评表" for i in found)


def test_video_project_indicators(records: DocumentRecords) -> None:
    _check_indicators(_indicators(records, "50015224T000004484492"), VIDEO_INDICATORS)


def test_less_or_equal_indicator(records: DocumentRecords) -> None:
    found = {i.name: i for i in _indicators(records, "50015224T000004234208")}
    accidents = found["网站安全事故数"]
    assert (accidents.operator, accidents.target_value, accidents.unit) == ("<=", Decimal(4), "次")
    frequency = found["政府网站公开信息频率（工作日）"]
    assert (frequency.operator, frequency.target_value, frequency.unit) == ("<=", Decimal(1), "天")


def test_department_form(records: DocumentRecords) -> None:
    assert _amount(records, project=None, measure="budget",
                   category="total") == Decimal("17573249.31")
    assert _amount(records, project=None, measure="adjusted_budget",
                   category="total") == Decimal("19890539.51")
    assert _amount(records, project=None, measure="actual",
                   category="total") == Decimal("19890539.51")
    assert _amount(records, project=None, measure="actual", category="total",
                   fund="general_public") == Decimal("19890539.51")
    _check_indicators(_indicators(records, DEPARTMENT), DEPARTMENT_INDICATORS)
    # The 整体 form's 项目编号 is not a project.
    assert "50015200024P000105" not in _projects(records)


def test_indicator_totals(records: DocumentRecords) -> None:
    assert len(records.indicators) == 9 + sum(n for *_, n in PROJECTS) == 140


def _no_contacts(records: DocumentRecords) -> None:
    everything = [*records.entities(), *records.problems, *records.tables]
    for record in everything:
        text = ids.squash(" ".join(str(v) for v in astuple(record)))
        for contact in CONTACTS:
            assert contact not in text, (contact, record)


def test_no_contact_person_or_phone_is_loaded(records: DocumentRecords) -> None:
    _no_contacts(records)


def test_end_to_end_with_every_extractor() -> None:
    """The full pipeline (all extractors) gives the same self-evaluation records."""
    full = load_document(TONGNAN)
    own = [a for a in full.amounts if a.table_kind in (PROJECT_KIND, DEPARTMENT_KIND)]
    assert len(own) == 11 * 6
    assert sum(a.yuan for a in own if a.project_ref and a.measure == "actual"
               and a.fund == "all") == Decimal("5031428.80")
    assert len([i for i in full.indicators if i.table and "自评表" in i.table]) == 140
    _no_contacts(full)
