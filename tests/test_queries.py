"""The named query library: both engines return the same rows, and the rows are right.

The five bundled samples are loaded once into a temporary data directory — the embedded
graph and the RDF store, the same records into both — and every named query runs with its
``example`` parameters on Cypher and on SPARQL.  Rows must agree exactly (in any order,
money to 0.01 元) and must not be empty; for several queries the values are checked against
what the documents print.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fiscal_kg import config
from fiscal_kg.cli import app
from fiscal_kg.query import run, run_cypher, run_sparql
from loaders.pipeline import load_document
from queries import (
    QUERY_DIR,
    NamedQuery,
    QueryError,
    all_queries,
    load,
    parse_header,
    query_names,
)
from store.ladybug import LadybugStore
from store.ladybug import open_store as open_graph
from store.oxigraph import OxigraphStore
from store.oxigraph import open_store as open_rdf
from store.writer import write

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
runner = CliRunner()

JIANGYOU_2024_PROJECTS = {
    "党建工作专项经费", "政府办综合事务专项经费", "外事工作专项经费",  # 301001 机关
    "党建项目经费", "公共资源交易中心运行经费", "政务服务后勤保障经费",  # 301604 政务服务中心
    "政务服务信息化运维经费",
}


# ------------------------------------------------------------------------------------------
# Fixtures: the samples in both stores, once for the module
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> config.Settings:
    """A data directory holding the five samples in the embedded graph and the RDF store."""
    data = tmp_path_factory.mktemp("query-library")
    settings = config.Settings(data_dir=data)
    batch = [load_document(path) for path in sorted(SAMPLES.glob("*.txt"))]
    assert len(batch) == 5
    with open_graph(settings.ladybug_path) as graph:
        assert all(outcome.ok for outcome in write(graph, batch))
    with open_rdf(settings.rdf_path, base=settings.base) as rdf:
        assert all(outcome.ok for outcome in rdf.write(batch))
    return settings


@pytest.fixture(scope="module")
def stores(settings: config.Settings) -> Iterator[tuple[LadybugStore, OxigraphStore]]:
    graph = open_graph(settings.ladybug_path, read_only=True)
    rdf = open_rdf(settings.rdf_path, base=settings.base, read_only=True)
    yield graph, rdf
    graph.close()
    rdf.close()


def both(stores: tuple[LadybugStore, OxigraphStore], name: str,
         **params: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of one query on each engine (example parameters unless others are given)."""
    query = load(name)
    bound = query.bind(params or query.header.example)
    graph, rdf = stores
    return run_cypher(query, bound, graph), run_sparql(query, bound, rdf)


def agreed(stores: tuple[LadybugStore, OxigraphStore], name: str,
           **params: Any) -> list[dict[str, Any]]:
    """Rows of one query, after checking that both engines return exactly them."""
    cypher, sparql = both(stores, name, **params)
    assert canonical(cypher) == canonical(sparql), name
    return cypher


def canonical(rows: list[dict[str, Any]]) -> list[str]:
    """Rows as sorted JSON texts: order-insensitive, column order kept, money as 0.01 元."""
    def value(v: Any) -> Any:
        if isinstance(v, Decimal):
            return f"{v:.2f}"
        if isinstance(v, float):
            return round(v, 6)
        return v

    return sorted(json.dumps([[k, value(v)] for k, v in row.items()], ensure_ascii=False)
                  for row in rows)


def by(rows: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    """Rows indexed by the value of ``keys`` (a tuple for several), which must identify a row."""
    out: dict[Any, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys) if len(keys) > 1 else row[keys[0]]
        assert key not in out, f"two rows for {key}"
        out[key] = row
    return out


# ------------------------------------------------------------------------------------------
# The library itself
# ------------------------------------------------------------------------------------------


def test_the_library_has_the_named_queries() -> None:
    names = query_names()
    assert len(names) >= 12
    assert {"trace", "compare_subject", "department_overview", "subject_tree", "region_tree",
            "project_indicators", "budget_vs_final", "three_public", "top_projects",
            "spending_split", "economic_breakdown", "qualitative_indicators"} <= set(names)
    stray = {p.stem for p in QUERY_DIR.glob("*.cypher")} ^ {p.stem for p in
                                                              QUERY_DIR.glob("*.rq")}
    assert not stray, f"queries with only one of their two files: {sorted(stray)}"


@pytest.mark.parametrize("name", query_names())
def test_both_files_carry_the_same_header(name: str) -> None:
    cypher = (QUERY_DIR / f"{name}.cypher").read_text(encoding="utf-8")
    sparql = (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")
    header = parse_header(cypher, "//")
    assert header == parse_header(sparql, "#")
    assert header.name == name
    assert header.description and header.example
    assert header.counting, "say how the query avoids counting money twice"
    declared = {p.name for p in header.params}
    assert set(header.example) <= declared
    for text in (body(cypher, "//"), body(sparql, "#")):
        used = set(re.findall(r"\$([A-Za-z_]\w*)", text))
        assert used == declared, (name, used ^ declared)


def body(text: str, marker: str) -> str:
    """A query file without its comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith(marker))


@pytest.mark.parametrize("name", query_names())
def test_money_columns_are_returned_by_the_query(name: str) -> None:
    query = load(name)
    returned = re.search(r"SELECT(.*?)WHERE", body(query.sparql, "#"), re.S)
    assert returned is not None
    for column in query.rounded:
        assert f"?{column}" in returned.group(1), (name, column)


def test_parameters_are_typed_from_command_line_text() -> None:
    query = load("trace")
    bound = query.bind({"year": "2024", "region": "510781"})
    assert bound == {"subject": "201", "region": "510781", "year": 2024}
    assert query.bind({"year": 2020})["year"] == 2020  # -p year:=2020 passes JSON
    with pytest.raises(QueryError, match="year"):
        query.bind({"year": "二〇二四"})
    with pytest.raises(QueryError, match="unknown parameter"):
        query.bind({"regoin": "510781"})
    with pytest.raises(QueryError, match="no query named"):
        load("no_such_query")


def test_sparql_parameters_become_escaped_typed_literals() -> None:
    query = load("top_projects")
    text = query.sparql_text(query.bind({"region": 'x" } UNION { ?s ?p ?o', "year": "2024",
                                         "limit": "3"}))
    assert '"x\\" } UNION { ?s ?p ?o"' in text
    assert "LIMIT 3" in text and "?year = 2024" in text
    assert "$region" not in body(text, "#") and "$limit" not in text


def test_a_header_that_does_not_parse_is_refused() -> None:
    with pytest.raises(QueryError, match="param line"):
        parse_header("// name: x\n// description: y\n// param: region\nMATCH (n) RETURN n", "//")
    with pytest.raises(QueryError, match="not one of"):
        parse_header("// name: x\n// description: y\n// param: n float 1 — z\n", "//")
    with pytest.raises(QueryError, match="undeclared"):
        parse_header("// name: x\n// description: y\n// example: year=2024\n", "//")
    header = parse_header("# name: x\n# description: one\n#   and two\n"
                          "# param: region string \"\" — all\nSELECT * {}", "#")
    assert header.description == "one and two"
    assert header.params[0].default == ""


# ------------------------------------------------------------------------------------------
# Parity: every query, both engines, same rows
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", query_names())
def test_both_engines_return_the_same_rows(stores, name: str) -> None:
    cypher, sparql = both(stores, name)
    assert cypher, f"{name} returns no rows for its example {load(name).header.example}"
    assert [list(r) for r in cypher[:1]] == [list(r) for r in sparql[:1]], "column names"
    assert canonical(cypher) == canonical(sparql)


def test_run_opens_the_stores_of_a_data_directory(settings: config.Settings) -> None:
    for engine in ("cypher", "sparql"):
        rows = run("compare_subject", {"subject": "2010301", "year": "2020"}, engine=engine,
                   settings=settings)
        assert [(r["region"], r["yuan"]) for r in rows] == [("510781", Decimal("8814800.00"))]
    with pytest.raises(QueryError, match="unknown engine"):
        run("trace", {}, engine="gremlin", settings=settings)


# ------------------------------------------------------------------------------------------
# Values the documents print
# ------------------------------------------------------------------------------------------


def test_trace_reaches_the_seven_jiangyou_2024_projects(stores) -> None:
    rows = agreed(stores, "trace", subject="201", region="510781", year="2024")
    assert {r["project"] for r in rows if r["project"]} == JIANGYOU_2024_PROJECTS
    assert {r["region"] for r in rows} == {"510781"}
    cells = {(r["code"], r["unit"]): r["yuan"] for r in rows}
    # 部门支出总表: 2010301 行政运行 of 江油市人民政府办公室机关 957.18 万元; 事业运行 by unit
    assert cells[("2010301", "江油市人民政府办公室机关")] == Decimal("9571800.00")
    assert cells[("2010350", "江油市政务服务中心")] == Decimal("3777200.00")
    projects = by([r for r in rows if r["project"]], "project")
    assert projects["政府办综合事务专项经费"]["project_yuan"] == Decimal("2110000.00")
    assert projects["政府办综合事务专项经费"]["code"] == "2010302"
    assert projects["外事工作专项经费"]["code"] == "2010305"
    assert projects["党建工作专项经费"]["indicators"] == 11


def test_trace_of_a_province_reaches_its_counties(stores) -> None:
    rows = agreed(stores, "trace", subject="201", region="510000", year="2024")
    assert {r["project"] for r in rows if r["project"]} == JIANGYOU_2024_PROJECTS


def test_compare_subject_gives_each_documents_own_figure(stores) -> None:
    rows = agreed(stores, "compare_subject", subject="2010301")
    got = {(r["region"], r["year"], r["measure"]): r["yuan"] for r in rows}
    assert got == {
        ("130630", 2024, "budget"): Decimal("11045400.00"),  # 涞源 1104.54 万元
        ("500152", 2024, "actual"): Decimal("7171195.84"),  # 潼南 决算 7,171,195.84 元
        ("510781", 2020, "actual"): Decimal("8814800.00"),  # 江油 2020 决算 narrative 881.48
        ("510781", 2024, "budget"): Decimal("9571800.00"),  # 江油 一般公共预算支出预算表 957.18
        ("652824", 2024, "budget"): Decimal("2655400.00"),  # 若羌 265.54 万元
    }
    assert by(rows, "region", "year")[("510781", 2020)]["source"] == "narrative_final"
    budgets = agreed(stores, "compare_subject", subject="2010301", measure="budget",
                     year="2024")
    assert len(budgets) == 3


def test_budget_vs_final_sets_jiangyous_2024_budget_against_its_2020_outturn(stores) -> None:
    rows = by(agreed(stores, "budget_vs_final"), "code")
    assert rows["2010301"]["budget"] == Decimal("9571800.00")
    assert rows["2010301"]["actual"] == Decimal("8814800.00")
    assert rows["2010301"]["rate"] == Decimal("92.09")
    assert rows["2010302"]["budget"] == Decimal("2639200.00")  # 263.92 万元, both units
    assert rows["2010399"]["budget"] is None  # no 2024 budget for it
    assert rows["2010399"]["actual"] == Decimal("400000.00")
    assert rows["2010399"]["rate"] is None


def test_spending_split_matches_the_printed_totals(stores) -> None:
    rows = by(agreed(stores, "spending_split", year="2024"), "region", "category")
    # 江油: 基本支出 1788.88, 项目支出 269.92, 人员经费 1459.62, 公用经费 329.26 万元
    assert rows[("510781", "basic")]["yuan"] == Decimal("17888800.00")
    assert rows[("510781", "project")]["yuan"] == Decimal("2699200.00")
    assert rows[("510781", "personnel")]["yuan"] == Decimal("14596200.00")
    assert rows[("510781", "public")]["yuan"] == Decimal("3292600.00")
    # 潼南 决算: 人员经费合计 12,424,566.81 元, 公用经费合计 2,434,543.90 元
    assert rows[("500152", "personnel")]["yuan"] == Decimal("12424566.81")
    assert rows[("500152", "public")]["yuan"] == Decimal("2434543.90")
    assert rows[("500152", "basic")]["measure"] == "actual"


def test_three_public_takes_one_table_per_document(stores) -> None:
    rows = by(agreed(stores, "three_public", year="0"), "region", "year", "measure", "category")
    assert rows[("510781", 2024, "budget", "three_public")]["yuan"] == Decimal("180000.00")
    assert rows[("510781", 2024, "budget", "official_reception")]["yuan"] == Decimal(
        "120000.00")
    assert rows[("130630", 2024, "budget", "three_public")]["yuan"] == Decimal("1710000.00")
    assert rows[("130630", 2024, "budget", "overseas_travel")]["yuan"] == Decimal("70000.00")
    assert rows[("652824", 2024, "budget", "three_public")]["yuan"] == Decimal("2500.00")
    tongnan = rows[("500152", 2024, "actual", "three_public")]
    assert (tongnan["yuan"], tongnan["source"]) == (Decimal("465326.00"), "institution_operation")
    assert rows[("510781", 2020, "actual", "three_public")]["yuan"] == Decimal("105800.00")
    assert rows[("510781", 2020, "budget", "three_public")]["yuan"] == Decimal("620000.00")


def test_top_projects_ranks_by_the_projects_own_amount(stores) -> None:
    rows = agreed(stores, "top_projects", year="2024", measure="budget", limit="3")
    assert [(r["project"], r["yuan"]) for r in rows] == [
        ("政府办综合事务专项经费", Decimal("2110000.00")),
        ("政府办业务经费", Decimal("1440800.00")),
        ("区政府办电子政务、政务（政府）信息公开专项（常年性项目）", Decimal("750000.00")),
    ]
    actual = agreed(stores, "top_projects", year="2024", measure="actual", limit="1")
    assert [(r["project"], r["yuan"]) for r in actual] == [
        ("数字化城市运行和治理专项", Decimal("1362818.12"))]


def test_department_overview(stores) -> None:
    rows = by(agreed(stores, "department_overview", region="510781"), "year")
    assert rows[2024]["total"] == Decimal("20588000.00")  # 部门支出总表 合计 2,058.80 万元
    assert (rows[2024]["basic"], rows[2024]["project"]) == (Decimal("17888800.00"),
                                                            Decimal("2699200.00"))
    assert (rows[2024]["units"], rows[2024]["projects"]) == (2, 7)
    assert rows[2020]["total"] is None  # the 2020 final account has no expenditure table
    assert rows[2020]["projects"] == 5


def test_economic_breakdown_adds_units_at_one_level(stores) -> None:
    rows = by(agreed(stores, "economic_breakdown", region="510781", year="2024", level="2"),
              "code")
    # 30101 基本工资: 298.99 (机关) + 85.73 (政务服务中心) 万元
    assert rows["30101"]["yuan"] == Decimal("3847200.00")
    assert rows["30101"]["public"] is None
    # 30228 工会经费 is personnel money: 9.84 + 2.78 万元
    assert rows["30228"]["personnel"] == Decimal("126200.00")
    top = by(agreed(stores, "economic_breakdown", region="510781", year="2024", level="1"),
             "code")
    assert top["302"]["yuan"] == Decimal("4153200.00")  # 297.97 + 117.35 万元
    assert top["302"]["personnel"] + top["302"]["public"] == top["302"]["yuan"]


def test_subject_and_region_trees(stores) -> None:
    subjects = by(agreed(stores, "subject_tree", subject="201"), "code")
    assert subjects["201"]["level"] == 1
    assert (subjects["2010301"]["name"], subjects["2010301"]["level"],
            subjects["2010301"]["parent"]) == ("行政运行", 3, "20103")
    economic = by(agreed(stores, "subject_tree", subject="302"), "code")
    assert economic["30217"]["name"] == "公务接待费"
    assert economic["30217"]["scheme"] == "department"
    regions = by(agreed(stores, "region_tree", region="510781"), "code")
    assert {c: r["relation"] for c, r in regions.items()} == {
        "510781": "self", "510700": "ancestor", "510000": "ancestor"}
    assert regions["510700"]["name"] == "绵阳市"
    assert regions["510781"]["departments"] == 1
    down = by(agreed(stores, "region_tree", region="650000"), "code")
    assert down["652824"]["relation"] == "descendant"


def test_indicators(stores) -> None:
    rows = agreed(stores, "project_indicators", region="500152", year="2024", project="督查")
    assert len(rows) == 16
    assert {r["project"] for r in rows} == {"区政府办督查议案专项（常年性项目）"}
    case = by(rows, "indicator")["印制全区综合目标考核书预算"]
    assert (case["target_value"], case["unit"], case["actual_value"]) == (10.0, "万元", 10.0)
    qualitative = by(agreed(stores, "qualitative_indicators", region="510781", year="2024"),
                     "owner", "indicator")
    assert len(qualitative) == 5
    party = qualitative[("党建工作专项经费", "提升党员的执行力")]
    assert party["target_text"] == "提升党员贯彻落实党中央的决策部署能力"
    assert party["operator"] == "qualitative"


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------


def test_query_list_json_shape() -> None:
    done = runner.invoke(app, ["query", "--list", "--json"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    entries = json.loads(done.stdout)
    assert [e["name"] for e in entries] == query_names()
    for entry in entries:
        assert set(entry) == {"name", "description", "parameters", "example"}
        assert entry["description"]
        for param in entry["parameters"]:
            assert set(param) == {"name", "type", "default", "description"}
            assert param["type"] in ("string", "int", "decimal")
        assert set(entry["example"]) <= {p["name"] for p in entry["parameters"]}
    trace = next(e for e in entries if e["name"] == "trace")
    assert trace["example"] == {"subject": "201", "region": "510781", "year": "2024"}
    assert {"name": "year", "type": "int", "default": 2024,
            "description": "fiscal year of the documents"} in trace["parameters"]


@pytest.mark.parametrize("engine", ["cypher", "sparql"])
def test_query_command_prints_json_rows(settings: config.Settings, engine: str) -> None:
    done = runner.invoke(app, ["--data", str(settings.data_dir), "query", "compare_subject",
                               "-p", "subject=2010301", "-p", "year:=2024", "--engine", engine,
                               "--json"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert {(r["region"], r["yuan"]) for r in rows} == {
        ("130630", 11045400), ("500152", 7171195.84), ("510781", 9571800),
        ("652824", 2655400)}


def test_query_command_reports_bad_input(settings: config.Settings) -> None:
    data = ["--data", str(settings.data_dir)]
    unknown = runner.invoke(app, [*data, "query", "nope"])
    assert unknown.exit_code == 1 and "no query named 'nope'" in unknown.output
    bad = runner.invoke(app, [*data, "query", "trace", "-p", "year=later"])
    assert bad.exit_code == 1 and "year" in bad.output
    nameless = runner.invoke(app, [*data, "query"])
    assert nameless.exit_code == 2


def test_every_query_loads() -> None:
    queries = all_queries()
    assert [q.name for q in queries] == query_names()
    assert all(isinstance(q, NamedQuery) and q.cypher and q.sparql for q in queries)
