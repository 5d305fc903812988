"""The five seed disclosures, loaded through the real command line into the embedded graph.

These tests ask the graph the questions an analyst asks (where did the money of 201 go in
江油 2024, down to each project's targets; how does 2010301 行政运行 compare across regions)
and check the answers against the figures printed in the documents.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from store.ladybug import LadybugStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CLI = [sys.executable, "-m", "fiscal_kg"]


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--data", str(data), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    data = tmp_path_factory.mktemp("seeds")
    done = run_cli(data, "load", str(SAMPLES), "--json")
    assert done.returncode == 0, done.stderr
    return data, json.loads(done.stdout)


@pytest.fixture(scope="module")
def graph(loaded: tuple[Path, list[dict]]):
    data, _ = loaded
    store = LadybugStore(data / "graph.lbug", read_only=True)
    yield store
    store.close()


def q(store: LadybugStore, cypher: str, **params: object) -> list[dict]:
    return store.query(cypher, params)


def test_every_seed_loads_and_every_table_is_recognised(loaded: tuple[Path, list[dict]]) -> None:
    _, reports = loaded
    assert len(reports) == 5
    for r in reports:
        assert r["status"] == "loaded", r
        assert r["tables_not_recognised"] == [], (r["path"], r["tables_not_recognised"])


# The Cypher of the issue, in the subset Neo4j 5 and Ladybug share.
TRACE = """
MATCH (top:FunctionalSubject {code: $subject})<-[:BROADER*0..2]-(:FunctionalSubject)
      <-[:CLASSIFIED_AS]-(p:Project)-[:HAS_INDICATOR]->(i:Indicator)
MATCH (p)-[:REPORTED_IN]->(d:Document)-[:PUBLISHED_BY]->(:Department)-[:LOCATED_IN]->(r:Region)
WHERE r.code = $region AND d.fiscal_year = $year
RETURN p.name AS project, count(i) AS indicators
ORDER BY project
"""


def test_trace_201_jiangyou_2024_reaches_the_7_projects_and_their_targets(graph) -> None:
    rows = q(graph, TRACE, subject="201", region="510781", year=2024)
    assert {r["project"]: r["indicators"] for r in rows} == {
        "党建工作专项经费": 11, "外事工作专项经费": 6, "政府办综合事务专项经费": 18,
        "政务服务后勤保障经费": 13, "政务服务信息化运维经费": 12, "公共资源交易中心运行经费": 14,
        "党建项目经费": 6,
    }


def test_trace_shows_a_target_with_operator_value_unit_and_weight(graph) -> None:
    rows = q(graph, """
        MATCH (p:Project {name: '党建工作专项经费'})-[:HAS_INDICATOR]->(i:Indicator)
        WHERE i.name = '订阅报刊杂志' AND i.level1 = '产出指标'
        RETURN i.operator AS op, i.target_value AS v, i.unit AS unit, i.weight AS w""")
    assert rows == [{"op": "=", "v": 87.0, "unit": "份", "w": 10.0}]


COMPARE = """
MATCH (s:FunctionalSubject {code: $code})<-[:CLASSIFIED_AS]-(a:Amount)
MATCH (a)-[:REPORTED_IN]->(d:Document)-[:PUBLISHED_BY]->(:Department)-[:LOCATED_IN]->(r:Region)
WHERE a.category = 'total' AND a.table_kind = $kind AND a.item IS NULL
MATCH (a)-[:OF]->(:Department)
RETURN r.name AS region, d.fiscal_year AS year, a.measure AS measure, a.yuan AS yuan
ORDER BY region, year
"""


def test_2010301_compared_across_the_four_regions(graph) -> None:
    # The general-budget expenditure table is the one every seed prints at department level
    # (江油's 部门支出总表 gives 2010301 per unit only).
    rows = q(graph, COMPARE, code="2010301", kind="general_budget_expenditure")
    got = {(r["region"], r["year"], r["measure"]): round(r["yuan"], 2) for r in rows}
    assert got == {
        ("江油市", 2024, "budget"): 9_571_800.00,    # 一般公共预算支出预算表 957.18 万元
        ("涞源县", 2024, "budget"): 11_045_400.00,   # 1,104.54 万元
        ("潼南区", 2024, "actual"): 7_171_195.84,    # 05表 本年支出 合计, 元
        ("若羌县", 2024, "budget"): 2_655_400.00,    # 表5 265.54 万元
    }
    # 江油 2020 states it in prose only: 支出决算为 881.48 万元，完成预算 99.56%.
    prose = q(graph, COMPARE.replace("AND a.item IS NULL", ""), code="2010301",
              kind="narrative_final")
    assert [(r["region"], r["year"], r["measure"], round(r["yuan"], 2)) for r in prose] == [
        ("江油市", 2020, "actual", 8_814_800.00)]


@pytest.mark.parametrize(("region", "year", "yuan"), [
    ("510781", 2024, 17_278_400.00),   # 江油 部门收支总表 一般公共服务支出 1,727.84 万元
    ("652824", 2024, 6_837_000.00),    # 若羌 683.70 万元
    ("130630", 2024, 12_553_700.00),   # 涞源 1,255.37 万元
    ("500152", 2024, 15_850_096.60),   # 潼南 15,850,096.60 元
])
def test_class_201_total_of_each_seed(graph, region: str, year: int, yuan: float) -> None:
    rows = q(graph, """
        MATCH (:FunctionalSubject {code: '201'})<-[:CLASSIFIED_AS]-(a:Amount)
        MATCH (a)-[:REPORTED_IN]->(d:Document)-[:PUBLISHED_BY]->(:Department)
              -[:LOCATED_IN]->(r:Region {code: $region})
        WHERE d.fiscal_year = $year AND a.category = 'total' AND a.fund = 'all'
          AND a.table_kind = 'income_expenditure_summary'
        RETURN a.yuan AS yuan""", region=region, year=year)
    assert [round(r["yuan"], 2) for r in rows] == [yuan]


def test_region_chain_climbs_to_the_province(graph) -> None:
    rows = q(graph, """
        MATCH (r:Region {code: '652824'})-[:PART_OF*1..2]->(up:Region)
        RETURN up.code AS code, up.name AS name, up.level AS level ORDER BY code""")
    assert rows == [
        {"code": "650000", "name": "新疆维吾尔自治区", "level": "province"},
        {"code": "652800", "name": "巴音郭楞蒙古自治州", "level": "prefecture"},
    ]


def test_budget_and_final_account_of_jiangyou_meet_at_one_department(graph) -> None:
    rows = q(graph, """
        MATCH (d:Document)-[:PUBLISHED_BY]->(dep:Department)
              -[:LOCATED_IN]->(:Region {code: '510781'})
        RETURN dep.name AS dep, d.kind AS kind, d.fiscal_year AS year ORDER BY year""")
    assert rows == [
        {"dep": "江油市人民政府办公室", "kind": "final_account", "year": 2020},
        {"dep": "江油市人民政府办公室", "kind": "budget", "year": 2024},
    ]


def test_tongnan_projects_carry_budget_adjusted_budget_and_actual(graph) -> None:
    rows = q(graph, """
        MATCH (a:Amount)-[:FOR_PROJECT]->(p:Project {code: '50015224T000004234131'})
        WHERE a.item = '年度总金额'
        RETURN a.measure AS measure, a.yuan AS yuan ORDER BY measure""")
    assert [(r["measure"], round(r["yuan"], 2)) for r in rows] == [
        ("actual", 496_454.03), ("adjusted_budget", 496_454.03), ("budget", 560_000.00)]
    total = q(graph, """
        MATCH (a:Amount)-[:FOR_PROJECT]->(:Project)
        MATCH (a)-[:REPORTED_IN]->(:Document)-[:PUBLISHED_BY]->(:Department)
              -[:LOCATED_IN]->(:Region {code: '500152'})
        WHERE a.measure = 'actual' AND a.item = '年度总金额'
        RETURN sum(a.yuan) AS yuan, count(a) AS n""")
    assert total[0]["n"] == 10 and round(total[0]["yuan"], 2) == 5_031_428.80


CONTACTS = ("13667508777", "谢东升", "44556966", "18883193697", "周艳", "马凌乔", "023-44556966")


def test_no_contact_person_or_phone_number_in_the_graph(graph) -> None:
    for label in ("Region", "Department", "Unit", "Document", "FunctionalSubject",
                  "EconomicSubject", "Project", "Indicator", "Amount"):
        for row in q(graph, f"MATCH (n:{label}) RETURN n"):
            text = json.dumps(row, ensure_ascii=False, default=str)
            leaked = [c for c in CONTACTS if c in text]
            assert not leaked, (label, leaked)


def counts(data: Path) -> tuple[int, int]:
    with LadybugStore(data / "graph.lbug", read_only=True) as store:
        return store.count_nodes(), store.count_rels()


def test_loading_the_seeds_twice_changes_nothing(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "load", str(SAMPLES)).returncode == 0
    first = counts(tmp_path)
    assert first[0] > 2000
    assert run_cli(tmp_path, "load", str(SAMPLES)).returncode == 0
    assert counts(tmp_path) == first


def test_a_broken_document_is_named_and_leaves_nothing(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt", batch)
    (batch / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n% truncated")
    # A text export cut off after its first lines: no department, no year.
    (batch / "cut.txt").write_text("部门收支总表\n\n金额单位：万元\n收 入\t\t支 出\t\n",
                                   encoding="utf-8")
    done = run_cli(tmp_path / "data", "load", str(batch), "--json")
    assert done.returncode == 1
    reports = {Path(r["path"]).name: r for r in json.loads(done.stdout)}
    assert reports["652824_ruoqiang_gov-office_2024_budget.txt"]["status"] == "loaded"
    for name in ("broken.pdf", "cut.txt"):
        assert reports[name]["status"] == "failed"
        assert name in reports[name]["error"]
        assert "Traceback" not in done.stdout + done.stderr
    with LadybugStore(tmp_path / "data" / "graph.lbug", read_only=True) as store:
        docs = store.query("MATCH (d:Document) RETURN d.source AS source")
    assert docs == [{"source": "652824_ruoqiang_gov-office_2024_budget.txt"}]
