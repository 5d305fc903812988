"""The HTTP API against a real uvicorn server with the five seed documents loaded.

The seeds are loaded through the command line into a temporary data directory (with
``FISCAL_KG_BASE`` set to the server's address, so stored IRIs and served IRIs agree), then
the app is served on a free port of 127.0.0.1 in a thread.  Every check asks what a client
asks and compares with the figures printed in the documents.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from api.app import create_app
from api.deps import ApiSettings, Limits
from fiscal_kg import config

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TOKEN = "test-upload-token"
FKG = Namespace("https://w3id.org/fiscal-kg/ontology#")
TIMEOUT_MS = 1000


@dataclass
class Running:
    base: str
    data: Path
    client: httpx.Client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_seeds(data: Path, base: str) -> None:
    """The seeds through ``fiscal-kg load`` (the embedded graph and the RDF store)."""
    env = {**os.environ, config.BASE_ENV: base}
    done = subprocess.run([sys.executable, "-m", "fiscal_kg", "--data", str(data), "load",
                           str(SAMPLES), "--json"], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (data / config.RDF_DIR).is_dir()


@contextmanager
def running_server(data: Path, port: int, *, token: str | None = TOKEN,
                   limits: Limits | None = None) -> Iterator[Running]:
    base = f"http://127.0.0.1:{port}"
    settings = ApiSettings(data=config.Settings(data_dir=data, base=base), base=base,
                           limits=limits or Limits(query_timeout_ms=TIMEOUT_MS, max_rows=1000),
                           token=token)
    server = uvicorn.Server(uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning",
        h11_max_incomplete_event_size=settings.limits.head_bytes))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            yield Running(base, data, client)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    port = free_port()
    data = tmp_path_factory.mktemp("api-data")
    load_seeds(data, f"http://127.0.0.1:{port}")
    with running_server(data, port) as running:
        yield running


def counts(api: Running) -> tuple[int, int, int]:
    """Nodes and relationships of the graph, triples of the RDF store (through the API)."""
    c = api.client
    nodes = c.post("/cypher", json={"query": "MATCH (n) RETURN count(n) AS n"}).json()
    rels = c.post("/cypher", json={"query": "MATCH ()-[r]->() RETURN count(r) AS n"}).json()
    triples = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    n = int(triples.json()["results"]["bindings"][0]["n"]["value"])
    return nodes["rows"][0]["n"], rels["rows"][0]["n"], n


# ------------------------------------------------------------------------------------------
# Linked data
# ------------------------------------------------------------------------------------------


def test_region_as_turtle_names_ruoqiang(api: Running) -> None:
    r = api.client.get("/id/region/652824", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "若羌县" in r.text
    g = Graph().parse(data=r.text, format="turtle")
    me = URIRef(f"{api.base}/id/region/652824")
    assert (me, FKG.name, Literal("若羌县")) in g
    assert (me, RDF.type, FKG.Region) in g
    assert (me, FKG.partOf, URIRef(f"{api.base}/id/region/652800")) in g


def test_region_as_jsonld_expands_to_the_ontology(api: Running) -> None:
    r = api.client.get("/id/region/652824", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    doc = r.json()
    assert doc["@context"]["fkg"] == str(FKG)  # the project's context, embedded
    g = Graph().parse(data=r.text, format="json-ld")
    me = URIRef(f"{api.base}/id/region/652824")
    assert (me, RDF.type, FKG.Region) in g
    assert (me, FKG.name, Literal("若羌县")) in g
    assert (me, FKG.code, Literal("652824")) in g
    # the department located in it is stated with the ontology's property
    dep = URIRef(f"{api.base}/id/department/652824-若羌县人民政府办公室")
    assert (dep, FKG.locatedIn, me) in g


def test_region_as_html_and_suffixes(api: Running) -> None:
    page = api.client.get("/id/region/652824", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "若羌县" in page.text and 'href="/id/region/652800"' in page.text
    assert "巴音郭楞蒙古自治州" in page.text
    ttl = api.client.get("/id/region/652824.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle") and "若羌县" in ttl.text
    assert api.client.get("/id/region/652824.jsonld").json()["@context"]
    as_json = api.client.get("/id/region/652824.json", headers={"Accept": "text/html"})
    assert as_json.json()["label"] == "若羌县"


def test_entity_json_contract(api: Running) -> None:
    doc = api.client.get("/id/region/652824").json()
    assert doc["iri"] == f"{api.base}/id/region/652824"
    assert (doc["kind"], doc["key"], doc["label"]) == ("region", "652824", "若羌县")
    assert doc["properties"] == {"code": "652824", "level": "county", "name": "若羌县"}
    assert {"rel": "PART_OF", "direction": "out", "kind": "region", "key": "652800",
            "iri": f"{api.base}/id/region/652800", "label": "巴音郭楞蒙古自治州"} in doc["links"]
    assert doc["provenance"] is None


def test_functional_subject_201_links_to_its_narrower_subjects(api: Running) -> None:
    doc = api.client.get("/id/functional-subject/201").json()
    assert doc["label"] == "201 一般公共服务支出"
    narrower = {lk["key"] for lk in doc["links"]
                if lk["rel"] == "BROADER" and lk["direction"] == "in"}
    assert {"20103", "20140"} <= narrower
    page = api.client.get("/id/functional-subject/201", headers={"Accept": "text/html"}).text
    assert 'href="/id/functional-subject/20103"' in page
    g = Graph().parse(data=api.client.get("/id/functional-subject/201.ttl").text,
                      format="turtle")
    child = URIRef(f"{api.base}/id/functional-subject/20103")
    assert (child, FKG.broader, URIRef(f"{api.base}/id/functional-subject/201")) in g


def test_amount_has_provenance(api: Running) -> None:
    cells = api.client.post("/cypher", json={"query": """
        MATCH (:FunctionalSubject {code: '201'})<-[:CLASSIFIED_AS]-(a:Amount)-[:REPORTED_IN]->
              (:Document)-[:PUBLISHED_BY]->(:Department)-[:LOCATED_IN]->(:Region {code: '652824'})
        WHERE a.table_kind = 'expenditure' AND a.category = 'total'
        RETURN a.id AS id"""}).json()["rows"]
    assert len(cells) == 1
    doc = api.client.get(f"/id/amount/{cells[0]['id']}").json()
    assert doc["properties"]["yuan"] == 6_837_000.0  # 683.70 万元
    prov = doc["provenance"]
    assert prov["document"]["label"] == "若羌县人民政府办公室2024年部门预算"
    assert prov["table"] == "部门支出总体情况表" and prov["row"] == 3


def test_unknown_entity_is_a_helpful_404(api: Running) -> None:
    r = api.client.get("/id/region/999999")
    assert r.status_code == 404
    body = r.json()
    assert body["error"] == "not_found"
    assert body["detail"]["search"] == "/search?q=999999&kind=region"
    page = api.client.get("/id/project/不存在的项目", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "不存在的项目" in page.text and "/search?" in page.text
    assert api.client.get("/id/nothing/1").status_code == 422


# ------------------------------------------------------------------------------------------
# Search
# ------------------------------------------------------------------------------------------


def test_search_ranks_exact_code_then_prefix(api: Running) -> None:
    doc = api.client.get("/search", params={"q": "201"}).json()
    assert doc["hits"][0]["key"] == "201" and doc["hits"][0]["kind"] == "functional-subject"
    assert [h["key"] for h in doc["hits"][1:3]] == ["20103", "20140"]  # shorter codes first
    assert doc["total"] >= len(doc["hits"])


def test_search_chinese_substring_kind_and_paging(api: Running) -> None:
    doc = api.client.get("/search", params={"q": "若羌"}).json()
    assert doc["hits"][0]["kind"] == "region" and doc["hits"][0]["label"] == "若羌县"
    projects = api.client.get("/search", params={"q": "党建", "kind": "project"}).json()
    assert projects["total"] == 3
    assert {h["label"] for h in projects["hits"]} == {
        "党建经费", "党建项目经费", "党建工作专项经费"}
    first = api.client.get("/search", params={"q": "经费", "limit": 5}).json()
    second = api.client.get("/search", params={"q": "经费", "limit": 5, "offset": 5}).json()
    both = api.client.get("/search", params={"q": "经费", "limit": 10}).json()
    assert first["hits"] + second["hits"] == both["hits"]


# ------------------------------------------------------------------------------------------
# Trace
# ------------------------------------------------------------------------------------------


def walk(node: dict) -> Iterator[dict]:
    yield node
    for child in node["children"]:
        yield from walk(child)


def test_trace_201_jiangyou_2024_reaches_the_7_projects_and_their_targets(api: Running) -> None:
    doc = api.client.get("/trace", params={"subject": "201", "region": "510781",
                                           "year": 2024}).json()
    assert doc["subject"]["name"] == "一般公共服务支出"
    [region] = doc["regions"]
    assert (region["code"], region["year"], region["measure"]) == ("510781", 2024, "budget")
    assert region["yuan"] == 17_278_400.0  # 部门收支总表 一般公共服务支出 1,727.84 万元
    nodes = {n["code"]: n for n in walk(region["children"][0])}
    assert nodes["2010302"]["yuan"] == 2_639_200.0  # two units: 214.00 + 49.92 万元
    assert {u["name"]: u["yuan"] for u in nodes["2010302"]["units"]} == {
        "江油市人民政府办公室机关": 2_140_000.0, "江油市政务服务中心": 499_200.0}
    projects = {p["name"]: p for n in nodes.values() for p in n["projects"]}
    assert {name: len(p["indicators"]) for name, p in projects.items()} == {
        "党建工作专项经费": 11, "外事工作专项经费": 6, "政府办综合事务专项经费": 18,
        "政务服务后勤保障经费": 13, "政务服务信息化运维经费": 12, "公共资源交易中心运行经费": 14,
        "党建项目经费": 6,
    }
    assert projects["政府办综合事务专项经费"]["yuan"] == 2_110_000.0
    target = next(i for i in projects["党建工作专项经费"]["indicators"]
                  if i["name"] == "订阅报刊杂志" and i["level1"] == "产出指标")
    assert (target["operator"], target["target_value"], target["unit"], target["weight"]) == (
        "=", 87.0, "份", 10.0)


def test_trace_without_region_gives_each_region(api: Running) -> None:
    doc = api.client.get("/trace", params={"subject": "201", "year": 2024}).json()
    got = {r["code"]: (r["measure"], r["yuan"]) for r in doc["regions"]}
    assert got == {"510781": ("budget", 17_278_400.0), "652824": ("budget", 6_837_000.0),
                   "130630": ("budget", 12_553_700.0), "500152": ("actual", 15_850_096.60)}
    assert api.client.get("/trace", params={"subject": "999"}).status_code == 404


# ------------------------------------------------------------------------------------------
# Aggregate
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("region", "year", "measure", "yuan"), [
    ("652824", 2024, "budget", 6_837_000.00),    # 若羌 683.70 万元
    ("510781", 2024, "budget", 17_278_400.00),   # 江油 1,727.84 万元
    ("130630", 2024, "budget", 12_553_700.00),   # 涞源 1,255.37 万元
    ("500152", 2024, "actual", 15_850_096.60),   # 潼南 15,850,096.60 元
    ("510781", 2020, "actual", 13_081_600.00),   # 江油 2020: 1,308.16 万元 (prose)
])
def test_aggregate_reproduces_the_class_201_total(api: Running, region: str, year: int,
                                                   measure: str, yuan: float) -> None:
    doc = api.client.get("/aggregate", params={
        "cut": f"year:{year}|subject:201|region:{region}", "measure": measure}).json()
    assert doc["level"] == 1
    assert doc["summary"]["yuan"] == yuan
    assert [c["yuan"] for c in doc["cells"]] == [yuan]


def test_aggregate_reproduces_every_class_total_of_ruoqiang(api: Running) -> None:
    doc = api.client.get("/aggregate", params={
        "cut": "region:652824|year:2024", "measure": "budget", "drilldown": "subject"}).json()
    assert {c["subject"]: c["yuan"] for c in doc["cells"]} == {
        "201": 6_837_000.0, "208": 803_300.0, "210": 384_300.0, "221": 396_100.0}
    assert doc["summary"]["yuan"] == 8_420_700.0  # 支出合计 842.07 万元


def test_aggregate_one_level_never_adds_totals_to_their_parts(api: Running) -> None:
    doc = api.client.get("/aggregate", params={
        "cut": "region:510781|year:2024|subject:201", "measure": "budget",
        "drilldown": "subject", "level": 3}).json()
    assert doc["level"] == 3
    assert {c["subject"]: c["yuan"] for c in doc["cells"]} == {
        "2010301": 9_571_800.0, "2010302": 2_639_200.0, "2010305": 60_000.0,
        "2010350": 5_007_400.0}
    assert doc["summary"]["yuan"] == 17_278_400.0
    by_level2 = api.client.get("/aggregate", params={
        "cut": "subject:201|year:2024", "drilldown": "region,subject"}).json()
    assert by_level2["level"] == 2 and {c["region"] for c in by_level2["cells"]} == {
        "510781", "652824", "130630", "500152"}


def test_aggregate_members_and_bad_input(api: Running) -> None:
    regions = api.client.get("/aggregate/members/region").json()["members"]
    assert {m["key"]: m["label"] for m in regions} == {
        "130630": "涞源县", "500152": "潼南区", "510781": "江油市", "652824": "若羌县"}
    years = api.client.get("/aggregate/members/year").json()["members"]
    assert [m["key"] for m in years] == ["2020", "2024"]
    assert api.client.get("/aggregate/members/colour").status_code == 404
    assert api.client.get("/aggregate", params={"drilldown": "colour"}).status_code == 400
    assert api.client.get("/aggregate", params={"cut": "year:twenty"}).status_code == 400


# ------------------------------------------------------------------------------------------
# SPARQL
# ------------------------------------------------------------------------------------------

REGIONS = ("SELECT ?code ?name WHERE { ?r a fkg:Region ; fkg:code ?code ; fkg:name ?name } "
           "ORDER BY ?code")


def test_sparql_select_in_json_csv_and_tsv(api: Running) -> None:
    r = api.client.get("/sparql", params={"query": REGIONS})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    rows = {b["code"]["value"]: b["name"]["value"] for b in r.json()["results"]["bindings"]}
    assert rows["652824"] == "若羌县" and rows["500152"] == "潼南区"
    csv = api.client.post("/sparql", content=REGIONS, headers={
        "Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "652824,若羌县\r\n" in csv.text and csv.text.startswith("code,name\r\n")
    tsv = api.client.post("/sparql", data={"query": REGIONS},
                          headers={"Accept": "text/tab-separated-values"})
    assert '"652824"\t"若羌县"' in tsv.text and tsv.text.startswith("?code\t?name\n")


def test_sparql_ask_and_construct(api: Running) -> None:
    ask = api.client.get("/sparql", params={"query": "ASK { ?r fkg:code '652824' }"}).json()
    assert ask == {"head": {}, "boolean": True}
    query = ("CONSTRUCT { ?r fkg:name ?n } "
             "WHERE { ?r a fkg:Region ; fkg:code '652824' ; fkg:name ?n }")
    ttl = api.client.get("/sparql", params={"query": query})
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=ttl.text, format="turtle")
    assert (URIRef(f"{api.base}/id/region/652824"), FKG.name, Literal("若羌县")) in g
    ld = api.client.get("/sparql", params={"query": query},
                        headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=ld.text, format="json-ld")) == 1


def test_sparql_update_is_refused_and_changes_nothing(api: Running) -> None:
    before = counts(api)
    update = "INSERT DATA { <http://example.org/x> <http://example.org/p> 1 }"
    for response in (
        api.client.post("/sparql", data={"update": update}),
        api.client.post("/sparql", content=update,
                        headers={"Content-Type": "application/sparql-update"}),
        api.client.get("/sparql", params={"query": update}),
        api.client.post("/sparql", content="DELETE WHERE { ?s ?p ?o }",
                        headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "update_refused"
        assert "Traceback" not in response.text
    assert counts(api) == before


def test_sparql_row_limit_truncates(api: Running) -> None:
    r = api.client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o }"})
    doc = r.json()
    assert doc["truncated"] is True and len(doc["results"]["bindings"]) == 1000
    assert r.headers["x-truncated"] == "true"


def test_sparql_that_runs_too_long_is_stopped(api: Running) -> None:
    query = ("SELECT (COUNT(*) AS ?n) WHERE { ?a fkg:name ?x . ?b fkg:name ?y . "
             "?c a fkg:Indicator }")
    started = time.monotonic()
    r = api.client.get("/sparql", params={"query": query})
    assert r.status_code == 408 and r.json()["error"] == "timeout"
    assert time.monotonic() - started < 10
    assert api.client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_sparql_errors_are_json(api: Running) -> None:
    r = api.client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert r.status_code == 400 and r.json()["error"] == "bad_query"
    assert api.client.get("/sparql").json()["error"] == "missing_query"


# ------------------------------------------------------------------------------------------
# Cypher
# ------------------------------------------------------------------------------------------


def test_cypher_reads_with_parameters(api: Running) -> None:
    r = api.client.post("/cypher", json={
        "query": "MATCH (s:FunctionalSubject {code: $code}) RETURN s.name AS name",
        "params": {"code": "2010301"}})
    assert r.json() == {"columns": ["name"], "rows": [{"name": "行政运行"}], "truncated": False}


@pytest.mark.parametrize("query", [
    "CREATE (:Region {code: '000001', name: 'x'})",
    "MERGE (r:Region {code: '652824'}) SET r.name = 'x'",
    "MATCH (r:Region {code: '652824'}) SET r.name = 'x'",
    "MATCH (r:Region {code: '652824'}) DETACH DELETE r",
    "MATCH (a:Amount) DELETE a",
    "CREATE NODE TABLE Evil(id STRING, PRIMARY KEY(id))",
])
def test_cypher_writes_are_refused_by_the_engine(api: Running, query: str) -> None:
    before = counts(api)
    r = api.client.post("/cypher", json={"query": query})
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "read_only"
    assert "read-only database" in r.json()["message"]
    assert counts(api) == before


def test_cypher_file_and_setting_statements_are_refused(api: Running, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    for query in (f"COPY (MATCH (r:Region) RETURN r.code) TO '{target}'",
                  "LOAD FROM '/etc/hostname' RETURN *", "INSTALL fts", "CALL threads = 1",
                  "BEGIN TRANSACTION"):
        r = api.client.post("/cypher", json={"query": query})
        assert r.status_code == 403 and r.json()["error"] == "forbidden", query
    assert not target.exists()
    # a word inside a string is not a statement
    ok = api.client.post("/cypher", json={"query": "RETURN 'COPY LOAD' AS t"})
    assert ok.json()["rows"] == [{"t": "COPY LOAD"}]


def test_cypher_that_runs_too_long_is_stopped(api: Running) -> None:
    # ~10^12 combinations: far beyond the 1 s limit on any machine.
    query = ("MATCH (a:Amount) MATCH (b:Amount) MATCH (c:Indicator) MATCH (d:Amount) "
             "WHERE a.yuan + b.yuan + d.yuan > c.weight RETURN count(*) AS n")
    r = api.client.post("/cypher", json={"query": query})
    assert r.status_code == 408 and r.json()["error"] == "timeout", r.text
    fine = api.client.post("/cypher", json={"query": "MATCH (r:Region) RETURN count(r) AS n"})
    assert fine.status_code == 200


def test_cypher_row_limit_and_errors(api: Running) -> None:
    r = api.client.post("/cypher", json={"query": "MATCH (a:Amount) RETURN a.id AS id"}).json()
    assert r["truncated"] is True and len(r["rows"]) == 1000
    bad = api.client.post("/cypher", json={"query": "MATCH (n RETURN n"})
    assert bad.status_code == 400 and bad.json()["error"] == "query_error"
    assert "Traceback" not in bad.text
    for params in ({"x": "på"}, {"x": [1.5, None, [2.0]]}):
        odd = api.client.post("/cypher", json={"query": "RETURN $x + 1.0 AS y", "params": params})
        assert odd.status_code == 400, (params, odd.text)
    surrogate = b'{"query": "RETURN $x AS y", "params": {"x": "\\ud800"}}'  # JSON allows it
    odd = api.client.post("/cypher", content=surrogate,
                          headers={"Content-Type": "application/json"})
    assert odd.status_code == 400, odd.text


def test_request_body_limit(api: Running) -> None:
    big = "RETURN 1 " + "/* padding */ " * 6000
    r = api.client.post("/cypher", json={"query": big})
    assert r.status_code == 413 and r.json()["error"] == "too_large"


# ------------------------------------------------------------------------------------------
# Named queries, graph view, documentation
# ------------------------------------------------------------------------------------------


def test_named_queries_list_and_run_on_both_engines(api: Running) -> None:
    listed = {q["name"]: q for q in api.client.get("/queries").json()["queries"]}
    assert "compare_subject" in listed
    assert listed["compare_subject"]["example"] == {"subject": "2010301"}
    answers = {}
    for engine in ("cypher", "sparql"):
        r = api.client.get("/queries/compare_subject",
                           params={"engine": engine, "subject": "2010301"})
        assert r.status_code == 200, r.text
        answers[engine] = r.json()["rows"]
    assert answers["cypher"] == answers["sparql"]
    ruoqiang = [row for row in answers["cypher"] if row["region"] == "652824"]
    assert [row["yuan"] for row in ruoqiang] == [2_655_400.0]  # 表5 265.54 万元
    assert api.client.get("/queries/no_such_query").status_code == 404
    bad = api.client.get("/queries/compare_subject", params={"colour": "red"})
    assert bad.status_code == 400


def test_graph_neighbourhood(api: Running) -> None:
    doc = api.client.get("/graph/region/652824").json()
    me = f"{api.base}/id/region/652824"
    assert doc["center"] == me and doc["nodes"][0]["id"] == me
    parent = f"{api.base}/id/region/652800"
    assert {"id": f"{me} PART_OF {parent}", "source": me, "target": parent,
            "rel": "PART_OF"} in doc["edges"]
    subject = api.client.get("/graph/functional-subject/201", params={"limit": 2}).json()
    assert subject["truncated"] is True


def test_openapi_documents_every_endpoint(api: Running) -> None:
    spec = api.client.get("/openapi.json").json()
    for path in ("/id/{kind}/{key}", "/search", "/trace", "/aggregate",
                 "/aggregate/members/{dimension}", "/sparql", "/cypher", "/queries",
                 "/queries/{name}", "/graph/{kind}/{key}", "/documents"):
        assert path in spec["paths"], path
    assert api.client.get("/docs").status_code == 200
    assert api.client.get("/").status_code == 200


# ------------------------------------------------------------------------------------------
# Uploads
# ------------------------------------------------------------------------------------------


def test_upload_needs_the_token(api: Running) -> None:
    body = (SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt").read_bytes()
    params = {"filename": "ruoqiang.txt"}
    assert api.client.post("/documents", params=params, content=body).status_code == 401
    wrong = api.client.post("/documents", params=params, content=body,
                            headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_upload_loads_through_the_same_pipeline(api: Running) -> None:
    before = counts(api)
    body = (SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt").read_bytes()
    r = api.client.post("/documents", params={"filename": "652824_ruoqiang.txt"},
                        content=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["status"] == "loaded" and report["title"] == "若羌县人民政府办公室2024年部门预算"
    assert report["amounts"] == 175 and report["projects"] == 4
    assert counts(api) == before  # the same document again changes nothing, in either store
    bad = api.client.post("/documents", params={"filename": "x.exe"}, content=b"MZ",
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert bad.status_code == 415


def test_upload_is_disabled_without_a_token(api: Running) -> None:
    with running_server(api.data, free_port(), token=None) as other:
        r = other.client.post("/documents", params={"filename": "a.txt"}, content=b"x")
        assert r.status_code == 403 and r.json()["error"] == "uploads_disabled"
        assert json.loads(other.client.get("/id/region/652824").text)["label"] == "若羌县"


def test_an_uploaded_document_is_seen_by_both_stores_at_once(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    seeds = tmp_path / "one"
    seeds.mkdir()
    (seeds / "ruoqiang.txt").write_bytes(
        (SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt").read_bytes())
    env = {**os.environ, config.BASE_ENV: base}
    done = subprocess.run([sys.executable, "-m", "fiscal_kg", "--data", str(tmp_path / "data"),
                           "load", str(seeds)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    ask = {"query": "ASK { ?r fkg:code '130630' ; a fkg:Region }"}
    with running_server(tmp_path / "data", port) as api:
        assert api.client.get("/id/region/130630").status_code == 404
        assert api.client.get("/sparql", params=ask).json()["boolean"] is False
        body = (SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt").read_bytes()
        r = api.client.post("/documents", params={"filename": "laiyuan.txt"}, content=body,
                            headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 201, r.text
        assert api.client.get("/id/region/130630").json()["label"] == "涞源县"
        assert api.client.get("/sparql", params=ask).json()["boolean"] is True
        total = api.client.get("/aggregate", params={
            "cut": "region:130630|year:2024|subject:201", "measure": "budget"}).json()
        assert total["summary"]["yuan"] == 12_553_700.0  # 涞源 1,255.37 万元
        assert (tmp_path / "data" / "uploads").is_dir()
