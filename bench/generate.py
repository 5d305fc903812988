"""Synthetic disclosures at scale: the records the loaders produce, for as many regions as asked.

Benchmarks need graphs far larger than the bundled samples, shaped like the real thing so that
queries meet the same fan-outs: real GB/T 2260 regions (province → prefecture → county), a few
departments per county with their budget units, a functional subject tree of ~800 类/款/项
codes under the real 类 list, the department and government economic trees, projects
classified under 项 subjects with 8–15 performance indicators each, and a budget (预算) and a
final account (决算) per department and year.

Amounts obey the identities the checks rely on, at every level: 项 rows add up to 款, 款 to
类, 类 to the 合计 row; basic + project = total; personnel + public = basic; a unit's project
spending under a 项 is the sum of its projects' amounts; the 三公 items add up to their total.
Every figure is a whole number of 100 元 (0.01 万元, the printed precision).

Documents are yielded one at a time and each is built from a random generator seeded by the
department and year, so memory stays bounded at any size and the same seed always yields the
same records, whatever subset is consumed.

    bench/generate --size S              # counts of documents, nodes and edges, and the time
    bench/generate --size tiny --jsonl records.jsonl   # the records themselves, one doc a line
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from loaders.regions import chain, divisions  # noqa: E402
from ontology import ids  # noqa: E402
from ontology.records import (  # noqa: E402
    Amount,
    Department,
    Document,
    DocumentRecords,
    EconomicSubject,
    FunctionalSubject,
    Indicator,
    Project,
    Region,
    Unit,
)

SUBJECTS = ROOT / "ontology" / "subjects"
HUNDRED = Decimal(100)  # 元 per 0.01 万元
WAN = Decimal(10000)


# ------------------------------------------------------------------------------------------
# Sizes
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How much to generate.  Nodes ≈ 255 per document; the size names say the node count."""

    name: str
    counties: int
    departments: int  # per county
    years: tuple[int, ...]
    units: tuple[int, int] = (1, 4)  # per department, inclusive range
    projects: tuple[int, int] = (1, 3)  # per unit

    @property
    def documents(self) -> int:
        return self.counties * self.departments * len(self.years) * 2


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", counties=4, departments=1, years=(2024,)),
    "S": Scale("S", counties=48, departments=4, years=(2023, 2024)),
    "M": Scale("M", counties=480, departments=4, years=(2023, 2024)),
    "L": Scale("L", counties=2846, departments=7, years=(2023, 2024)),
}


# ------------------------------------------------------------------------------------------
# Subject trees
# ------------------------------------------------------------------------------------------

# Real 款 names for the 类 departments mostly spend under (code suffix -> name); other 款
# get a numbered name.
KUAN_NAMES: dict[str, dict[str, str]] = {
    "201": {"01": "人大事务", "02": "政协事务", "03": "政府办公厅（室）及相关机构事务",
            "04": "发展与改革事务", "05": "统计信息事务", "06": "财政事务", "08": "审计事务",
            "11": "纪检监察事务", "13": "商贸事务", "29": "群众团体事务",
            "31": "党委办公厅（室）及相关机构事务", "32": "组织事务", "33": "宣传事务",
            "38": "市场监督管理事务"},
    "204": {"02": "公安", "04": "检察", "05": "法院", "06": "司法"},
    "205": {"01": "教育管理事务", "02": "普通教育", "03": "职业教育", "08": "进修及培训"},
    "207": {"01": "文化和旅游", "02": "文物", "03": "体育", "08": "广播电视"},
    "208": {"01": "人力资源和社会保障管理事务", "02": "民政管理事务",
            "05": "行政事业单位养老支出", "07": "就业补助", "08": "抚恤", "10": "社会福利"},
    "210": {"01": "卫生健康管理事务", "02": "公立医院", "03": "基层医疗卫生机构",
            "04": "公共卫生", "07": "计划生育事务", "11": "行政事业单位医疗"},
    "211": {"01": "环境保护管理事务", "03": "污染防治", "04": "自然生态保护"},
    "212": {"01": "城乡社区管理事务", "02": "城乡社区规划与管理", "03": "城乡社区公共设施",
            "05": "城乡社区环境卫生"},
    "213": {"01": "农业农村", "02": "林业和草原", "03": "水利", "05": "巩固拓展脱贫攻坚成果",
            "07": "农村综合改革"},
    "214": {"01": "公路水路运输", "06": "车辆购置税支出"},
    "220": {"01": "自然资源事务", "05": "气象事务"},
    "221": {"01": "保障性安居工程支出", "02": "住房改革支出"},
    "224": {"01": "应急管理事务", "02": "消防救援事务", "06": "自然灾害防治"},
}

# Real 项 the generated departments spend under (养老, 医疗, 住房公积金 in every unit).
KNOWN_XIANG: dict[str, str] = {
    "2010301": "行政运行", "2010302": "一般行政管理事务", "2010305": "专项业务及机关事务管理",
    "2010350": "事业运行", "2010399": "其他政府办公厅（室）及相关机构事务支出",
    "2050803": "培训支出", "2080501": "行政单位离退休", "2080502": "事业单位离退休",
    "2080505": "机关事业单位基本养老保险缴费支出", "2100410": "突发公共卫生事件应急处理",
    "2101101": "行政单位医疗", "2101102": "事业单位医疗", "2210201": "住房公积金",
}

# Most 款 repeat this 项 pattern (01 行政运行, 02 一般行政管理事务 … 50 事业运行, 99 其他).
XIANG_PATTERN = [("01", "行政运行"), ("02", "一般行政管理事务"), ("03", "机关服务"),
                 ("50", "事业运行")]
BASIC_XIANG = {"01", "03", "50"}  # spent as basic expenditure (the others fund projects)

ECONOMIC_KUAN: dict[str, list[tuple[str, str]]] = {
    "301": [("01", "基本工资"), ("02", "津贴补贴"), ("03", "奖金"), ("07", "绩效工资"),
            ("08", "机关事业单位基本养老保险缴费"), ("09", "职业年金缴费"),
            ("10", "职工基本医疗保险缴费"), ("12", "其他社会保障缴费"), ("13", "住房公积金"),
            ("99", "其他工资福利支出")],
    "302": [("01", "办公费"), ("02", "印刷费"), ("05", "水费"), ("06", "电费"),
            ("07", "邮电费"), ("11", "差旅费"), ("13", "维修（护）费"), ("15", "会议费"),
            ("16", "培训费"), ("17", "公务接待费"), ("26", "劳务费"), ("28", "工会经费"),
            ("29", "福利费"), ("31", "公务用车运行维护费"), ("39", "其他交通费用"),
            ("99", "其他商品和服务支出")],
    "303": [("01", "离休费"), ("02", "退休费"), ("05", "生活补助"), ("09", "奖励金"),
            ("99", "其他对个人和家庭的补助")],
    "310": [("02", "办公设备购置"), ("03", "专用设备购置"), ("07", "信息网络及软件购置更新")],
    "501": [("01", "工资奖金津补贴"), ("02", "社会保障缴费"), ("03", "住房公积金"),
            ("99", "其他工资福利支出")],
    "502": [("01", "办公经费"), ("02", "会议费"), ("03", "培训费"), ("04", "专用材料购置费"),
            ("05", "委托业务费"), ("06", "公务接待费"), ("08", "公务用车运行维护费"),
            ("09", "维修（护）费"), ("99", "其他商品和服务支出")],
    "509": [("01", "社会福利和救助"), ("05", "离退休费"), ("99", "其他对个人和家庭的补助")],
}
PERSONNEL_ECONOMIC = ("301", "303")  # 人员经费; 302 is 公用经费
PUBLIC_ECONOMIC = ("302",)


def _read_tsv(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            out[code.strip()] = name.strip()
    return out


@cache
def functional_tree(seed: int = 0) -> dict[str, FunctionalSubject]:
    """~830 functional subjects: the real 类 list, real 款/项 where known, plausible others.

    Only the 类 are read from ``ontology/subjects`` (that list is complete); 款 and 项 come
    from this module, so extending the code lists does not change the generated data.
    """
    real = _read_tsv(SUBJECTS / "functional.tsv")
    rng = random.Random(f"functional-{seed}")
    out: dict[str, FunctionalSubject] = {}
    for lei, lei_name in sorted((c, n) for c, n in real.items() if len(c) == 3):
        out[lei] = FunctionalSubject(lei, lei_name, 1)
        kuan = dict(KUAN_NAMES.get(lei, {}))
        stem = lei_name.removesuffix("支出")
        n_kuan = rng.randint(3, 7)
        spare = iter(f"{i:02d}" for i in range(1, 99) if f"{i:02d}" not in kuan)
        while len(kuan) < n_kuan:
            suffix = next(spare)
            kuan[suffix] = f"{stem}事务（{int(suffix)}）"
        kuan["99"] = kuan.get("99", f"其他{stem}支出")
        for suffix, kuan_name in sorted(kuan.items()):
            code = lei + suffix
            out[code] = FunctionalSubject(code, kuan_name, 2, broader_ref=lei)
            xiang = {c[5:]: n for c, n in KNOWN_XIANG.items() if c.startswith(code)}
            if suffix == "99":
                xiang.setdefault("99", kuan_name)
            else:
                for x, name in XIANG_PATTERN[:rng.randint(1, 3)]:
                    xiang.setdefault(x, name)
                for i in range(rng.randint(0, 1)):
                    xiang.setdefault(f"{4 + i:02d}", f"{kuan_name.removesuffix('事务')}专项业务")
                xiang.setdefault("99", f"其他{kuan_name.removesuffix('支出')}支出")
            for x, name in sorted(xiang.items()):
                out[code + x] = FunctionalSubject(code + x, name, 3, broader_ref=code)
    return out


@cache
def economic_tree() -> dict[str, EconomicSubject]:
    """The economic subjects: the real 类 list of both schemes and their common 款."""
    real = _read_tsv(SUBJECTS / "economic.tsv")
    out: dict[str, EconomicSubject] = {}
    for code, name in sorted(real.items()):
        if len(code) != 3:
            continue
        scheme = "department" if code.startswith("3") else "government"
        out[code] = EconomicSubject(code, name, 1, scheme)
        for suffix, kuan_name in sorted(ECONOMIC_KUAN.get(code, [])):
            out[code + suffix] = EconomicSubject(code + suffix, kuan_name, 2, scheme,
                                                 broader_ref=code)
    return out


# ------------------------------------------------------------------------------------------
# Departments, units, projects, indicators
# ------------------------------------------------------------------------------------------

# (name, the 类 it mostly spends under, the 款 suffixes of its own work)
DEPARTMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("人民政府办公室", "201", ("03",)), ("财政局", "201", ("06",)),
    ("教育和体育局", "205", ("01", "02")), ("卫生健康委员会", "210", ("01", "04")),
    ("农业农村局", "213", ("01", "05")), ("公安局", "204", ("02",)),
    ("民政局", "208", ("02", "10")), ("人力资源和社会保障局", "208", ("01", "07")),
    ("自然资源局", "220", ("01",)), ("住房和城乡建设局", "212", ("01", "03")),
    ("水利局", "213", ("03",)), ("文化广电和旅游局", "207", ("01", "08")),
    ("市场监督管理局", "201", ("38",)), ("应急管理局", "224", ("01", "06")),
    ("发展和改革局", "201", ("04",)), ("生态环境分局", "211", ("01", "03")),
    ("统计局", "201", ("05",)), ("审计局", "201", ("08",)), ("司法局", "204", ("06",)),
    ("交通运输局", "214", ("01",)),
]
UNIT_SUFFIXES = ["机关", "事务服务中心", "综合行政执法大队", "信息中心", "监测站", "管理所",
                 "发展中心", "保障中心"]
PROJECT_THEMES = ["综合业务专项经费", "信息化建设运维经费", "专项工作经费", "基础设施维护项目",
                  "宣传培训专项", "监督检查专项经费", "应急保障经费", "调研课题经费",
                  "购买服务项目", "设备购置项目", "档案数字化项目", "会议专项经费"]
# Common basic-expenditure 项 every unit has (养老保险缴费, 医疗, 住房公积金).
COMMON_BASIC = ("2080505", "2101101", "2210201")

# (一级, 二级, 三级指标, operator, unit, low, high) — values drawn in [low, high].
INDICATORS: list[tuple[str, str, str, str, str, int, int]] = [
    ("产出指标", "数量指标", "开展培训次数", ">=", "次", 2, 20),
    ("产出指标", "数量指标", "覆盖单位数量", ">=", "个", 5, 60),
    ("产出指标", "数量指标", "采购设备数量", "=", "台", 1, 40),
    ("产出指标", "数量指标", "发布信息数量", ">=", "条", 100, 3500),
    ("产出指标", "数量指标", "召开会议次数", ">=", "次", 4, 30),
    ("产出指标", "数量指标", "维护系统数量", "=", "套", 1, 8),
    ("产出指标", "质量指标", "验收合格率", ">=", "%", 90, 100),
    ("产出指标", "质量指标", "系统运行正常率", ">=", "%", 95, 100),
    ("产出指标", "质量指标", "问题整改率", ">=", "%", 85, 100),
    ("产出指标", "时效指标", "任务按时完成率", ">=", "%", 90, 100),
    ("产出指标", "时效指标", "资金拨付时限", "<=", "天", 5, 30),
    ("产出指标", "时效指标", "项目完成时间", "<=", "月", 6, 12),
    ("成本指标", "经济成本指标", "项目总成本", "<=", "万元", 5, 500),
    ("成本指标", "经济成本指标", "单位服务成本", "<=", "元", 50, 2000),
    ("效益指标", "社会效益指标", "服务群众人次", ">=", "人次", 500, 50000),
    ("效益指标", "社会效益指标", "政务公开率", "=", "%", 100, 100),
    ("效益指标", "社会效益指标", "工作效率提升", "qualitative", "", 0, 0),
    ("效益指标", "经济效益指标", "节约财政资金", ">=", "万元", 1, 50),
    ("效益指标", "生态效益指标", "环境质量改善", "qualitative", "", 0, 0),
    ("效益指标", "可持续影响指标", "长效机制建立", "qualitative", "", 0, 0),
    ("效益指标", "可持续影响指标", "设备使用年限", ">=", "年", 3, 10),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", ">=", "%", 85, 98),
    ("满意度指标", "服务对象满意度指标", "群众满意度", ">=", "%", 85, 98),
    ("满意度指标", "服务对象满意度指标", "投诉办结率", ">=", "%", 90, 100),
]
QUALITATIVE_TEXT = ["有效提升", "明显改善", "持续发挥作用", "逐步建立"]


@dataclass
class PlannedUnit:
    unit: Unit
    basic: dict[str, Decimal]  # 项 code -> basic expenditure
    projects: list[tuple[Project, Decimal]]  # project, budgeted amount


@dataclass
class Plan:
    """One department's budget for one year; both of its documents are drawn from it."""

    county: list[Region]
    department: Department
    year: int
    units: list[PlannedUnit]
    economic: dict[str, Decimal]  # economic 款 code -> basic expenditure of the department
    three_public: dict[str, Decimal]


def counties(n: int) -> list[str]:
    """``n`` county codes spread evenly over the whole list (so over all provinces)."""
    codes = sorted(c for c, d in divisions().items() if d.level == "county")
    if n >= len(codes):
        return codes
    step = len(codes) / n
    return [codes[int(i * step)] for i in range(n)]


def _money(rng: random.Random, low_wan: float, high_wan: float) -> Decimal:
    """A figure in 元 that prints exactly in 万元 with two decimals."""
    return Decimal(rng.randint(int(low_wan * 100), int(high_wan * 100))) * HUNDRED


def _split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """``total`` (a multiple of 100 元) in ``parts`` positive multiples of 100 元."""
    hundreds = int(total / HUNDRED)
    if parts <= 1 or hundreds < parts:
        return [total] + [Decimal(0)] * (parts - 1)
    cuts = sorted(rng.sample(range(1, hundreds), parts - 1))
    bounds = [0, *cuts, hundreds]
    return [Decimal(bounds[i + 1] - bounds[i]) * HUNDRED for i in range(parts)]


def plan(county: str, dept_no: int, year: int, scale: Scale, seed: int) -> Plan:
    """Draw one department-year: its units, subjects, projects and budget figures.

    ``dept_no`` picks the kind of department (人民政府办公室, 财政局 …); counties take
    consecutive kinds, so every kind and the subjects it spends under occur at every size.
    """
    tree = functional_tree(seed)
    rng = random.Random(f"{seed}|{county}|{dept_no}|{year}")
    stable = random.Random(f"{seed}|{county}|{dept_no}")  # what does not change by year
    regions = chain(county)
    county_name = regions[-1].name
    dept_name, lei, own_kuan = DEPARTMENTS[dept_no % len(DEPARTMENTS)]
    name = county_name + dept_name
    dept_code = f"{301 + dept_no}"
    department = Department(id=ids.department_key(county, name), name=name, code=dept_code,
                            region_ref=county)
    in_class = [c for c in tree if len(c) == 7 and c.startswith(lei)]
    own = [c for c in in_class if c[:5] in {lei + k for k in own_kuan}] or in_class[:3]
    basic_pool = [c for c in own if c[5:] in BASIC_XIANG] or own[:1]
    project_pool = [c for c in own if c[5:] not in BASIC_XIANG] or own
    # Departments also fund work under other 款 of their 类.
    project_pool = project_pool + stable.sample(in_class, min(3, len(in_class)))
    n_units = stable.randint(*scale.units)
    units: list[PlannedUnit] = []
    for u in range(n_units):
        suffix = UNIT_SUFFIXES[u % len(UNIT_SUFFIXES)]
        unit_name = name + suffix if u == 0 else f"{county_name}{dept_name[:2]}{suffix}"
        code = f"{dept_code}{u + 1:03d}"
        unit = Unit(id=ids.unit_key(county, code, department.id, unit_name), name=unit_name,
                    code=code, department_ref=department.id)
        basic = {c: _money(rng, 5, 300) for c in rng.sample(basic_pool, min(2, len(basic_pool)))}
        for c in COMMON_BASIC:
            basic[c] = _money(rng, 2, 40)
        projects = []
        for p in range(rng.randint(*scale.projects)):
            theme = PROJECT_THEMES[(u * 7 + p * 3 + dept_no) % len(PROJECT_THEMES)]
            pname = f"{unit_name.removesuffix('机关')}{theme}"
            pcode = f"{county}{year % 100:02d}P{dept_no:04d}{u:04d}{p:04d}"
            project = Project(id=ids.project_key(pcode, department.id, year, pname), name=pname,
                              fiscal_year=year, code=pcode,
                              goal=f"保障{pname.removesuffix('经费')}顺利实施，提升履职效能。",
                              run_by_ref=unit.id, subject_ref=rng.choice(project_pool))
            projects.append((project, _money(rng, 3, 800)))
        units.append(PlannedUnit(unit, basic, projects))
    basic_total = sum((sum(u.basic.values(), Decimal(0)) for u in units), Decimal(0))
    economic = _economic_split(rng, basic_total)
    three = _money(rng, 1, 60)
    vehicle, reception = _split(rng, three, 2)
    purchase, operation = _split(rng, vehicle, 2)
    three_public = {"three_public": three, "overseas_travel": Decimal(0),
                    "vehicle_purchase_operation": vehicle, "vehicle_purchase": purchase,
                    "vehicle_operation": operation, "official_reception": reception}
    return Plan(regions, department, year, units, economic, three_public)


def _economic_split(rng: random.Random, basic_total: Decimal) -> dict[str, Decimal]:
    """Basic expenditure by economic 款: ~80 % personnel (301, 303), the rest public (302)."""
    tree = economic_tree()
    personnel, public = _split(rng, basic_total, 2) if basic_total else (Decimal(0), Decimal(0))
    hundreds = int(basic_total / HUNDRED)
    if hundreds > 10:  # shift the split towards ~80/20 while staying a multiple of 100 元
        personnel = Decimal(int(hundreds * rng.uniform(0.7, 0.88))) * HUNDRED
        public = basic_total - personnel
    out: dict[str, Decimal] = {}
    for amount, classes in ((personnel, PERSONNEL_ECONOMIC), (public, PUBLIC_ECONOMIC)):
        kuan = [c for c in tree if len(c) == 5 and c[:3] in classes]
        chosen = sorted(rng.sample(kuan, min(len(kuan), rng.randint(5, 10))))
        for code, part in zip(chosen, _split(rng, amount, len(chosen)), strict=True):
            out[code] = part
    return out


# ------------------------------------------------------------------------------------------
# Documents
# ------------------------------------------------------------------------------------------


class _Doc:
    """Accumulates one document's records (keys built as the loaders build them)."""

    def __init__(self, plan_: Plan, kind: str, seed: int):
        self.plan = plan_
        self.kind = kind
        self.measure = "actual" if kind == "final_account" else "budget"
        county = plan_.county[-1].code
        sha = hashlib.sha256(
            f"bench|{seed}|{plan_.department.id}|{plan_.year}|{kind}".encode()).hexdigest()
        doc_id = ids.document_key(sha)
        word = "部门决算" if kind == "final_account" else "部门预算"
        short = "final" if kind == "final_account" else "budget"
        self.document = Document(
            id=doc_id, title=f"{plan_.department.name}{plan_.year}年{word}", kind=kind,
            fiscal_year=plan_.year, source=f"{county}_{plan_.department.code}_{plan_.year}_"
                                           f"{short}.bench", sha256=sha,
            department_ref=plan_.department.id)
        self.records = DocumentRecords(document=self.document, regions=list(plan_.county),
                                       departments=[plan_.department],
                                       units=[u.unit for u in plan_.units])
        self.functional: set[str] = set()
        self.economic: set[str] = set()

    def amount(self, table_no: int, table: str, table_kind: str, row: int, col: str,
               yuan: Decimal, category: str, *, of: str, fund: str = "general_public",
               measure: str | None = None, functional: str | None = None,
               economic: str | None = None, project: str | None = None,
               item: str | None = None, rate: Decimal | None = None) -> None:
        doc_id = self.document.id
        if functional:
            self.functional.add(functional)
        if economic:
            self.economic.add(economic)
        self.records.amounts.append(Amount(
            id=ids.cell_key(doc_id, table_no, row, col), yuan=yuan,
            measure=measure or self.measure, category=category, fund=fund,
            fiscal_year=self.plan.year, table=table, table_kind=table_kind, item=item,
            printed=f"{yuan / WAN:.2f}", printed_unit="万元", execution_rate=rate,
            page=table_no, row=row, of_ref=of, functional_ref=functional,
            economic_ref=economic, project_ref=project, document_ref=doc_id))

    def finish(self, seed: int) -> DocumentRecords:
        """Add every subject used, with the chain up to its 类."""
        ftree, etree = functional_tree(seed), economic_tree()
        codes = {c[:n] for c in self.functional for n in (3, 5, 7) if len(c) >= n}
        self.records.functional_subjects = [ftree[c] for c in sorted(codes)]
        ecodes = {c[:n] for c in self.economic for n in (3, 5) if len(c) >= n}
        self.records.economic_subjects = [etree[c] for c in sorted(ecodes)]
        return self.records


def _scaled(amounts: dict[str, Decimal], factors: dict[str, Decimal]) -> dict[str, Decimal]:
    """Actuals: each leaf figure times its factor, rounded to 100 元 (sums are re-added)."""
    return {k: (v * factors[k] / HUNDRED).quantize(Decimal(1)) * HUNDRED
            for k, v in amounts.items()}


def documents(plan_: Plan, seed: int) -> Iterator[DocumentRecords]:
    """The budget and the final account of one department-year."""
    rng = random.Random(f"{seed}|final|{plan_.department.id}|{plan_.year}")
    factor = {}
    for pu in plan_.units:
        for code in pu.basic:
            factor[f"{pu.unit.id}|{code}"] = Decimal(str(round(rng.uniform(0.9, 1.05), 3)))
        for project, _ in pu.projects:
            factor[project.id] = Decimal(str(round(rng.uniform(0.75, 1.0), 3)))
    for kind in ("budget", "final_account"):
        yield _document(plan_, kind, seed, factor if kind == "final_account" else None, rng)


def _document(plan_: Plan, kind: str, seed: int, factor: dict[str, Decimal] | None,
              rng: random.Random) -> DocumentRecords:
    doc = _Doc(plan_, kind, seed)
    dept = plan_.department.id
    title = "支出决算表" if factor else "部门支出预算表"
    # Leaf figures (per unit and 项), actuals scaled from the budget.
    leaves: list[tuple[str, str, Decimal, Decimal]] = []  # unit id, 项, basic, project
    project_budget: dict[str, Decimal] = {}
    project_actual: dict[str, Decimal] = {}
    for pu in plan_.units:
        basic = {c: v for c, v in pu.basic.items()}
        if factor:
            basic = _scaled(basic, {c: factor[f"{pu.unit.id}|{c}"] for c in basic})
        by_subject: dict[str, Decimal] = {}
        for project, budgeted in pu.projects:
            value = budgeted
            if factor:
                value = _scaled({"v": budgeted}, {"v": factor[project.id]})["v"]
            project_budget[project.id] = budgeted
            project_actual[project.id] = value
            code = project.subject_ref or ""
            by_subject[code] = by_subject.get(code, Decimal(0)) + value
        for code in sorted(basic.keys() | by_subject.keys()):
            leaves.append((pu.unit.id, code, basic.get(code, Decimal(0)),
                           by_subject.get(code, Decimal(0))))
    # Per-unit rows of 项 (table 3), and the department's 类/款/项 rows with 合计 (table 2).
    totals: dict[str, list[Decimal]] = {}
    for row, (unit_id, code, basic_v, project_v) in enumerate(leaves, start=1):
        for col, cat, value in (("t", "total", basic_v + project_v), ("b", "basic", basic_v),
                                ("p", "project", project_v)):
            doc.amount(3, f"{title}（按单位）", "expenditure", row, col, value, cat, of=unit_id,
                       fund="all", functional=code)
        for n in (0, 3, 5, 7):
            t = totals.setdefault(code[:n], [Decimal(0), Decimal(0)])
            t[0] += basic_v
            t[1] += project_v
    # Every figure is general-public money here, so the 一般公共预算支出表 (table 6) repeats
    # the department's rows of table 2 in its own cells, as published documents do.
    general = "一般公共预算财政拨款支出决算表" if factor else "一般公共预算支出预算表"
    for row, code in enumerate(sorted(totals), start=1):
        basic_v, project_v = totals[code]
        for col, cat, value in (("t", "total", basic_v + project_v), ("b", "basic", basic_v),
                                ("p", "project", project_v)):
            doc.amount(2, title, "expenditure", row, col, value, cat, of=dept, fund="all",
                       functional=code or None, item="合计" if not code else None)
            doc.amount(6, general, "general_budget_expenditure", row, col, value, cat, of=dept,
                       functional=code or None, item="合计" if not code else None)
    # Basic expenditure by economic subject: 款 rows, 类 rows, personnel/public and 合计.
    economic = dict(plan_.economic)
    basic_total = totals[""][0]
    planned = sum(economic.values(), Decimal(0))
    if factor and planned:
        # The economic split of the actual basic spending keeps the budget's proportions;
        # rounding goes to the largest item so that personnel + public = basic still holds.
        ratio = basic_total / planned
        economic = {c: (v * ratio / HUNDRED).quantize(Decimal(1)) * HUNDRED
                    for c, v in economic.items()}
        largest = max(economic, key=lambda c: economic[c])
        economic[largest] += basic_total - sum(economic.values(), Decimal(0))
    etable = "一般公共预算基本支出决算表" if factor else "一般公共预算基本支出预算表"
    row = 0
    lei_totals: dict[str, Decimal] = {}
    for code in sorted(economic):
        lei_totals[code[:3]] = lei_totals.get(code[:3], Decimal(0)) + economic[code]
    for code in sorted(economic.keys() | lei_totals.keys()):
        row += 1
        value = economic.get(code, lei_totals.get(code, Decimal(0)))
        cat = "personnel" if code[:3] in PERSONNEL_ECONOMIC else "public"
        doc.amount(4, etable, "general_budget_basic", row, "v", value, cat, of=dept,
                   economic=code)
    personnel = sum((v for c, v in economic.items() if c[:3] in PERSONNEL_ECONOMIC), Decimal(0))
    for col, cat, value, item in (("p", "personnel", personnel, "人员经费"),
                                  ("u", "public", basic_total - personnel, "公用经费"),
                                  ("t", "basic", basic_total, "合计")):
        doc.amount(4, etable, "general_budget_basic", row + 1, col, value, cat, of=dept,
                   item=item)
    # 三公 (table 5).
    names = {"three_public": "合计", "overseas_travel": "因公出国（境）费",
             "vehicle_purchase_operation": "公务用车购置及运行维护费",
             "vehicle_purchase": "公务用车购置费", "vehicle_operation": "公务用车运行维护费",
             "official_reception": "公务接待费"}
    three = plan_.three_public
    if factor:
        reception = (three["official_reception"] * Decimal("0.9") / HUNDRED).quantize(
            Decimal(1)) * HUNDRED
        three = {**three, "official_reception": reception,
                 "three_public": three["vehicle_purchase_operation"] + reception}
    for row, (cat, value) in enumerate(three.items(), start=1):
        doc.amount(5, "“三公”经费支出表", "three_public", row, "v", value, cat, of=dept,
                   item=names[cat])
    # Projects: amounts and indicators (table 7 onwards, one form per project).
    table_no = 6
    for pu in plan_.units:
        for project, _ in pu.projects:
            table_no += 1
            _project(doc, pu, project, table_no, project_budget[project.id],
                     project_actual[project.id] if factor else None, rng)
    return doc.finish(seed)


def _project(doc: _Doc, pu: PlannedUnit, project: Project, table_no: int, budgeted: Decimal,
             actual: Decimal | None, rng: random.Random) -> None:
    """A project's amounts and its 8–15 indicators (with actuals and scores in a 决算)."""
    doc.records.projects.append(dataclasses.replace(project, document_ref=doc.document.id))
    final = actual is not None
    table = f"{project.name}绩效{'自评' if final else '目标'}表"
    kind = "project_self_evaluation" if final else "project_performance"
    code = project.subject_ref
    if final:
        rate = (actual / budgeted * 100).quantize(Decimal("0.01")) if budgeted else None
        doc.amount(table_no, table, kind, 1, "b", budgeted, "project", of=pu.unit.id,
                   measure="budget", functional=code, project=project.id)
        doc.amount(table_no, table, kind, 1, "a", budgeted, "project", of=pu.unit.id,
                   measure="adjusted_budget", functional=code, project=project.id)
        doc.amount(table_no, table, kind, 1, "x", actual, "project", of=pu.unit.id,
                   measure="actual", functional=code, project=project.id, rate=rate)
    else:
        doc.amount(table_no, table, kind, 1, "b", budgeted, "project", of=pu.unit.id,
                   functional=code, project=project.id)
    # The same targets in both documents: drawn from the project, not the document.
    prng = random.Random(project.id)
    chosen = prng.sample(INDICATORS, prng.randint(8, 15))
    weights = _split(prng, Decimal(90) * HUNDRED, len(chosen))
    for n, (spec, weight) in enumerate(zip(chosen, weights, strict=True), start=1):
        level1, level2, name, op, unit, low, high = spec
        w = (weight / HUNDRED).quantize(Decimal(1))
        if op == "qualitative":
            target_value, target_text = None, prng.choice(QUALITATIVE_TEXT)
        else:
            target_value = Decimal(prng.randint(low, high))
            target_text = f"{'≥' if op == '>=' else '≤' if op == '<=' else ''}{target_value}{unit}"
        actual_value = actual_text = score = None
        if final:
            if target_value is None:
                actual_text = "已完成"
            else:
                actual_value = (target_value * Decimal(str(round(rng.uniform(0.85, 1.1), 2)))
                                ).quantize(Decimal("0.01"))
                actual_text = f"{actual_value}{unit}"
            score = w if rng.random() < 0.8 else (w * Decimal("0.8")).quantize(Decimal("0.1"))
        doc.records.indicators.append(Indicator(
            id=ids.cell_key(doc.document.id, "i", table_no, n), name=name, level1=level1,
            level2=level2, operator=op, target_value=target_value, target_text=target_text,
            unit=unit or None, weight=w, actual_value=actual_value, actual_text=actual_text,
            score=score, fiscal_year=project.fiscal_year, owner_ref=project.id,
            document_ref=doc.document.id, table=table, page=table_no, row=n + 1))


def scale_of(size: str | Scale) -> Scale:
    return SCALES[size] if isinstance(size, str) else size


def plan_keys(size: str | Scale) -> Iterator[tuple[str, int, int]]:
    """(county, department kind, year) of every department-year, in generation order."""
    scale = scale_of(size)
    for n, county in enumerate(counties(scale.counties)):
        for d in range(scale.departments):
            dept_no = (n * scale.departments + d) % len(DEPARTMENTS)
            for year in scale.years:
                yield county, dept_no, year


def generate(size: str | Scale, seed: int = 0, skip: int = 0) -> Iterator[DocumentRecords]:
    """Every document of a size, county by county, department by department, year by year.

    ``skip`` documents are passed over without being drawn, so the tail of a large size
    costs no more than its own documents.
    """
    scale = scale_of(size)
    n = 0
    for county, dept_no, year in plan_keys(scale):
        if n + 2 <= skip:
            n += 2
            continue
        for doc in documents(plan(county, dept_no, year, scale, seed), seed):
            if n >= skip:
                yield doc
            n += 1


# ------------------------------------------------------------------------------------------
# Counting
# ------------------------------------------------------------------------------------------

_SHARED = ("regions", "departments", "units", "functional_subjects", "economic_subjects",
           "projects")


@dataclass
class Counts:
    """Distinct nodes and edges a stream of documents makes (what a store ends up holding)."""

    documents: int = 0
    nodes: int = 0
    edges: int = 0
    by_label: dict[str, int] = dataclasses.field(default_factory=dict)


def count(docs: Iterator[DocumentRecords]) -> Counts:
    """Count distinct nodes and edges; shared entities are de-duplicated by key.

    Amounts, indicators and documents are distinct by construction, so only the shared
    entities (a few hundred thousand at most) are held in memory.
    """
    out = Counts()
    seen: dict[str, set[str]] = {}
    edges: set[tuple[str, str, str]] = set()
    for doc in docs:
        out.documents += 1
        for group in ("indicators", "amounts"):
            records = getattr(doc, group)
            label = type(records[0]).__name__ if records else group
            out.by_label[label] = out.by_label.get(label, 0) + len(records)
            out.edges += sum(_refs(r) for r in records)
        out.by_label["Document"] = out.by_label.get("Document", 0) + 1
        out.edges += _refs(doc.document)
        for group in _SHARED:
            for record in getattr(doc, group):
                label = type(record).__name__
                key = getattr(record, "code", None) if label in (
                    "Region", "FunctionalSubject", "EconomicSubject") else record.id
                seen.setdefault(label, set()).add(key)
                for f in dataclasses.fields(record):
                    value = getattr(record, f.name)
                    if f.name.endswith("_ref") and value:
                        edges.add((f"{label}.{f.name}", key, value))
    for label, keys in seen.items():
        out.by_label[label] = len(keys)
    out.edges += len(edges)
    out.nodes = sum(out.by_label.values())
    return out


def _refs(record: object) -> int:
    return sum(1 for f in dataclasses.fields(record)  # type: ignore[arg-type]
               if f.name.endswith("_ref") and getattr(record, f.name))


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="tiny", choices=list(SCALES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jsonl", type=Path, help="write the records, one document a line")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.jsonl:
        with args.jsonl.open("w", encoding="utf-8") as f:
            for doc in generate(args.size, args.seed):
                f.write(json.dumps(dataclasses.asdict(doc), ensure_ascii=False,
                                   default=_jsonable) + "\n")
        print(f"wrote {args.jsonl} in {time.perf_counter() - started:.1f} s")
        return 0
    counts = count(generate(args.size, args.seed))
    elapsed = time.perf_counter() - started
    print(f"size {args.size}: {counts.documents} documents, {counts.nodes} nodes, "
          f"{counts.edges} edges ({elapsed:.1f} s)")
    for label, n in sorted(counts.by_label.items()):
        print(f"  {label:<18} {n:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
