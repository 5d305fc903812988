"""The Neo4j backend: schema from the ontology, the statements a batch turns into, the write
path (one transaction per document), and — when ``NEO4J_URI`` names a server — a real load of
the sample documents compared with the embedded store.

The batch is the hand-built one of the embedded-store tests (若羌县 and 江油市 2024 budgets),
so the statements carry real figures.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import ConstraintError

from loaders.pipeline import load_document
from ontology.vocabulary import vocabulary
from store import neo4j as neo
from store.neo4j import (
    KnownKeys,
    Neo4jSettings,
    Neo4jStore,
    Statement,
    node_statement,
    plan_batch,
    rel_statement,
    schema_statements,
    statement_catalogue,
    statements_for,
)
from tests.test_store_ladybug import jiangyou_records, ruoqiang_records

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def _node_rows(statements: list[Statement]) -> dict[str, list[dict[str, Any]]]:
    """Rows sent per label (statements recognised by their exact text)."""
    by_text = {node_statement(t): label for label, t in vocabulary().nodes.items()}
    out: dict[str, list[dict[str, Any]]] = {}
    for cypher, params in statements:
        if cypher in by_text:
            out.setdefault(by_text[cypher], []).extend(params["rows"])
    return out


def _rel_pairs(statements: list[Statement]) -> dict[tuple[str, str, str], set[tuple[str, str]]]:
    """Endpoint pairs sent per (type, FROM, TO)."""
    v = vocabulary()
    by_text = {rel_statement(r.type, v.nodes[a], v.nodes[b]): (r.type, a, b)
               for r in v.rels.values() for a, b in r.pairs}
    out: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    for cypher, params in statements:
        if cypher in by_text:
            out.setdefault(by_text[cypher], set()).update((r["a"], r["b"]) for r in params["rows"])
    return out


# ------------------------------------------------------------------------------------------
# Schema
# ------------------------------------------------------------------------------------------


def test_a_uniqueness_constraint_for_every_node_table() -> None:
    v = vocabulary()
    statements = schema_statements()
    constraints = [s for s in statements if s.startswith("CREATE CONSTRAINT")]
    pattern = re.compile(r"CREATE CONSTRAINT (\w+) IF NOT EXISTS FOR \(n:`(\w+)`\) "
                         r"REQUIRE n\.`(\w+)` IS UNIQUE")
    found = {m.group(2): m.group(3) for m in map(pattern.fullmatch, constraints) if m}
    assert len(found) == len(constraints) == len(v.nodes)
    assert found == {label: t.key for label, t in v.nodes.items()}
    assert found["Region"] == "code" and found["FunctionalSubject"] == "code"
    assert found["Amount"] == "id"
    names = [s.split()[2] for s in constraints]
    assert len(set(names)) == len(names) and "amount_id_key" in names


def test_indexes_on_searched_properties_are_derived() -> None:
    indexes = [s for s in schema_statements() if not s.startswith("CREATE CONSTRAINT")]
    assert "CREATE INDEX project_name IF NOT EXISTS FOR (n:`Project`) ON (n.`name`)" in indexes
    assert ("CREATE TEXT INDEX project_name_text IF NOT EXISTS FOR (n:`Project`) "
            "ON (n.`name`)") in indexes
    assert ("CREATE INDEX amount_fiscal_year IF NOT EXISTS FOR (n:`Amount`) "
            "ON (n.`fiscal_year`)") in indexes
    assert "CREATE INDEX unit_code IF NOT EXISTS FOR (n:`Unit`) ON (n.`code`)" in indexes
    # a key is indexed by its constraint already; labels without a searched property get none
    assert not any("(n.`code`)" in s and "FunctionalSubject" in s for s in indexes)
    assert not any("`Amount`" in s and "(n.`name`)" in s for s in indexes)
    v = vocabulary()
    expected = sum(1 for t in v.nodes.values() for p in t.properties
                   if p.name in neo.SEARCHED_PROPERTIES and p.name != t.key)
    expected += sum(1 for t in v.nodes.values() for p in t.properties
                    if p.name in neo.TEXT_SEARCHED_PROPERTIES and p.name != t.key)
    assert len(indexes) == expected


# ------------------------------------------------------------------------------------------
# Statements for a batch (no server)
# ------------------------------------------------------------------------------------------


def test_statements_for_a_hand_built_batch() -> None:
    ruoqiang, jiangyou = ruoqiang_records(), jiangyou_records()
    statements = statements_for([ruoqiang, jiangyou])
    assert all(set(params) == {"rows"} for _, params in statements)
    rows = _node_rows(statements)
    # two documents, two transactions: shared subjects are sent by each (MERGE meets them)
    assert {label: len(r) for label, r in rows.items()} == {
        "Amount": 7 + 3, "Department": 2, "Document": 2, "EconomicSubject": 1,
        "FunctionalSubject": 6 + 5, "Indicator": 3 + 2, "Project": 2, "Region": 6, "Unit": 2}
    v = vocabulary()
    for label, label_rows in rows.items():  # uniform maps holding exactly the ontology's properties
        assert all(list(r) == list(v.nodes[label].property_names) for r in label_rows)
    # 若羌县 2024 一般公共服务支出 683.70 万元 = 6,837,000 元, sent as a float
    total = next(r for r in rows["Amount"] if r["category"] == "total" and r["row"] == 142)
    assert total["yuan"] == 6_837_000.0 and isinstance(total["yuan"], float)
    assert total["printed"] == "683.70" and total["printed_unit"] == "万元"
    assert total["table"] == "部门支出总体情况表" and total["fiscal_year"] == 2024
    indicator = next(r for r in rows["Indicator"] if r["name"] == "信访人员满意度")
    assert indicator["operator"] == ">=" and indicator["target_value"] == 95.0
    assert indicator["unit"] == "%"
    qualitative = next(r for r in rows["Indicator"] if r["operator"] == "qualitative")
    assert qualitative["target_value"] is None
    assert qualitative["target_text"] == "提升党员贯彻落实党中央的决策部署能力"
    region = next(r for r in rows["Region"] if r["code"] == "652824")
    assert region == {"code": "652824", "level": "county", "name": "若羌县"}

    pairs = _rel_pairs(statements)  # distinct pairs over both documents
    assert {k: len(p) for k, p in pairs.items()} == {
        ("BROADER", "FunctionalSubject", "FunctionalSubject"): 5 + 4 - 2,  # 20103, 2010301 shared
        ("CLASSIFIED_AS", "Amount", "EconomicSubject"): 1,
        ("CLASSIFIED_AS", "Amount", "FunctionalSubject"): 6 + 3,
        ("CLASSIFIED_AS", "Project", "FunctionalSubject"): 2,
        ("FOR_PROJECT", "Amount", "Project"): 1,
        ("HAS_INDICATOR", "Project", "Indicator"): 3 + 2,
        ("LOCATED_IN", "Department", "Region"): 2,
        ("OF", "Amount", "Department"): 7,
        ("OF", "Amount", "Unit"): 3,
        ("PART_OF", "Region", "Region"): 4,
        ("PUBLISHED_BY", "Document", "Department"): 2,
        ("REPORTED_IN", "Amount", "Document"): 10,
        ("REPORTED_IN", "Indicator", "Document"): 5,
        ("REPORTED_IN", "Project", "Document"): 2,
        ("RUN_BY", "Project", "Department"): 1,
        ("RUN_BY", "Project", "Unit"): 1,
        ("UNIT_OF", "Unit", "Department"): 2,
    }
    assert ("652824", "652800") in pairs[("PART_OF", "Region", "Region")]
    assert ("2010301", "20103") in pairs[("BROADER", "FunctionalSubject", "FunctionalSubject")]
    centre = next(u for u in jiangyou.units if u.code == "301604")
    assert {b for _, b in pairs[("OF", "Amount", "Unit")]} == {u.id for u in jiangyou.units}
    assert sum(1 for _, b in pairs[("OF", "Amount", "Unit")] if b == centre.id) == 1


def test_statement_shapes() -> None:
    statements = statements_for([ruoqiang_records()])
    v = vocabulary()
    assert statements[0].cypher.startswith("UNWIND $rows AS r MERGE (n:`Amount` {`id`: r.`id`}) "
                                           "SET n.`category` = coalesce(n.`category`, "
                                           "r.`category`), ")
    for cypher, _ in statements:
        assert "+=" not in cypher  # a null in the map would delete a stored property
        if "MATCH" in cypher:  # one MATCH per endpoint, never the comma-separated form
            assert cypher.count("MATCH") == 2 and "), (" not in cypher
    # nodes first (label by label), then relationships
    kinds = ["node" if " MERGE (n:" in c else "rel" for c, _ in statements]
    assert kinds == sorted(kinds, key=["node", "rel"].index)
    assert rel_statement("OF", v.nodes["Amount"], v.nodes["Unit"]) == (
        "UNWIND $rows AS r MATCH (a:`Amount` {`id`: r.a}) MATCH (b:`Unit` {`id`: r.b}) "
        "MERGE (a)-[:`OF`]->(b)")


def test_rows_are_sent_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neo, "WRITE_CHUNK", 3)
    statements = statements_for([ruoqiang_records()])
    amount = node_statement(vocabulary().nodes["Amount"])
    sizes = [len(p["rows"]) for c, p in statements if c == amount]
    assert sizes == [3, 3, 1]
    assert neo.WRITE_CHUNK == 3 and neo.LOOKUP_CHUNK == 10_000


def test_contact_persons_are_never_sent() -> None:
    """潼南区 2024 决算 prints 部门联系人 and 联系电话 on every project table: none of it leaves."""
    records = load_document(SAMPLES / "500152_tongnan_gov-office_2024_final.txt")
    statements = statements_for([records])
    assert statements
    sent = json.dumps([p for _, p in statements], ensure_ascii=False)
    for secret in ("周艳", "马凌乔", "熊刚", "黄关霖", "丁琪珈", "18883193697", "15826173698",
                   "13883239768", "1883219 3697", "139961 55606", "44556966"):
        assert secret not in sent
    keys = {k for _, p in statements for row in p["rows"] for k in row}
    assert not {k for k in keys if re.search(r"contact|phone|tel|联系", k)}
    assert keys <= {p for t in vocabulary().nodes.values() for p in t.property_names} | {"a", "b"}
    # the document itself is there, with its real figures
    amounts = _node_rows(statements)["Amount"]
    assert len(amounts) == len(records.amounts) > 100


def test_references_resolve_against_stored_nodes() -> None:
    """A unit known only to the graph: the ref finds it there, and picks its label."""
    doc = jiangyou_records()
    unit = doc.units[1]
    doc.units = doc.units[:1]
    [plan] = plan_batch([doc], KnownKeys({}))
    assert plan.error is not None and "of_ref" in plan.error
    assert "510781_jiangyou_gov-office_2024_budget.txt" in plan.error
    [plan] = plan_batch([doc], KnownKeys({"Unit": {unit.id}}))
    assert plan.error is None
    pairs = _rel_pairs(list(plan.statements))
    assert sum(1 for _, b in pairs[("OF", "Amount", "Unit")] if b == unit.id) == 1
    # the same id as a stored Unit and a stored Department is ambiguous
    [plan] = plan_batch([doc], KnownKeys({"Unit": {unit.id}, "Department": {unit.id}}))
    assert plan.error and "more than one" in plan.error


def test_a_badly_typed_record_rejects_only_its_document() -> None:
    bad = ruoqiang_records()
    bad.amounts[0] = dataclasses.replace(bad.amounts[0], page="three")  # type: ignore[arg-type]
    plans = plan_batch([bad, jiangyou_records()])
    assert plans[0].error and "page='three' is not INT64" in plans[0].error
    assert not plans[0].statements
    assert plans[1].error is None and plans[1].statements
    assert statements_for([bad]) == []


def test_settings_come_from_the_environment() -> None:
    assert Neo4jSettings.from_env({}) == Neo4jSettings(
        "bolt://localhost:7687", "neo4j", neo.DEFAULT_PASSWORD, "neo4j")
    s = Neo4jSettings.from_env({"NEO4J_URI": "neo4j://db:7687", "NEO4J_USER": "loader",
                                "NEO4J_PASSWORD": "s3cret-pass", "NEO4J_DATABASE": ""})
    assert (s.uri, s.user, s.password, s.database) == (
        "neo4j://db:7687", "loader", "s3cret-pass", "neo4j")
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert f"NEO4J_PASSWORD:-{neo.DEFAULT_PASSWORD}" in compose


def test_catalogue_holds_every_statement_the_store_sends() -> None:
    catalogue = {s.cypher for s in statement_catalogue()}
    assert set(schema_statements()) <= catalogue
    assert {c for c, _ in statements_for([ruoqiang_records(), jiangyou_records()])} <= catalogue
    v = vocabulary()
    assert len([c for c in catalogue if "MERGE (a)-[" in c]) == sum(len(r.pairs)
                                                                   for r in v.rels.values())


# ------------------------------------------------------------------------------------------
# The write path, against a stand-in driver that keeps nodes and relationships in memory
# ------------------------------------------------------------------------------------------


class FakeGraph:
    """Interprets exactly the statements this backend sends; transactions are all-or-nothing."""

    def __init__(self) -> None:
        v = vocabulary()
        self.node_text = {node_statement(t): t for t in v.nodes.values()}
        self.rel_text = {rel_statement(r.type, v.nodes[a], v.nodes[b]): (r.type, a, b)
                         for r in v.rels.values() for a, b in r.pairs}
        self.lookup_text = {neo.lookup_statement(t): t for t in v.nodes.values()}
        self.nodes: dict[str, dict[str, dict[str, Any]]] = {label: {} for label in v.nodes}
        self.rels: set[tuple[str, str, str, str, str]] = set()
        self.poison: str | None = None  # a key whose write fails on the server
        self.transactions: list[str] = []
        self.timeouts: list[float | None] = []

    def run(self, cypher: str, params: dict[str, Any], nodes: dict, rels: set) -> list[dict]:
        if cypher in self.lookup_text:
            t = self.lookup_text[cypher]
            return [{"k": k} for k in params["keys"] if k in nodes[t.label]]
        if cypher in self.node_text:
            t = self.node_text[cypher]
            for row in params["rows"]:
                key = row[t.key]
                if key == self.poison:
                    raise ConstraintError(f"cannot write {key}")
                old = nodes[t.label].setdefault(key, {})
                for name, value in row.items():
                    if old.get(name) is None:
                        old[name] = value
            return []
        if cypher in self.rel_text:
            rel_type, a, b = self.rel_text[cypher]
            for row in params["rows"]:
                if row["a"] in nodes[a] and row["b"] in nodes[b]:  # MATCH finds both ends
                    rels.add((rel_type, a, row["a"], b, row["b"]))
            return []
        raise AssertionError(f"unexpected statement: {cypher}")


class FakeResult(list):
    def consume(self) -> None:
        return None


class FakeRecord(dict):
    def data(self) -> dict:
        return dict(self)


class FakeTx:
    def __init__(self, graph: FakeGraph, nodes: dict, rels: set) -> None:
        self.graph, self.nodes, self.rels = graph, nodes, rels

    def run(self, cypher: str, params: dict[str, Any]) -> FakeResult:
        return FakeResult(FakeRecord(r) for r in self.graph.run(cypher, params, self.nodes,
                                                                 self.rels))


class FakeSession:
    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute_read(self, work: Any) -> Any:
        self.graph.timeouts.append(getattr(work, "timeout", None))
        return work(FakeTx(self.graph, self.graph.nodes, self.graph.rels))

    def execute_write(self, work: Any) -> Any:
        nodes = {label: {k: dict(row) for k, row in by_key.items()}
                 for label, by_key in self.graph.nodes.items()}
        rels = set(self.graph.rels)
        result = work(FakeTx(self.graph, nodes, rels))  # an exception discards the copies
        self.graph.nodes, self.graph.rels = nodes, rels
        self.graph.transactions.append("commit")
        return result


class FakeDriver:
    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph
        self.closed = False

    def session(self, database: str | None = None) -> FakeSession:
        assert database == "neo4j"
        return FakeSession(self.graph)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake() -> tuple[Neo4jStore, FakeGraph]:
    graph = FakeGraph()
    return Neo4jStore(Neo4jSettings(), timeout_s=7.5, driver=FakeDriver(graph)), graph  # type: ignore[arg-type]


def test_write_runs_one_transaction_per_document(fake: tuple[Neo4jStore, FakeGraph]) -> None:
    store, graph = fake
    outcomes = neo.write(store, [ruoqiang_records(), jiangyou_records()])
    assert [o.ok for o in outcomes] == [True, True]
    assert graph.transactions == ["commit", "commit"]
    counts = {label: len(by_key) for label, by_key in graph.nodes.items()}
    assert counts == {"Region": 6, "Department": 2, "Unit": 2, "Document": 2,
                      "FunctionalSubject": 8, "EconomicSubject": 1, "Project": 2,
                      "Indicator": 5, "Amount": 10}  # as in the embedded store
    rels: dict[str, int] = {}
    for rel in graph.rels:
        rels[rel[0]] = rels.get(rel[0], 0) + 1
    assert rels == {"OF": 10, "REPORTED_IN": 10 + 2 + 5, "PART_OF": 4, "BROADER": 7,
                    "HAS_INDICATOR": 5, "CLASSIFIED_AS": 10 + 2, "FOR_PROJECT": 1,
                    "LOCATED_IN": 2, "PUBLISHED_BY": 2, "RUN_BY": 2, "UNIT_OF": 2}
    assert all(t == 7.5 for t in graph.timeouts)  # every lookup ran read-only, with the timeout
    before = (dict(graph.nodes), set(graph.rels))
    assert all(o.ok for o in neo.write(store, [ruoqiang_records(), jiangyou_records()]))
    assert (graph.nodes, graph.rels) == before


def test_a_failing_document_is_reported_and_leaves_nothing(
        fake: tuple[Neo4jStore, FakeGraph]) -> None:
    store, graph = fake
    jiangyou = jiangyou_records()
    graph.poison = jiangyou.amounts[-1].id
    outcomes = neo.write(store, [jiangyou, ruoqiang_records()])
    assert not outcomes[0].ok and outcomes[1].ok
    assert outcomes[0].error.startswith("510781_jiangyou_gov-office_2024_budget.txt: not written")
    assert f"cannot write {jiangyou.amounts[-1].id}" in outcomes[0].error
    assert graph.nodes["Unit"] == {} and len(graph.nodes["Document"]) == 1
    assert not any(r[2].startswith("510781") or r[4].startswith("510781") for r in graph.rels
                   if r[0] == "PART_OF")
    graph.poison = None
    assert neo.write(store, [jiangyou])[0].ok
    assert len(graph.nodes["Document"]) == 2


def test_gaps_are_filled_but_stored_values_win(fake: tuple[Neo4jStore, FakeGraph]) -> None:
    store, graph = fake
    first = ruoqiang_records()
    first.functional_subjects = [dataclasses.replace(s, name="") if s.code == "20103" else s
                                 for s in first.functional_subjects]
    neo.write(store, [first])
    assert graph.nodes["FunctionalSubject"]["20103"]["name"] is None
    second = jiangyou_records()
    second.regions = [dataclasses.replace(r, name="四川") if r.code == "510000" else r
                      for r in second.regions]
    neo.write(store, [second, ruoqiang_records()])
    assert graph.nodes["FunctionalSubject"]["20103"]["name"] == "政府办公厅（室）及相关机构事务"
    neo.write(store, [jiangyou_records()])
    assert graph.nodes["Region"]["510000"]["name"] == "四川"  # the first value stays


def test_query_is_read_only_with_a_timeout(fake: tuple[Neo4jStore, FakeGraph]) -> None:
    store, graph = fake
    neo.write(store, [ruoqiang_records()])
    graph.timeouts.clear()
    amount = vocabulary().nodes["Amount"]
    found = store.existing_keys(amount, [a.id for a in ruoqiang_records().amounts] + ["none"])
    assert len(found) == 7 and "none" not in found
    assert graph.timeouts == [7.5]
    store.close()
    with pytest.raises(neo.StoreError, match="closed"):
        store.query("MATCH (n) RETURN count(n)")


# ------------------------------------------------------------------------------------------
# A real server
# ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("NEO4J_URI"),
                    reason="NEO4J_URI is not set: no Neo4j server to load into "
                           "(docker compose up neo4j, then NEO4J_URI=bolt://localhost:7687)")
def test_load_the_samples_into_neo4j(tmp_path: Path) -> None:
    """Load the five samples into the server and the embedded store; both hold the same.

    Non-destructive: it only adds (idempotently) what the samples contain, and compares the
    part of the graph the samples reported, so it may run against a graph that holds more.
    """
    from store.ladybug import open_store as open_ladybug
    from store.writer import write as write_ladybug

    batch = [load_document(p) for p in sorted(SAMPLES.glob("*.txt"))]
    assert len(batch) == 5
    ids = [doc.document.id for doc in batch]
    with neo.open_store() as store:
        assert all(o.ok for o in neo.write(store, batch)), neo.write(store, batch)
        with store.driver.session(database=store.settings.database) as session:  # auto-commit
            constraints = [r.data() for r in session.run(
                "SHOW CONSTRAINTS YIELD labelsOrTypes, properties "
                "RETURN labelsOrTypes[0] AS label, properties[0] AS key")]
        assert {(r["label"], r["key"]) for r in constraints} >= {
            (label, t.key) for label, t in vocabulary().nodes.items()}
        per_label = ("MATCH (d:Document) WHERE d.id IN $ids "
                     "MATCH (x)-[:REPORTED_IN]->(d) RETURN labels(x)[0] AS label, count(x) AS n")
        first = {r["label"]: r["n"] for r in store.query(per_label, {"ids": ids})}
        assert all(o.ok for o in neo.write(store, batch))  # twice changes nothing
        assert {r["label"]: r["n"] for r in store.query(per_label, {"ids": ids})} == first
        # 若羌县 2024 一般公共服务支出 683.70 万元 = 6,837,000 元
        yuan = store.query(
            "MATCH (r:Region {code: '652824'})<-[:LOCATED_IN]-(:Department)<-[:OF]-(a:Amount) "
            "MATCH (a)-[:CLASSIFIED_AS]->(:FunctionalSubject {code: '201'}) "
            "WHERE a.category = 'total' AND a.measure = 'budget' AND a.fiscal_year = 2024 "
            "RETURN DISTINCT a.yuan AS yuan")
        assert [r["yuan"] for r in yuan] == [pytest.approx(6_837_000, abs=0.01)]
        with pytest.raises(neo.StoreError):  # query() is read-only
            store.query("CREATE (:Region {code: '000000'})")
    with open_ladybug(tmp_path / "graph.lbug") as embedded:
        assert all(o.ok for o in write_ladybug(embedded, batch))
        counts = {}
        for label in first:
            counts[label] = embedded.scalar(
                f"MATCH (d:Document) WHERE d.id IN $ids MATCH (x:{label})-[:REPORTED_IN]->(d) "
                "RETURN count(x)", {"ids": ids})
    assert first == counts
    assert set(first) == {"Amount", "Indicator", "Project"}


def test_load_with_the_neo4j_store_reports_an_unreachable_server(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from fiscal_kg.cli import app

    result = CliRunner().invoke(
        app, ["--data", str(tmp_path), "load", "--store", "neo4j",
              str(SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt")],
        env={"NEO4J_URI": "bolt://127.0.0.1:1"}, catch_exceptions=False)
    assert result.exit_code == 1
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in result.output
    assert not (tmp_path / "graph.lbug").exists()  # nothing went to the embedded store
