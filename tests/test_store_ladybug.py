"""The embedded Ladybug store: schema from the ontology, bulk idempotent writes, queries.

The records are built by hand from two of the sample documents (若羌县 2024 budget and 江油市
2024 budget), so the graph holds real figures without depending on the readers.
"""

from __future__ import annotations

import dataclasses
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from ontology import ids
from ontology.records import (
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
from ontology.vocabulary import vocabulary
from store.ladybug import LadybugStore, StoreError, open_store
from store.writer import write

WAN = Decimal(10000)


def _functional(*rows: tuple[str, str]) -> list[FunctionalSubject]:
    out = []
    for code, name in rows:
        parent = {5: code[:3], 7: code[:5]}.get(len(code))
        out.append(FunctionalSubject(code=code, name=name, level={3: 1, 5: 2, 7: 3}[len(code)],
                                     broader_ref=parent))
    return out


def ruoqiang_records() -> DocumentRecords:
    """若羌县人民政府办公室 2024 年部门预算 (amounts printed in 万元)."""
    sha = hashlib.sha256(b"652824_ruoqiang_gov-office_2024_budget").hexdigest()
    doc_id = ids.document_key(sha)
    dept_id = ids.department_key("652824", "若羌县人民政府办公室")
    document = Document(id=doc_id, title="若羌县人民政府办公室2024年部门预算", kind="budget",
                        fiscal_year=2024, source="652824_ruoqiang_gov-office_2024_budget.txt",
                        sha256=sha, department_ref=dept_id)
    project_id = ids.project_key(None, dept_id, 2024, "政府办业务经费")

    def amount(n: int, printed: str, category: str, functional: str | None = None,
               project: str | None = None, item: str | None = None,
               economic: str | None = None) -> Amount:
        return Amount(id=ids.cell_key(doc_id, 140, n, category), yuan=Decimal(printed) * WAN,
                      measure="budget", category=category, fund="general_public",
                      fiscal_year=2024, table="部门支出总体情况表",
                      table_kind="expenditure_by_function", item=item, printed=printed,
                      printed_unit="万元", page=3, row=n, of_ref=dept_id,
                      functional_ref=functional, economic_ref=economic, project_ref=project,
                      document_ref=doc_id)

    def indicator(n: int, level1: str, level2: str, name: str, op: str, value: str, unit: str,
                  weight: str) -> Indicator:
        return Indicator(id=ids.cell_key(doc_id, "i", n), name=name, level1=level1,
                         level2=level2, operator=op, target_value=Decimal(value),
                         target_text=f"{op}{value}{unit}", unit=unit, weight=Decimal(weight),
                         fiscal_year=2024, owner_ref=project_id, document_ref=doc_id,
                         table="项目支出绩效目标表", page=9, row=n)

    return DocumentRecords(
        document=document,
        regions=[Region("650000", "新疆维吾尔自治区", "province"),
                 Region("652800", "巴音郭楞蒙古自治州", "prefecture", parent_ref="650000"),
                 Region("652824", "若羌县", "county", parent_ref="652800")],
        departments=[Department(id=dept_id, name="若羌县人民政府办公室", region_ref="652824")],
        functional_subjects=_functional(
            ("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"),
            ("2010301", "行政运行"), ("2010399", "其他政府办公厅（室）及相关机构事务支出"),
            ("20140", "信访事务"), ("2014004", "信访业务")),
        economic_subjects=[EconomicSubject("301", "工资福利支出", 1, "department")],
        projects=[Project(id=project_id, name="政府办业务经费", fiscal_year=2024,
                          goal="确保2024年无新增重点信访案件", run_by_ref=dept_id,
                          subject_ref="2010399", document_ref=doc_id)],
        indicators=[
            indicator(1, "产出指标", "数量指标", "官方网站发布信息数量", ">=", "3500", "条", "6"),
            indicator(2, "产出指标", "质量指标", "系统故障率", "<=", "10", "%", "6"),
            indicator(3, "满意度指标", "满意度指标", "信访人员满意度", ">=", "95", "%", "10"),
        ],
        amounts=[
            amount(142, "683.70", "total", "201", item="一般公共服务支出"),
            amount(142, "434.62", "basic", "201", item="一般公共服务支出"),
            amount(142, "249.08", "project", "201", item="一般公共服务支出"),
            amount(144, "265.54", "total", "2010301", item="行政运行"),
            amount(146, "234.08", "project", "2010399", project=project_id,
                   item="其他政府办公厅（室）及相关机构事务支出"),
            amount(148, "15.00", "project", "2014004", item="信访业务"),
            amount(150, "434.62", "basic", economic="301", item="工资福利支出"),
        ],
    )


def jiangyou_records() -> DocumentRecords:
    """江油市人民政府办公室 2024 年部门预算: two budget units, amounts per unit."""
    sha = hashlib.sha256(b"510781_jiangyou_gov-office_2024_budget").hexdigest()
    doc_id = ids.document_key(sha)
    dept_id = ids.department_key("510781", "江油市人民政府办公室")
    office = ids.unit_key("510781", "301001", dept_id, "江油市人民政府办公室机关")
    centre = ids.unit_key("510781", "301604", dept_id, "江油市政务服务中心")
    project_id = ids.project_key(None, dept_id, 2024, "党建工作专项经费")

    def amount(n: int, printed: str, of: str, functional: str, category: str) -> Amount:
        return Amount(id=ids.cell_key(doc_id, 155, n, category), yuan=Decimal(printed) * WAN,
                      measure="budget", category=category, fund="all", fiscal_year=2024,
                      table="部门支出总表", table_kind="expenditure_by_function_unit",
                      printed=printed, printed_unit="万元", page=5, row=n, of_ref=of,
                      functional_ref=functional, document_ref=doc_id)

    return DocumentRecords(
        document=Document(id=doc_id, title="江油市人民政府办公室2024年部门预算", kind="budget",
                          fiscal_year=2024, source="510781_jiangyou_gov-office_2024_budget.txt",
                          sha256=sha, department_ref=dept_id),
        regions=[Region("510000", "四川省", "province"),
                 Region("510700", "绵阳市", "prefecture", parent_ref="510000"),
                 Region("510781", "江油市", "county", parent_ref="510700")],
        departments=[Department(id=dept_id, name="江油市人民政府办公室", code="301",
                                region_ref="510781")],
        units=[Unit(id=office, name="江油市人民政府办公室机关", code="301001",
                    department_ref=dept_id),
               Unit(id=centre, name="江油市政务服务中心", code="301604", department_ref=dept_id)],
        functional_subjects=_functional(
            ("201", "一般公共服务支出"), ("20103", "政府办公厅（室）及相关机构事务"),
            ("2010301", "行政运行"), ("2010302", "一般行政管理事务"), ("2010350", "事业运行")),
        projects=[Project(id=project_id, name="党建工作专项经费", fiscal_year=2024,
                          goal="开展党员主题教育、订阅党报党刊", run_by_ref=office,
                          subject_ref="2010302", document_ref=doc_id)],
        indicators=[
            Indicator(id=ids.cell_key(doc_id, "i", 1), name="党员主题教育活动", level1="产出指标",
                      level2="数量指标", operator="=", target_value=Decimal(4), unit="次",
                      weight=Decimal(10), fiscal_year=2024, owner_ref=project_id,
                      document_ref=doc_id, table="部门预算项目支出绩效目标表", page=12, row=1),
            Indicator(id=ids.cell_key(doc_id, "i", 2), name="提升党员的执行力", level1="效益指标",
                      level2="可持续影响指标", operator="qualitative",
                      target_text="提升党员贯彻落实党中央的决策部署能力", weight=Decimal(10),
                      fiscal_year=2024, owner_ref=project_id, document_ref=doc_id,
                      table="部门预算项目支出绩效目标表", page=12, row=4),
        ],
        amounts=[
            amount(160, "957.18", office, "2010301", "basic"),
            amount(161, "214.00", office, "2010302", "project"),
            amount(170, "377.72", centre, "2010350", "basic"),
        ],
    )


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "graph.lbug") as s:
        yield s


def _counts(store: LadybugStore) -> tuple[dict[str, int], dict[str, int]]:
    v = vocabulary()
    return ({label: store.count_nodes(label) for label in v.nodes},
            {t: store.count_rels(t) for t in v.rels})


def test_schema_is_derived_from_the_ontology(store: LadybugStore) -> None:
    v = vocabulary()
    tables = store.tables()
    assert {t for t, kind in tables.items() if kind == "NODE"} == set(v.nodes)
    assert {t for t, kind in tables.items() if kind == "REL"} == set(v.rels)
    assert store.columns("Amount")[0] == "id"
    assert set(store.columns("Amount")) == set(v.nodes["Amount"].property_names)
    of_pairs = {(r["source table name"], r["destination table name"])
                for r in store.query("CALL show_connection('OF') RETURN *")}
    assert of_pairs == {("Amount", "Unit"), ("Amount", "Department")}


def test_nodes_and_relationships_are_written(store: LadybugStore) -> None:
    outcomes = write(store, [ruoqiang_records(), jiangyou_records()])
    assert [o.ok for o in outcomes] == [True, True], outcomes
    nodes, rels = _counts(store)
    assert nodes == {"Region": 6, "Department": 2, "Unit": 2, "Document": 2,
                     "FunctionalSubject": 8, "EconomicSubject": 1, "Project": 2,
                     "Indicator": 5, "Amount": 10}
    assert rels["OF"] == 10 and rels["REPORTED_IN"] == 10 + 2 + 5
    assert rels["PART_OF"] == 4 and rels["BROADER"] == 7 and rels["HAS_INDICATOR"] == 5
    assert rels["CLASSIFIED_AS"] == 10 + 2  # every amount has a subject; both projects too
    # 若羌县 2024 一般公共服务支出 683.70 万元 = 6,837,000 元
    rows = store.query(
        "MATCH (a:Amount {category: 'total'})-[:CLASSIFIED_AS]->(:FunctionalSubject {code: $c}) "
        "MATCH (a)-[:OF]->(d:Department) RETURN a.yuan AS yuan, d.name AS dept, a.`table` AS t",
        {"c": "201"})
    assert len(rows) == 1
    assert rows[0]["yuan"] == pytest.approx(6_837_000, abs=0.01)
    assert rows[0]["dept"] == "若羌县人民政府办公室"
    assert rows[0]["t"] == "部门支出总体情况表"
    # a ref with two candidate labels lands on the right one
    of_unit = store.query("MATCH (a:Amount)-[:OF]->(u:Unit {code: '301604'}) "
                          "RETURN a.yuan AS yuan, label(u) AS l")
    assert of_unit == [{"yuan": pytest.approx(3_777_200, abs=0.01), "l": "Unit"}]
    run_by = store.query("MATCH (p:Project)-[:RUN_BY]->(x) RETURN p.name AS name, label(x) AS l "
                         "ORDER BY name")
    assert run_by == [{"name": "党建工作专项经费", "l": "Unit"},
                      {"name": "政府办业务经费", "l": "Department"}]
    chain = store.query("MATCH (:Region {code: '652824'})-[:PART_OF*1..2]->(r:Region) "
                        "RETURN r.name AS name ORDER BY r.code")
    assert [r["name"] for r in chain] == ["新疆维吾尔自治区", "巴音郭楞蒙古自治州"]
    qualitative = store.query("MATCH (i:Indicator {operator: 'qualitative'}) "
                              "RETURN i.target_value AS v, i.target_text AS t")
    assert qualitative == [{"v": None, "t": "提升党员贯彻落实党中央的决策部署能力"}]


def test_writing_twice_changes_nothing(store: LadybugStore) -> None:
    batch = [ruoqiang_records(), jiangyou_records()]
    write(store, batch)
    before = _counts(store)
    assert all(o.ok for o in write(store, batch))
    assert _counts(store) == before
    # and a batch holding the same document twice writes it once
    write(store, [ruoqiang_records(), ruoqiang_records()])
    assert _counts(store) == before


def test_shared_entities_meet_and_gaps_are_filled(store: LadybugStore) -> None:
    first = ruoqiang_records()
    # the first document knows 20103 only as an ancestor, without its name
    first.functional_subjects = [dataclasses.replace(s, name="") if s.code == "20103" else s
                                 for s in first.functional_subjects]
    write(store, [first])
    assert store.scalar("MATCH (s:FunctionalSubject {code: '20103'}) RETURN s.name") is None
    write(store, [jiangyou_records()])
    assert store.scalar("MATCH (s:FunctionalSubject {code: '20103'}) RETURN s.name") == \
        "政府办公厅（室）及相关机构事务"
    assert store.count_nodes("FunctionalSubject") == 8  # 201, 20103, 2010301 shared
    depts = store.query("MATCH (:FunctionalSubject {code: '201'})<-[:BROADER*1..2]-(s) "
                        "RETURN count(DISTINCT s) AS n")
    assert depts == [{"n": 7}]


def test_a_broken_document_is_rejected_alone(store: LadybugStore) -> None:
    broken = jiangyou_records()
    broken.amounts.append(dataclasses.replace(broken.amounts[0], id="x-1", of_ref="no-such-unit"))
    outcomes = write(store, [ruoqiang_records(), broken])
    assert outcomes[0].ok
    assert not outcomes[1].ok
    assert "510781_jiangyou_gov-office_2024_budget.txt" in outcomes[1].error
    assert "of_ref='no-such-unit'" in outcomes[1].error
    assert "Unit or Department" in outcomes[1].error
    # nothing of the broken document, everything of the other
    assert store.count_nodes("Document") == 1
    assert store.count_nodes("Unit") == 0
    assert store.scalar("MATCH (r:Region {code: '510781'}) RETURN count(r)") == 0
    assert store.count_nodes("Amount") == 7
    # once fixed it loads, next to the first
    assert write(store, [jiangyou_records()])[0].ok
    assert store.count_nodes("Document") == 2


def test_a_wrongly_typed_value_rejects_its_document(store: LadybugStore) -> None:
    bad = ruoqiang_records()
    bad.amounts[0] = dataclasses.replace(bad.amounts[0], page="three")  # type: ignore[arg-type]
    outcomes = write(store, [bad, jiangyou_records()])
    assert not outcomes[0].ok and "page='three' is not INT64" in outcomes[0].error
    assert outcomes[1].ok
    assert store.count_nodes("Document") == 1


def test_a_failing_transaction_falls_back_to_one_document_at_a_time(
        store: LadybugStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import store.writer as writer

    real = writer.execute
    calls = []

    def flaky(s, plan, vocab):  # the batch fails once; single documents succeed
        calls.append(len(plan.documents))
        if len(plan.documents) > 1:
            raise StoreError("simulated failure")
        return real(s, plan, vocab)

    monkeypatch.setattr(writer, "execute", flaky)
    outcomes = write(store, [ruoqiang_records(), jiangyou_records()])
    assert [o.ok for o in outcomes] == [True, True]
    assert calls == [2, 1, 1]
    assert store.count_nodes("Document") == 2


def test_trace_from_a_functional_class_to_indicators(store: LadybugStore) -> None:
    write(store, [ruoqiang_records(), jiangyou_records()])
    rows = store.query(
        "MATCH (top:FunctionalSubject {code:'201'})<-[:BROADER*0..2]-(:FunctionalSubject)"
        "<-[:CLASSIFIED_AS]-(p:Project)-[:HAS_INDICATOR]->(i:Indicator) "
        "RETURN p.name, count(i) ORDER BY p.name")
    assert [list(r.values()) for r in rows] == [["党建工作专项经费", 2], ["政府办业务经费", 3]]
    money = store.query(
        "MATCH (p:Project {name: $name})<-[:FOR_PROJECT]-(a:Amount) RETURN sum(a.yuan) AS y",
        {"name": "政府办业务经费"})
    assert money[0]["y"] == pytest.approx(2_340_800, abs=0.01)


def test_read_only_store_and_timeout(tmp_path: Path) -> None:
    path = tmp_path / "graph.lbug"
    with pytest.raises(StoreError, match="load documents first"):
        open_store(path, read_only=True)
    with open_store(path) as s:
        write(s, [ruoqiang_records()])
    with open_store(path, read_only=True, timeout_ms=5000) as ro:
        assert ro.count_nodes("Amount") == 7
        with pytest.raises(StoreError):
            ro.execute("CREATE (:Region {code: '110000', name: '北京市', level: 'province'})")
    with open_store(path, read_only=True, timeout_ms=50) as ro, pytest.raises(StoreError):
        ro.query("UNWIND range(1, 20000) AS x UNWIND range(1, 20000) AS y "
                 "WITH x * y AS z WHERE z % 3 = 1 RETURN sum(z)")


def test_schema_upgrade_adds_missing_columns(tmp_path: Path) -> None:
    import ladybug

    path = tmp_path / "graph.lbug"
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE Region(code STRING, name STRING, PRIMARY KEY (code))")
    conn.close()
    db.close()
    with open_store(path) as s:
        assert s.columns("Region") == ["code", "name", "level"]
        assert write(s, [ruoqiang_records()])[0].ok
        assert s.scalar("MATCH (r:Region {code: '652824'}) RETURN r.level") == "county"


def test_a_failed_copy_is_undone_and_the_documents_retried(
        store: LadybugStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real COPY failure (duplicate key): nothing stays, the store reopens, both load."""
    import store.writer as writer

    real = writer.write_csv
    failed = []

    def duplicate_once(path, columns, rows):
        rows = list(rows)
        if path.name == "node-Amount.csv" and not failed:
            failed.append(path)
            rows = rows + rows[:1]
        return real(path, columns, rows)

    monkeypatch.setattr(writer, "write_csv", duplicate_once)
    outcomes = write(store, [ruoqiang_records(), jiangyou_records()])
    assert failed and [o.ok for o in outcomes] == [True, True]
    nodes, _ = _counts(store)
    assert nodes["Amount"] == 10 and nodes["Document"] == 2 and nodes["Region"] == 6
