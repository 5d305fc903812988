"""Exports of the five sample documents: Turtle, JSON-LD, GraphML, GEXF and Neo4j import CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from fiscal_kg import config
from ontology.vocabulary import CONTEXT_FILE, vocabulary
from store.ladybug import open_store as open_graph
from store.oxigraph import ONTOLOGY_GRAPH
from store.oxigraph import open_store as open_rdf
from tests.test_rdf_store import cli, load_samples

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
BASE = config.DEFAULT_BASE
FKG = Namespace("https://w3id.org/fiscal-kg/ontology#")
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
# Contact details printed in the samples, which no store and no export may hold.
CONTACTS = ("13667508777", "18883193697", "44556966", "谢东升", "周艳", "马凌乔", "郑凤鸣")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export-samples")
    load_samples(folder)
    return folder


@pytest.fixture(scope="module")
def exports(data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format exported once through the command line."""
    out = tmp_path_factory.mktemp("exports")
    paths = {"ttl": out / "graph.ttl", "jsonld": out / "graph.jsonld",
             "graphml": out / "graph.graphml", "gexf": out / "graph.gexf",
             "neo4j-csv": out / "neo4j"}
    for fmt, path in paths.items():
        result = cli("--data", data, "export", fmt, path)
        assert result.exit_code == 0, result.output
    return paths


def _graph_counts(data: Path) -> tuple[int, int]:
    with open_graph(data / "graph.lbug", read_only=True) as g:
        return (int(g.scalar("MATCH (n) RETURN count(n)")),
                int(g.scalar("MATCH ()-[r]->() RETURN count(r)")))


def _store_triples(data: Path) -> int:
    with open_rdf(data / "rdf", base=BASE, read_only=True) as rdf:
        return rdf.count()


def _ruoqiang_201_total(g: Graph) -> list[Literal]:
    rows = g.query("""
        PREFIX fkg: <https://w3id.org/fiscal-kg/ontology#>
        SELECT ?yuan WHERE {
          ?a fkg:functionalClassification ?s ; fkg:category "total" ;
             fkg:table "部门支出总体情况表" ; fkg:yuan ?yuan ; fkg:reportedIn ?d .
          ?s fkg:code "201" . ?d fkg:source "652824_ruoqiang_gov-office_2024_budget.txt" }""")
    return [row[0] for row in rows]  # type: ignore[index]


def test_turtle_holds_every_triple_of_the_data(data: Path, exports: dict[str, Path]) -> None:
    g = Graph().parse(exports["ttl"], format="turtle")
    # the instance data only: the ontology graph of the store is not exported
    assert len(g) == _store_triples(data)
    with open_rdf(data / "rdf", base=BASE, read_only=True) as rdf:
        assert rdf.count(ONTOLOGY_GRAPH) > 0
    assert (None, FKG.pgLabel, None) not in g
    assert _ruoqiang_201_total(g) == [Literal("6837000", datatype=DECIMAL)]
    text = exports["ttl"].read_text(encoding="utf-8")
    assert "@prefix functional-subject: <http://127.0.0.1:8000/id/functional-subject/>" in text


def test_jsonld_uses_the_project_context_and_expands_to_the_same_triples(
        exports: dict[str, Path]) -> None:
    document = json.loads(exports["jsonld"].read_text(encoding="utf-8"))
    assert document["@context"] == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))[
        "@context"]
    region = next(n for n in document["@graph"] if n["@id"] == f"{BASE}/id/region/652824")
    assert region["@type"] == ["Region", "dcterms:Location"]
    assert region["name"] == "若羌县" and region["regionLevel"] == "county"
    assert region["partOf"] == f"{BASE}/id/region/652800"
    assert region["rdfs:label"] == {"@value": "若羌县", "@language": "zh"}
    from_jsonld = Graph().parse(exports["jsonld"], format="json-ld")
    from_turtle = Graph().parse(exports["ttl"], format="turtle")
    assert len(from_jsonld) == len(from_turtle)
    assert set(from_jsonld) == set(from_turtle)
    assert _ruoqiang_201_total(from_jsonld) == [Literal("6837000", datatype=DECIMAL)]


def test_gexf_opens_in_networkx_with_every_node(data: Path, exports: dict[str, Path]) -> None:
    g = nx.read_gexf(exports["gexf"])
    nodes, edges = _graph_counts(data)
    assert g.number_of_nodes() == nodes
    assert g.number_of_edges() == edges
    subject = g.nodes[f"{BASE}/id/functional-subject/201"]
    assert subject["label"] == "201 一般公共服务支出"
    assert subject["kind"] == "FunctionalSubject" and subject["level"] == "1"
    region = g.nodes[f"{BASE}/id/region/652824"]
    assert region["label"] == "若羌县" and region["level"] == "county"
    types = {d["label"] for _, _, d in g.edges(data=True)}
    assert types == set(vocabulary().rels)
    parts = [v for _, v, d in g.out_edges(f"{BASE}/id/region/652824", data=True)
             if d["label"] == "PART_OF"]
    assert parts == [f"{BASE}/id/region/652800"]


def test_graphml_opens_in_networkx_with_every_node(data: Path, exports: dict[str, Path]) -> None:
    g = nx.read_graphml(exports["graphml"])
    nodes, edges = _graph_counts(data)
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, edges)
    dept = g.nodes[f"{BASE}/id/department/510781-江油市人民政府办公室"]
    assert dept["label"] == "江油市人民政府办公室" and dept["kind"] == "Department"
    assert dept["key"] == "510781-江油市人民政府办公室"


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def test_neo4j_csv_follows_the_import_format(data: Path, exports: dict[str, Path]) -> None:
    folder = exports["neo4j-csv"]
    v = vocabulary()
    assert {p.name for p in folder.glob("nodes_*.csv")} == {f"nodes_{lbl}.csv" for lbl in v.nodes}
    header, rows = _read_csv(folder / "nodes_Region.csv")
    assert header == ["code:ID(Region)", "level", "name", ":LABEL"]
    assert ["652824", "county", "若羌县", "Region"] in rows
    header, rows = _read_csv(folder / "nodes_Amount.csv")
    assert header[0] == "id:ID(Amount)" and header[-1] == ":LABEL"
    assert {"yuan:double", "fiscal_year:int", "page:int", "row:int", "table", "measure"} <= \
        set(header)
    header, rows = _read_csv(folder / "nodes_FunctionalSubject.csv")
    assert header == ["code:ID(FunctionalSubject)", "level:int", "name", ":LABEL"]
    assert ["201", "1", "一般公共服务支出", "FunctionalSubject"] in rows
    header, rows = _read_csv(folder / "rels_OF_Amount_Unit.csv")
    assert header == [":START_ID(Amount)", ":END_ID(Unit)", ":TYPE"]
    assert {r[2] for r in rows} == {"OF"}
    assert {r[1] for r in rows} <= {"510781-301001", "510781-301604"} | {
        r[0] for r in _read_csv(folder / "nodes_Unit.csv")[1]}
    nodes, edges = _graph_counts(data)
    assert sum(len(_read_csv(p)[1]) for p in folder.glob("nodes_*.csv")) == nodes
    assert sum(len(_read_csv(p)[1]) for p in folder.glob("rels_*.csv")) == edges
    script = (folder / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in script
    for path in folder.glob("*.csv"):
        prefix = "--nodes=" if path.name.startswith("nodes_") else "--relationships="
        assert f"{prefix}{path.name}" in script


def test_no_export_holds_contact_details(exports: dict[str, Path]) -> None:
    printed = "".join(p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.txt"))
    assert all(c in printed for c in CONTACTS)  # the samples do print them
    files = [p for p in exports.values() if p.is_file()]
    files += list(exports["neo4j-csv"].iterdir())
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        for contact in CONTACTS:
            assert contact not in text, f"{contact} in {path.name}"


def test_unknown_format_is_refused(data: Path, tmp_path: Path) -> None:
    result = cli("--data", data, "export", "csv", tmp_path / "x")
    assert result.exit_code != 0
    assert not (tmp_path / "x").exists()


def test_iri_nodes_of_the_graph_export_match_the_rdf_store(
        data: Path, exports: dict[str, Path]) -> None:
    """GEXF node ids are the entities' IRIs, so the two kinds of export line up."""
    g = nx.read_gexf(exports["gexf"])
    rdf = Graph().parse(exports["ttl"], format="turtle")
    typed = {str(s) for s in rdf.subjects() if isinstance(s, URIRef)
             and str(s).startswith(f"{BASE}/id/")}
    assert set(g.nodes) == typed
