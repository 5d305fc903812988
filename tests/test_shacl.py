"""SHACL validation: the sample graph conforms; broken data is caught and named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from fiscal_kg import config
from loaders.pipeline import load_document
from store.oxigraph import open_store as open_rdf
from store.rdf import records_ntriples
from store.shacl import Violation, validate_graph, validate_store
from tests.test_rdf_store import cli, load_samples
from tests.test_store_ladybug import ruoqiang_records

ROOT = Path(__file__).resolve().parents[1]
RUOQIANG = ROOT / "samples" / "652824_ruoqiang_gov-office_2024_budget.txt"
BASE = config.DEFAULT_BASE
FKG = Namespace("https://w3id.org/fiscal-kg/ontology#")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shacl-samples")
    load_samples(folder)
    return folder


@pytest.fixture(scope="module")
def ruoqiang_graph() -> Graph:
    """The real 若羌县 2024 budget as RDF, not stored: the graph the broken cases start from."""
    g = Graph()
    g.parse(data=records_ntriples([load_document(RUOQIANG)], BASE), format="nt")
    return g


def test_the_sample_graph_has_zero_violations(data: Path) -> None:
    with open_rdf(data / "rdf", base=BASE, read_only=True) as rdf:
        assert validate_store(rdf) == []
    result = cli("--data", data, "validate")
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output


def test_the_real_document_conforms_before_it_is_broken(ruoqiang_graph: Graph) -> None:
    assert validate_graph(ruoqiang_graph) == []
    assert len(list(ruoqiang_graph.subjects(None, FKG.Amount))) > 100


def _amount(g: Graph, category: str = "total", table: str = "部门支出总体情况表") -> URIRef:
    for a in g.subjects(FKG.category, Literal(category)):
        if (a, FKG.table, Literal(table)) in g and \
                (a, FKG.functionalClassification, URIRef(f"{BASE}/id/functional-subject/201")) \
                in g:
            return a  # type: ignore[return-value]
    raise AssertionError("no such amount")


def _broken(g: Graph) -> Graph:
    copy = Graph()
    for t in g:
        copy.add(t)
    return copy


def _only(violations: list[Violation], focus: URIRef) -> list[Violation]:
    return [v for v in violations if v.focus == str(focus)]


def test_an_amount_without_its_document(ruoqiang_graph: Graph) -> None:
    g = _broken(ruoqiang_graph)
    amount = _amount(g)
    g.remove((amount, FKG.reportedIn, None))
    violations = validate_graph(g)
    assert [(v.path, v.message) for v in violations] == [
        (str(FKG.reportedIn), "an amount is reported in exactly one document")]
    assert violations[0].focus == str(amount)


def test_a_region_code_of_five_digits(ruoqiang_graph: Graph) -> None:
    g = _broken(ruoqiang_graph)
    region = URIRef(f"{BASE}/id/region/652824")
    g.set((region, FKG.code, Literal("65282")))
    violations = _only(validate_graph(g), region)
    assert [(v.path, v.message, v.value) for v in violations] == [
        (str(FKG.code), "a region code is six digits (GB/T 2260)", "65282")]


def test_an_unknown_measure(ruoqiang_graph: Graph) -> None:
    g = _broken(ruoqiang_graph)
    amount = _amount(g)
    g.set((amount, FKG.measure, Literal("forecast")))
    violations = validate_graph(g)
    assert len(violations) == 1
    assert (violations[0].focus, violations[0].path, violations[0].value) == \
        (str(amount), str(FKG.measure), "forecast")
    assert violations[0].severity == "Violation"


def test_more_broken_cases_are_each_named(ruoqiang_graph: Graph) -> None:
    g = _broken(ruoqiang_graph)
    amount = _amount(g)
    g.set((amount, FKG.yuan, Literal("683.70万元")))  # money as text, not a decimal
    g.add((amount, FKG.of, URIRef(f"{BASE}/id/unit/nowhere")))  # a second owner, untyped
    indicator = next(g.subjects(None, FKG.Indicator))
    g.remove((None, FKG.hasIndicator, indicator))  # an indicator nobody owns
    found = {(v.focus, v.path) for v in validate_graph(g)}
    assert (str(amount), str(FKG.yuan)) in found
    assert (str(amount), str(FKG.of)) in found
    assert (str(indicator), f"^{FKG.hasIndicator}") in found


def test_validate_exits_1_on_a_broken_store(tmp_path: Path) -> None:
    with open_rdf(tmp_path / "rdf", base=BASE) as rdf:
        assert rdf.write([ruoqiang_records()])[0].ok
        from pyoxigraph import Literal as OxLiteral
        from pyoxigraph import NamedNode, Quad

        rdf.store.add(Quad(NamedNode(f"{BASE}/id/region/652824"), NamedNode(str(FKG.code)),
                           OxLiteral("65282")))
    result = cli("--data", tmp_path, "validate", "--json")
    assert result.exit_code == 1
    results = json.loads(result.stdout)
    region = [r for r in results if r["focus"] == f"{BASE}/id/region/652824"]
    # two results: the five-digit code breaks the pattern, and now there are two codes
    assert len(region) == 2
    assert {(r["path"], r["message"]) for r in region} == {
        (str(FKG.code), "a region code is six digits (GB/T 2260)")}
    assert "65282" in {r["value"] for r in region}
    text = cli("--data", tmp_path, "validate")
    assert text.exit_code == 1 and "a region code is six digits" in text.output
