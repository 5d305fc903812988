"""Performance targets (绩效目标表) of 江油 2024, 若羌 2024 and 涞源 2024."""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from loaders.blocks import Paragraph, ReadDocument, Table
from loaders.context import Context
from loaders.kinds.performance import extract_performance
from loaders.pipeline import load_document
from loaders.readers import read
from loaders.recognise import recognise
from ontology import ids
from ontology.records import Department, Document, DocumentRecords, Indicator

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
JIANGYOU = SAMPLES / "510781_jiangyou_gov-office_2024_budget.txt"
RUOQIANG = SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt"
LAIYUAN = SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt"


# --- helpers: tables straight from the TAB-separated text, a bare context -------------

def tabbed_table(path: Path, title: str, end: str) -> Table:
    """The TAB-separated lines between a title line and an end line, as printed.

    Repeated header rows of continuation pages and rows that lost their leading cells
    are kept as they are, so the extractor meets the raw layout.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == title)
    rows: list[list[str]] = []
    caption: list[str] = []
    for ln in lines[start + 1:]:
        if ln.strip() == end:
            break
        if "\t" in ln:
            rows.append(ln.split("\t"))
        elif ln.strip() and not rows:
            caption.append(ln.strip())
    return Table(title=title, rows=rows, line=start + 1, caption=caption)


def paragraphs(path: Path) -> list[Paragraph]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Paragraph(text=ln.strip(), line=n) for n, ln in enumerate(lines, start=1)
            if ln.strip() and "\t" not in ln]


def context(path: Path, name: str, code: str | None, region: str,
            blocks: list) -> Context:
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    doc = ReadDocument(source=path.name, sha256=sha, blocks=blocks)
    dept = Department(id=ids.department_key(region, name), name=name, code=code,
                      region_ref=region)
    document = Document(id=ids.document_key(sha), title=f"{name}2024年部门预算", kind="budget",
                        fiscal_year=2024, source=path.name, sha256=sha, department_ref=dept.id)
    records = DocumentRecords(document=document, departments=[dept])
    return Context(read=doc, records=records, department=dept, region_code=region,
                   fiscal_year=2024, kind="budget")


def by_owner(ctx: Context) -> dict[str, list[Indicator]]:
    names = {p.id: p.name for p in ctx._projects.values()}
    out: dict[str, list[Indicator]] = {}
    for ind in ctx.records.indicators:
        out.setdefault(names.get(ind.owner_ref, ind.owner_ref), []).append(ind)
    return out


def find(indicators: list[Indicator], name: str, level1: str | None = None) -> Indicator:
    hits = [i for i in indicators if i.name == name and (level1 is None or i.level1 == level1)]
    assert len(hits) == 1, (name, hits)
    return hits[0]


# --- 江油 2024 -------------------------------------------------------------------------

JIANGYOU_PROJECTS = {
    # name: (万元 as printed, unit code, indicators printed for it, sum of their weights)
    "党建工作专项经费": ("3.00", "301001", 11, 90),
    "外事工作专项经费": ("6.00", "301001", 6, 90),
    "政府办综合事务专项经费": ("211", "301001", 18, 90),
    "政务服务后勤保障经费": ("24.82", "301604", 13, 90),
    "政务服务信息化运维经费": ("19.50", "301604", 12, 90),
    "公共资源交易中心运行经费": ("5.10", "301604", 14, 90),
    "党建项目经费": ("0.50", "301604", 6, 90),
}


@pytest.fixture(scope="module")
def jiangyou() -> Context:
    project = tabbed_table(JIANGYOU, "部门预算项目绩效目标表（2024年度）", "部门整体支出绩效目标表")
    department = tabbed_table(JIANGYOU, "部门整体支出绩效目标表",
                              "第三部分 江油市人民政府办公室 2024 年部门预算情况说明")
    ctx = context(JIANGYOU, "江油市人民政府办公室", "301", "510781",
                  [project, department, *paragraphs(JIANGYOU)])
    assert recognise(project) == "project_performance"
    assert recognise(department) == "department_performance"
    extract_performance(project, ctx)
    extract_performance(department, ctx)
    return ctx


def test_jiangyou_projects_amounts_and_units(jiangyou: Context) -> None:
    projects = {p.name: p for p in jiangyou._projects.values()}
    assert set(projects) == set(JIANGYOU_PROJECTS)
    amounts = {a.item: a for a in jiangyou.records.amounts if a.project_ref}
    assert len([a for a in jiangyou.records.amounts if a.project_ref]) == 7  # 211 once
    for name, (printed, unit_code, _, _) in JIANGYOU_PROJECTS.items():
        a = amounts[name]
        assert a.yuan == Decimal(printed) * 10000
        assert a.category == "project" and a.measure == "budget"
        assert a.project_ref == projects[name].id
        assert a.of_ref == f"510781-{unit_code}"
        assert projects[name].run_by_ref == f"510781-{unit_code}"
    assert amounts["政府办综合事务专项经费"].yuan == Decimal("2110000")
    assert projects["党建工作专项经费"].goal.startswith("根据市委年度工作计划及相关要求")
    units = {u.code: u.name for u in jiangyou._units.values()}
    assert units == {"301001": "江油市人民政府办公室", "301604": "江油市政务服务中心"}


def test_jiangyou_department_row_is_not_a_project(jiangyou: Context) -> None:
    total = [a for a in jiangyou.records.amounts if a.project_ref is None]
    assert len(total) == 1
    assert total[0].yuan == Decimal("2699200.00")
    assert total[0].of_ref == jiangyou.department.id
    assert total[0].item == "301-江油市人民政府办公室"


def test_jiangyou_indicator_counts_and_weights(jiangyou: Context) -> None:
    owners = by_owner(jiangyou)
    for name, (_, _, count, weights) in JIANGYOU_PROJECTS.items():
        assert len(owners[name]) == count, name
        assert sum(i.weight for i in owners[name]) == weights, name
    assert len(owners[jiangyou.department.id]) == 7
    assert len(jiangyou.records.indicators) == 80 + 7


def test_jiangyou_indicator_values(jiangyou: Context) -> None:
    owners = by_owner(jiangyou)
    party = owners["党建工作专项经费"]
    papers = find(party, "订阅报刊杂志", "产出指标")
    assert (papers.level2, papers.operator, papers.target_value, papers.unit, papers.weight) == (
        "数量指标", "=", Decimal(87), "份", Decimal(10))
    papers_cost = find(party, "订阅报刊杂志", "成本指标")
    assert (papers_cost.target_value, papers_cost.unit, papers_cost.weight) == (
        Decimal(8700), "元", Decimal(6))
    satisfied = find(party, "服务对象满意度")
    assert (satisfied.operator, satisfied.target_value, satisfied.unit, satisfied.weight) == (
        ">=", Decimal(96), "%", Decimal(5))
    execution = find(party, "提升党员的执行力")
    assert execution.operator == "qualitative" and execution.target_value is None
    assert execution.target_text == "提升党员贯彻落实党中央的决策部署能力"
    assert execution.weight == Decimal(10)
    # The row printed at column 0 after a page break, moved back under 一级指标.
    moved = find(party, "党员主题教育活动", "成本指标")
    assert (moved.level2, moved.operator, moved.target_value, moved.unit, moved.weight) == (
        "经济成本指标", "=", Decimal(10000), "元", Decimal(7))
    it = owners["政务服务信息化运维经费"]
    assert find(it, "重大运维事故发生率").operator == "<="
    assert find(it, "完善信息化运维管理制度").target_text == "优良中低差"
    moved = find(it, "设备维护次数")
    assert (moved.level1, moved.operator, moved.target_value, moved.unit) == (
        "产出指标", ">=", Decimal(4), "次/年")


def test_jiangyou_department_indicators(jiangyou: Context) -> None:
    dept = by_owner(jiangyou)[jiangyou.department.id]
    first = dept[0]
    assert first.name == "提升信息服务质量，办好《政务要情》和《领导动态》等刊物"
    assert (first.level1, first.level2, first.operator, first.target_value, first.unit,
            first.weight) == ("产出指标", "数量指标", ">=", Decimal(360), "期", Decimal(20))
    meetings = find(dept, "保障市政府重要会议及重大活动")  # 一级/二级 carried down
    assert (meetings.level1, meetings.level2, meetings.target_value, meetings.unit) == (
        "产出指标", "数量指标", Decimal(100), "场次")
    managers = find(dept, "管理部门满意度")
    assert (managers.level1, managers.level2, managers.target_value) == (
        "满意度指标", "服务对象满意度指标", Decimal(92))
    assert sum(i.weight for i in dept) == 90


def test_jiangyou_through_the_pipeline() -> None:
    records = load_document(JIANGYOU)
    kinds = {"project_performance", "department_performance"}
    tables = {t.title for t in records.tables if t.kind in kinds}
    assert tables == {"部门预算项目绩效目标表（2024年度）", "部门整体支出绩效目标表"}
    names = {p.id: p.name for p in records.projects}
    counts = Counter(names.get(i.owner_ref, "department") for i in records.indicators
                     if i.table in tables)
    assert counts == Counter({name: n for name, (_, _, n, _) in JIANGYOU_PROJECTS.items()}
                             | {"department": 7})


# --- 若羌 2024 -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ruoqiang() -> Context:
    department = tabbed_table(RUOQIANG, "部门整体绩效目标表", "项目支出绩效目标表")
    project = tabbed_table(RUOQIANG, "项目支出绩效目标表", "(五) 其他需说明的事项")
    ctx = context(RUOQIANG, "若羌县人民政府办公室", None, "652824",
                  [department, project, *paragraphs(RUOQIANG)])
    extract_performance(department, ctx)
    extract_performance(project, ctx)
    return ctx


def test_ruoqiang_project_indicators(ruoqiang: Context) -> None:
    projects = {p.name: p for p in ruoqiang._projects.values()}
    assert list(projects) == ["政府办业务经费"]
    project = projects["政府办业务经费"]
    assert project.run_by_ref == ruoqiang.department.id
    assert project.goal.startswith("1、通过官方网站发布信息数量不少于3500条")
    inds = by_owner(ruoqiang)["政府办业务经费"]
    assert len(inds) == 14
    cost = find(inds, "政府办业务经费")
    assert (cost.level1, cost.level2, cost.operator, cost.target_value, cost.unit,
            cost.weight) == (
        "成本指标", "经济成本指标", "<=", Decimal("144.08"), "万元", Decimal(5))
    web = find(inds, "官方网站发布信息数量")
    assert (web.operator, web.target_value, web.unit, web.target_text) == (
        ">=", Decimal(3500), "条", ">=3500条")
    # 上年完成值 (3620条) is last year's result, not this year's actual: not loaded.
    assert web.actual_value is None and web.actual_text is None
    kept = find(inds, "有效保障单位正常运转")
    assert (kept.operator, kept.target_value, kept.target_text) == ("qualitative", None, "有效保障")
    assert find(inds, "系统故障修复处理时间").unit == "天"
    assert sum(i.weight for i in inds) == 90


def test_ruoqiang_merged_form_amount_is_not_the_projects(ruoqiang: Context) -> None:
    # 249.08 万元 covers four projects merged into this form: not given to one of them.
    assert ruoqiang.records.amounts == []
    assert any("249.08" in p.message for p in ruoqiang.records.problems)


def test_ruoqiang_department_indicators(ruoqiang: Context) -> None:
    inds = by_owner(ruoqiang)[ruoqiang.department.id]
    assert len(inds) == 5
    meetings = find(inds, "召开县政府常务会议次数")
    assert (meetings.level1, meetings.level2, meetings.operator, meetings.target_value,
            meetings.unit, meetings.weight) == (
        "履职效能", "数量指标", ">=", Decimal(18), "次", Decimal(18))
    timely = find(inds, "政务公开及时率")
    assert (timely.level2, timely.operator, timely.target_value, timely.unit) == (
        "质量指标", "=", Decimal(100), "%")


def test_no_contact_person_or_phone_is_loaded(ruoqiang: Context) -> None:
    raw = RUOQIANG.read_text(encoding="utf-8")
    assert "谢东升" in raw and "13667508777" in raw  # printed in the table header rows
    dumped = repr(ruoqiang.records) + repr(list(ruoqiang._projects.values()))
    for secret in ("谢东升", "13667508777", "XX"):
        assert secret not in dumped
    dumped = repr(load_document(RUOQIANG))
    assert "谢东升" not in dumped and "13667508777" not in dumped


# --- 涞源 2024 -------------------------------------------------------------------------

LAIYUAN_PROJECTS = {
    "13063024P000092100025": ("OA系统服务费", "5.44"),
    "13063024P000064100017": ("北斗服务费", "13.98"),
    "13063024P000096100018": ("法治办专项", "10.00"),
    "13063024P000032100041": ("挂牌上市奖励资金", "45.00"),
    "13063024P00003210003D": ("金融办经费", "2.00"),
    "13063024P00009410002G": ("金融中心专项债卷服务费", "60.00"),
    "13063024P000083100010": ("杏花湾租金", "51.00"),
    "13063024P00006210001U": ("政府办工作经费", "30.00"),
    "13063024P00008510002Y": ("政府办举办企业家早餐会经费", "5.00"),
    "13063024P00007910002E": ("政府办异地调动干部周转住房费用", "30.72"),
    "13063024P00006710002U": ("政府办原治金矿业总公司遗留问题电费", "5.00"),
    "13063024P00008710001N": ("政府地方志专项", "21.14"),
    "13063024P00008810001C": ("政府网络信息费", "7.23"),
    "13063024P000090100016": ("智能签批设备", "9.31"),
}


@pytest.fixture(scope="module")
def laiyuan() -> Context:
    doc = read(LAIYUAN)
    ctx = context(LAIYUAN, "涞源县人民政府办公室", "434", "130630", doc.blocks)
    for table in doc.tables():
        if recognise(table) == "project_performance":
            extract_performance(table, ctx)
    return ctx


def test_laiyuan_projects_with_codes_and_amounts(laiyuan: Context) -> None:
    projects = {p.code: p for p in laiyuan._projects.values()}
    assert set(projects) == set(LAIYUAN_PROJECTS)
    amounts = {a.project_ref: a for a in laiyuan.records.amounts}
    assert len(laiyuan.records.amounts) == 14
    for code, (name, printed) in LAIYUAN_PROJECTS.items():
        assert projects[code].id == code and projects[code].name == name
        assert amounts[code].yuan == Decimal(printed) * 10000
        assert amounts[code].category == "project"
        assert amounts[code].of_ref == laiyuan.department.id
    assert projects["13063024P000092100025"].goal == "1.保障网络安全可靠运行"
    # The projects add up to 295.82 万元; the document prints 295.81 as 项目支出 (rounding).
    total = sum(a.yuan for a in laiyuan.records.amounts)
    assert total == Decimal("2958200")


def test_laiyuan_indicators(laiyuan: Context) -> None:
    counts = Counter(i.owner_ref for i in laiyuan.records.indicators)
    assert counts == Counter({code: 9 for code in LAIYUAN_PROJECTS})
    owners = by_owner(laiyuan)
    oa = owners["OA系统服务费"]
    assert [i.level1 for i in oa] == ["产出指标"] * 4 + ["效益指标"] * 4 + ["满意度指标"]
    count = find(oa, "系统数量")
    assert (count.operator, count.target_value, count.unit) == ("=", Decimal(1), "条")
    quality = find(oa, "系统运行质量")
    assert (quality.level2, quality.operator, quality.target_value, quality.unit) == (
        "质量指标", ">=", Decimal(95), "%")
    safe = find(oa, "网络安全稳定运行")
    assert (safe.level2, safe.operator, safe.target_text) == (
        "可持续影响指标", "qualitative", "有效保障")
    rent = find(owners["杏花湾租金"], "租赁面积")
    assert (rent.operator, rent.target_value, rent.unit) == ("<=", Decimal(38771), "平方米")
    law = find(owners["法治办专项"], "成本控制率")
    assert law.level1 == "产出指标" and law.level2 == "成本指标"


def test_laiyuan_through_the_pipeline() -> None:
    records = load_document(LAIYUAN)
    codes = {p.code for p in records.projects}
    assert set(LAIYUAN_PROJECTS) <= codes
    perf = [a for a in records.amounts if a.table_kind == "project_performance"]
    assert sum(a.yuan for a in perf) == Decimal("2958200")
    assert len([i for i in records.indicators if i.owner_ref in LAIYUAN_PROJECTS]) == 126
