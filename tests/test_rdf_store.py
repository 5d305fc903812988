"""The RDF store: written on every load, queried with SPARQL, idempotent, one document at a time.

The five sample documents are loaded once through the real command line; smaller cases use
the hand-built records of the 若羌县 and 江油市 2024 budgets (``tests.test_store_ladybug``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import NamedNode
from typer.testing import CliRunner

from fiscal_kg import config
from fiscal_kg.cli import app
from ontology import ids
from ontology.records import Project
from store.oxigraph import (
    ONTOLOGY_GRAPH,
    OxigraphStore,
    RdfStoreError,
    open_store,
    query_form,
)
from store.rdf import RdfError, document_graph, mapping
from tests.test_store_ladybug import jiangyou_records, ruoqiang_records

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BASE = config.DEFAULT_BASE
runner = CliRunner()

RUOQIANG_201 = """
SELECT ?yuan ?printed ?unit WHERE {
  ?a fkg:functionalClassification/fkg:code "201" ; fkg:category "total" ;
     fkg:table "部门支出总体情况表" ; fkg:yuan ?yuan ; fkg:printed ?printed ;
     fkg:printedUnit ?unit ; fkg:reportedIn ?d .
  ?d fkg:fiscalYear 2024 ; fkg:kind "budget" ; fkg:publishedBy/fkg:locatedIn/fkg:name "若羌县" .
}"""

JIANGYOU_PROJECTS_201 = """
SELECT DISTINCT ?name WHERE {
  ?p a fkg:Project ; fkg:name ?name ; fkg:reportedIn ?d ; fkg:functionalClassification ?s ;
     fkg:hasIndicator ?i .
  ?s fkg:broader* ?top . ?top fkg:code "201" .
  ?d fkg:fiscalYear 2024 ; fkg:publishedBy/fkg:locatedIn/fkg:code "510781" .
} ORDER BY ?name"""


def cli(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def load_samples(data: Path) -> None:
    result = cli("--data", data, "load", SAMPLES)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def samples_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the five sample documents, loaded through the CLI."""
    data = tmp_path_factory.mktemp("rdf-samples")
    load_samples(data)
    return data


@pytest.fixture
def samples_rdf(samples_data: Path) -> Iterator[OxigraphStore]:
    with open_store(samples_data / "rdf", base=BASE, read_only=True) as rdf:
        yield rdf


@pytest.fixture
def rdf(tmp_path: Path) -> Iterator[OxigraphStore]:
    with open_store(tmp_path / "rdf", base=BASE) as store:
        yield store


def sparql_json(data: Path, query: str) -> list[dict]:
    result = cli("--data", data, "sparql", query, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------------------------------
# Real values over SPARQL
# ------------------------------------------------------------------------------------------


def test_load_writes_the_rdf_store_next_to_the_graph(samples_data: Path) -> None:
    assert (samples_data / "graph.lbug").is_file()
    assert (samples_data / "rdf").is_dir()


def test_ruoqiang_201_total_is_683_70_wan_yuan(samples_data: Path) -> None:
    # 若羌县 2024 表3 部门支出总体情况表: 201 一般公共服务支出 683.70 万元 = 6,837,000 元
    rows = sparql_json(samples_data, RUOQIANG_201)
    assert rows == [{"yuan": 6837000, "printed": "683.70", "unit": "万元"}]


def test_money_is_an_exact_decimal(samples_rdf: OxigraphStore) -> None:
    rows = samples_rdf.rows(RUOQIANG_201)
    assert rows[0]["yuan"] == Decimal("6837000")
    datatype = samples_rdf.query(RUOQIANG_201).rows[0]["yuan"].datatype
    assert datatype == NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def test_jiangyou_2024_projects_with_indicators_under_201(samples_data: Path) -> None:
    rows = sparql_json(samples_data, JIANGYOU_PROJECTS_201)
    assert [r["name"] for r in rows] == sorted([
        "党建工作专项经费", "政府办综合事务专项经费", "外事工作专项经费", "党建项目经费",
        "公共资源交易中心运行经费", "政务服务后勤保障经费", "政务服务信息化运维经费"])


def test_json_rows_hold_plain_values(samples_data: Path) -> None:
    rows = sparql_json(samples_data, """
        SELECT ?s ?code ?level ?label WHERE {
          ?s a fkg:FunctionalSubject ; fkg:code "201" ; fkg:code ?code ; fkg:level ?level ;
             skos:prefLabel ?label }""")
    assert rows == [{"s": f"{BASE}/id/functional-subject/201", "code": "201", "level": 1,
                     "label": "一般公共服务支出"}]
    assert sparql_json(samples_data, "ASK { ?a a fkg:Amount }") == [{"boolean": True}]


def test_the_ontology_is_queryable_with_the_data(samples_rdf: OxigraphStore) -> None:
    labels = samples_rdf.rows("SELECT ?l WHERE { fkg:Amount rdfs:label ?l } ORDER BY ?l")
    assert [r["l"] for r in labels] == ["Amount", "金额"]
    # class labels next to instance data, in one query
    rows = samples_rdf.rows("""
        SELECT ?label (COUNT(?a) AS ?n) WHERE {
          ?a a fkg:Amount ; fkg:reportedIn/fkg:source ?src .
          fkg:Amount rdfs:label ?label FILTER(LANG(?label) = "zh")
          FILTER(STRSTARTS(?src, "652824_")) } GROUP BY ?label""")
    assert rows[0]["label"] == "金额" and rows[0]["n"] > 100
    # the ontology sits in its own graph, the data in the default graph
    assert samples_rdf.count(ONTOLOGY_GRAPH) > 500
    in_data = samples_rdf.rows("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a a fkg:Amount } }")
    assert in_data == [{"n": 0}]


def test_nodes_carry_the_standard_alignments(samples_rdf: OxigraphStore) -> None:
    unit = ids.iri(BASE, "unit", "510781-301604")
    dept = ids.iri(BASE, "department", "510781-江油市人民政府办公室")
    rows = samples_rdf.rows(f"""
        SELECT ?type ?parent ?label WHERE {{
          <{unit}> a ?type ; org:subOrganizationOf ?parent ; fkg:unitOf ?parent ;
                   rdfs:label ?label }} ORDER BY ?type""")
    assert {r["type"] for r in rows} == {str(mapping().classes["Unit"].iri),
                                         "http://www.w3.org/ns/org#Organization",
                                         "http://www.w3.org/ns/org#OrganizationalUnit"}
    assert {r["parent"] for r in rows} == {dept}
    assert {r["label"] for r in rows} == {"江油市政务服务中心"}
    label = samples_rdf.query(f"SELECT ?l WHERE {{ <{unit}> rdfs:label ?l }}").rows[0]["l"]
    assert label.language == "zh"
    subject = samples_rdf.rows("""
        SELECT ?notation ?broader ?scheme WHERE {
          ?s fkg:code "2010301" ; skos:notation ?notation ; skos:broader ?broader ;
             skos:inScheme ?scheme ; a skos:Concept }""")
    assert subject == [{"notation": "2010301",
                        "broader": f"{BASE}/id/functional-subject/20103",
                        "scheme": "https://w3id.org/fiscal-kg/ontology#functionalScheme"}]
    amount = samples_rdf.rows("""
        SELECT ?document ?derived ?amount ?phase WHERE {
          ?a a qb:Observation ; fkg:table "部门支出总体情况表" ; fkg:category "total" ;
             fkg:functionalClassification/skos:notation "201" ; fkg:reportedIn ?document ;
             prov:wasDerivedFrom ?derived ; obeu-measure:amount ?amount ;
             obeu-dimension:budgetPhase ?phase ;
             obeu-dimension:organization/org:hasSite?/rdfs:label "若羌县人民政府办公室"@zh }""")
    assert len(amount) == 1
    assert amount[0]["document"] == amount[0]["derived"]
    assert amount[0]["document"].startswith(f"{BASE}/id/document/")
    assert amount[0]["amount"] == Decimal("6837000") and amount[0]["phase"] == "budget"


# ------------------------------------------------------------------------------------------
# Idempotence, existing values, atomicity
# ------------------------------------------------------------------------------------------


def test_loading_twice_leaves_the_triple_count_unchanged(tmp_path: Path) -> None:
    load_samples(tmp_path)
    with open_store(tmp_path / "rdf", base=BASE, read_only=True) as rdf:
        before = (rdf.count(), rdf.count(ONTOLOGY_GRAPH))
    load_samples(tmp_path)
    with open_store(tmp_path / "rdf", base=BASE, read_only=True) as rdf:
        assert (rdf.count(), rdf.count(ONTOLOGY_GRAPH)) == before
        assert before[0] > 40_000  # the five documents, not an empty store


def test_a_batch_with_one_document_twice_writes_it_once(rdf: OxigraphStore) -> None:
    assert all(o.ok for o in rdf.write([ruoqiang_records()]))
    once = rdf.count()
    assert all(o.ok for o in rdf.write([ruoqiang_records(), ruoqiang_records()]))
    assert rdf.count() == once


def test_existing_values_are_not_overwritten(rdf: OxigraphStore) -> None:
    first = ruoqiang_records()
    first.functional_subjects = [dataclasses.replace(s, name="") if s.code == "20103" else s
                                 for s in first.functional_subjects]
    rdf.write([first])
    assert rdf.rows('SELECT ?n WHERE { ?s fkg:code "20103" ; fkg:name ?n }') == []
    second = jiangyou_records()  # names 20103, and calls 201 something else
    second.functional_subjects = [dataclasses.replace(s, name="另一个名称") if s.code == "201"
                                  else s for s in second.functional_subjects]
    assert rdf.write([second])[0].ok
    # the gap is filled, label and all
    assert rdf.rows('SELECT ?n ?l WHERE { ?s fkg:code "20103" ; fkg:name ?n ; '
                    'skos:prefLabel ?l }') == [{"n": "政府办公厅（室）及相关机构事务",
                                                "l": "政府办公厅（室）及相关机构事务"}]
    # the stored name stays, and no second name or label joins it
    assert rdf.rows('SELECT ?n WHERE { ?s fkg:code "201" ; fkg:name ?n }') == \
        [{"n": "一般公共服务支出"}]
    assert rdf.rows('SELECT ?l WHERE { ?s fkg:code "201" ; rdfs:label ?l }') == \
        [{"l": "一般公共服务支出"}]


def test_a_broken_document_leaves_no_triple(rdf: OxigraphStore) -> None:
    broken = jiangyou_records()
    broken.amounts.append(dataclasses.replace(broken.amounts[0], id="x-1", of_ref="no-such-unit"))
    outcomes = rdf.write([ruoqiang_records(), broken])
    assert outcomes[0].ok
    assert not outcomes[1].ok
    assert "510781_jiangyou_gov-office_2024_budget.txt" in (outcomes[1].error or "")
    assert "of_ref='no-such-unit'" in (outcomes[1].error or "")
    doc = ids.iri(BASE, "document", broken.document.id)
    assert rdf.rows(f"ASK {{ {{ <{doc}> ?p ?o }} UNION {{ ?s ?p <{doc}> }} }}") == \
        [{"boolean": False}]
    assert rdf.rows('ASK { ?r fkg:code "510781" }') == [{"boolean": False}]
    assert rdf.rows("SELECT (COUNT(?u) AS ?n) WHERE { ?u a fkg:Unit }") == [{"n": 0}]
    assert rdf.rows("SELECT (COUNT(?a) AS ?n) WHERE { ?a a fkg:Amount }") == [{"n": 7}]
    # once fixed, it loads next to the first
    assert rdf.write([jiangyou_records()])[0].ok
    assert rdf.rows("SELECT (COUNT(?u) AS ?n) WHERE { ?u a fkg:Unit }") == [{"n": 2}]


def test_a_value_of_the_wrong_type_rejects_its_document(rdf: OxigraphStore) -> None:
    broken = ruoqiang_records()
    broken.amounts[0] = dataclasses.replace(broken.amounts[0], page="three")  # type: ignore[arg-type]
    outcome = rdf.write([broken])[0]
    assert not outcome.ok and "page='three' is not integer" in (outcome.error or "")
    assert rdf.count() == 0


def test_a_batch_that_fails_to_store_is_retried_document_by_document(
        rdf: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real_add = OxigraphStore._add
    calls: list[int] = []

    def failing_add(self: OxigraphStore, lines: list[str], bulk: bool = True) -> None:
        calls.append(len(lines))
        if len(calls) == 1:
            raise OSError("disk full")
        real_add(self, lines, bulk)

    monkeypatch.setattr(OxigraphStore, "_add", failing_add)
    outcomes = rdf.write([ruoqiang_records(), jiangyou_records()])
    assert [o.ok for o in outcomes] == [True, True]
    assert len(calls) == 3
    assert rdf.rows("SELECT (COUNT(?d) AS ?n) WHERE { ?d a fkg:Document }") == [{"n": 2}]


def test_the_bulk_path_stores_the_same_triples(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    batch = [ruoqiang_records(), jiangyou_records()]
    with open_store(tmp_path / "one", base=BASE) as rdf:
        rdf.write(batch)
        expected = set(rdf.triples())
    monkeypatch.setattr("store.oxigraph.BULK_TRIPLES", 10)
    with open_store(tmp_path / "bulk", base=BASE) as rdf:
        assert all(o.ok for o in rdf.write(batch))
        assert set(rdf.triples()) == expected
        assert all(o.ok for o in rdf.write(batch))  # and again: nothing changes
        assert set(rdf.triples()) == expected
        assert rdf.count() == len(expected)


def test_refs_resolve_against_stored_nodes(rdf: OxigraphStore) -> None:
    """A later document may point at a unit that only an earlier one defined."""
    rdf.write([jiangyou_records()])
    later = jiangyou_records()
    office = later.units[0].id
    later.units = []
    later.amounts = [dataclasses.replace(later.amounts[0], id="later-1", of_ref=office)]
    assert rdf.exists("Unit", office) and not rdf.exists("Department", office)
    graph = document_graph(later, BASE, rdf.exists)
    unit = f"<{ids.iri(BASE, 'unit', office)}>"
    assert any(line.endswith(f"{unit} .\n") and "#of>" in line for line in graph.facts)
    with pytest.raises(RdfError, match="names no Unit or Department"):
        document_graph(later, BASE)  # without the store the unit is unknown


# ------------------------------------------------------------------------------------------
# IRIs
# ------------------------------------------------------------------------------------------


def test_chinese_keys_stay_readable_and_odd_ones_are_encoded(rdf: OxigraphStore) -> None:
    records = ruoqiang_records()
    dept = records.departments[0].id
    odd = "652824-若羌县民生“微实事”项目 A/B 100%"  # a key with a space, a slash and a %
    records.projects.append(Project(id=odd, name="若羌县民生“微实事”项目 A/B 100%",
                                    fiscal_year=2024, run_by_ref=dept,
                                    document_ref=records.document.id))
    assert rdf.write([records])[0].ok
    rows = rdf.rows(f'SELECT ?p WHERE {{ ?p fkg:id "{odd}" }}')
    assert rows == [{"p": f"{BASE}/id/project/652824-若羌县民生“微实事”项目%20A%2FB%20100%25"}]
    plain = ids.iri(BASE, "department", dept)
    assert plain == f"{BASE}/id/department/652824-若羌县人民政府办公室"
    assert rdf.rows(f"ASK {{ <{plain}> a fkg:Department }}") == [{"boolean": True}]


def test_the_base_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    assert config.settings(tmp_path).base == "http://127.0.0.1:8000"
    monkeypatch.setenv("FISCAL_KG_BASE", "https://fiscal.example.org/")
    settings = config.settings(tmp_path)
    assert settings.base == "https://fiscal.example.org"
    with open_store(settings.rdf_path, base=settings.base) as rdf:
        rdf.write([ruoqiang_records()])
        assert rdf.rows('SELECT ?r WHERE { ?r fkg:code "652824" }') == \
            [{"r": "https://fiscal.example.org/id/region/652824"}]
    with pytest.raises(RdfStoreError, match="not an absolute IRI"):
        open_store(tmp_path / "other", base="not an iri")
    assert not (tmp_path / "other").exists()


# ------------------------------------------------------------------------------------------
# Read-only queries
# ------------------------------------------------------------------------------------------


def test_sparql_update_is_refused(samples_data: Path, samples_rdf: OxigraphStore) -> None:
    before = samples_rdf.count()
    for update in ("INSERT DATA { <http://a> <http://b> <http://c> }",
                   "PREFIX x: <http://x#> # a comment\nDELETE WHERE { ?s ?p ?o }",
                   "CLEAR DEFAULT", "LOAD <http://example.org/x.ttl>"):
        with pytest.raises(RdfStoreError, match="SPARQL Update is refused"):
            samples_rdf.rows(update)
        result = cli("--data", samples_data, "sparql", update)
        assert result.exit_code == 1
    assert samples_rdf.count() == before


def test_query_forms_are_read_after_the_prologue() -> None:
    assert query_form("SELECT * { ?s ?p ?o }") == "SELECT"
    assert query_form("# ask this\nBASE <http://x/#a>\nPREFIX a: <http://a#>\n"
                      "prefix b:<http://b#> construct { ?s ?p ?o } WHERE { ?s ?p ?o }") == \
        "CONSTRUCT"
    assert query_form("  describe <http://x>") == "DESCRIBE"
    assert query_form("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }") == "WITH"
    assert query_form("") is None


def test_construct_rows_are_triples(samples_rdf: OxigraphStore) -> None:
    rows = samples_rdf.rows(
        'CONSTRUCT { ?r fkg:name ?n } WHERE { ?r a fkg:Region ; fkg:code "652824" ; '
        "fkg:name ?n }")
    assert rows == [{"subject": f"{BASE}/id/region/652824",
                     "predicate": "https://w3id.org/fiscal-kg/ontology#name",
                     "object": "若羌县"}]


def test_a_syntax_error_is_reported(samples_data: Path) -> None:
    result = cli("--data", samples_data, "sparql", "SELECT ?x WHERE { ?x fkg:name }")
    assert result.exit_code == 1
    assert "SPARQL syntax error" in result.output


def test_querying_without_a_store_says_to_load_first(tmp_path: Path) -> None:
    result = cli("--data", tmp_path, "sparql", "ASK { ?s ?p ?o }")
    assert result.exit_code == 1
    assert "load documents first" in result.output
