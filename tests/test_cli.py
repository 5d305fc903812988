"""The ``fiscal-kg`` command line: load, cypher, data directory, JSON output, exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fiscal_kg.cli import app, parse_params
from loaders import pipeline
from loaders.pipeline import LoadError
from ontology.records import DocumentRecords
from store.ladybug import open_store
from store.writer import write
from tests.test_store_ladybug import jiangyou_records, ruoqiang_records

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def fake_loader(monkeypatch: pytest.MonkeyPatch):
    """load_document that answers by file name, so these tests do not depend on the readers."""
    answers: dict[str, DocumentRecords | str] = {}

    def load_document(path: Path) -> DocumentRecords:
        answer = answers[path.name]
        if isinstance(answer, str):
            raise LoadError(f"{path.name}: {answer}")
        return answer

    monkeypatch.setattr(pipeline, "load_document", load_document)
    return answers


def _documents(data: Path) -> list[str]:
    with open_store(data / "graph.lbug", read_only=True) as s:
        return [r["s"] for r in s.query("MATCH (d:Document) RETURN d.source AS s ORDER BY s")]


def test_load_reports_each_document_and_goes_on_after_a_failure(
        tmp_path: Path, fake_loader: dict) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "ruoqiang.txt").write_text("x", encoding="utf-8")
    (docs / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4")
    (docs / "README.md").write_text("not a document", encoding="utf-8")
    fake_loader["ruoqiang.txt"] = ruoqiang_records()
    fake_loader["scan.pdf"] = "no text layer: the PDF is a scan"
    data = tmp_path / "data"
    result = _run("--data", str(data), "load", str(docs))
    assert result.exit_code == 1
    assert "✓ ruoqiang.txt" in result.output
    assert "若羌县人民政府办公室2024年部门预算" in result.output
    assert "7 amounts, 1 projects, 3 indicators" in result.output
    assert "✗ scan.pdf: no text layer: the PDF is a scan" in result.output
    assert "1 failed: scan.pdf" in result.output
    assert "README" not in result.output
    assert _documents(data) == ["652824_ruoqiang_gov-office_2024_budget.txt"]


def test_load_json_and_a_rejected_record_set(tmp_path: Path, fake_loader: dict) -> None:
    broken = jiangyou_records()
    broken.indicators[0] = dataclasses.replace(broken.indicators[0], owner_ref="no-such-project")
    for name, records in (("a.txt", ruoqiang_records()), ("b.docx", broken)):
        (tmp_path / name).write_text("x", encoding="utf-8")
        fake_loader[name] = records
    data = tmp_path / "data"
    result = _run("--data", str(data), "load", str(tmp_path / "a.txt"), str(tmp_path / "b.docx"),
                  "--json")
    assert result.exit_code == 1
    reports = json.loads(result.stdout)
    assert [(Path(r["path"]).name, r["status"]) for r in reports] == [
        ("a.txt", "loaded"), ("b.docx", "failed")]
    assert reports[0]["amounts"] == 7 and reports[0]["indicators"] == 3
    assert "owner_ref='no-such-project'" in reports[1]["error"]
    assert "510781_jiangyou_gov-office_2024_budget.txt" in reports[1]["error"]
    assert _documents(data) == ["652824_ruoqiang_gov-office_2024_budget.txt"]


def test_load_twice_changes_nothing(tmp_path: Path, fake_loader: dict) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    fake_loader["a.txt"] = ruoqiang_records()
    data = tmp_path / "data"
    query = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r"
    assert _run("--data", str(data), "load", str(tmp_path / "a.txt")).exit_code == 0
    first = json.loads(_run("--data", str(data), "cypher", query, "--json").stdout)
    assert _run("--data", str(data), "load", str(tmp_path / "a.txt")).exit_code == 0
    assert json.loads(_run("--data", str(data), "cypher", query, "--json").stdout) == first
    assert first == [{"n": 23, "r": 40}]


def test_unsupported_and_missing_paths_fail_by_name(tmp_path: Path) -> None:
    (tmp_path / "table.csv").write_text("a,b", encoding="utf-8")
    result = _run("--data", str(tmp_path / "data"), "load", str(tmp_path / "table.csv"),
                  str(tmp_path / "missing.pdf"))
    assert result.exit_code == 1
    assert "table.csv: unsupported file type" in result.output
    assert "missing.pdf: no such file or folder" in result.output


def _graph(data: Path) -> None:
    with open_store(data / "graph.lbug") as s:
        assert all(o.ok for o in write(s, [ruoqiang_records(), jiangyou_records()]))


def test_cypher_json_prints_rows_and_nothing_else(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _graph(data)
    result = _run("--data", str(data), "cypher",
                  "MATCH (a:Amount)-[:CLASSIFIED_AS]->(s:FunctionalSubject {code: $code}) "
                  "WHERE a.category = $category RETURN s.name AS subject, a.yuan AS yuan",
                  "-p", "code=201", "-p", "category=total", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"subject": "一般公共服务支出", "yuan": 6837000.0}]


def test_cypher_parameters_text_and_json(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _graph(data)
    result = _run("--data", str(data), "cypher",
                  "MATCH (s:FunctionalSubject) WHERE s.code STARTS WITH $prefix "
                  "RETURN s.code AS code ORDER BY code LIMIT $n",
                  "-p", "prefix=20103", "-p", "n:=2", "--json")
    assert json.loads(result.stdout) == [{"code": "20103"}, {"code": "2010301"}]
    assert parse_params(["code=201", "n:=10", "ys:=[2023, 2024]", "t=a=b"]) == {
        "code": "201", "n": 10, "ys": [2023, 2024], "t": "a=b"}


def test_cypher_table_output_and_errors(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _graph(data)
    result = _run("--data", str(data), "cypher",
                  "MATCH (u:Unit) RETURN u.code AS code, u.name AS name ORDER BY code")
    assert result.exit_code == 0
    assert "江油市政务服务中心" in result.stdout and "2 row(s)" in result.stdout
    bad = _run("--data", str(data), "cypher", "MATCH (x:NoSuchLabel) RETURN x", "--json")
    assert bad.exit_code == 1 and bad.stdout == ""
    assert "NoSuchLabel" in bad.stderr
    empty = _run("--data", str(tmp_path / "nothing"), "cypher", "MATCH (n) RETURN n")
    assert empty.exit_code == 1 and "load documents first" in empty.stderr


def test_data_directory_from_the_environment(tmp_path: Path) -> None:
    data = tmp_path / "from-env"
    _graph(data)
    result = _run("cypher", "MATCH (d:Document) RETURN count(d) AS n", "--json",
                  env={"FISCAL_KG_DATA": str(data)})
    assert json.loads(result.stdout) == [{"n": 2}]


def test_the_installed_entry_point_loads_a_real_sample(tmp_path: Path) -> None:
    """End to end through the console script: 若羌县 2024 一般公共服务支出 683.70 万元."""
    exe = Path(sys.executable).with_name("fiscal-kg")
    if not exe.exists():
        pytest.skip("fiscal-kg is not installed in this environment")
    env = {**os.environ, "FISCAL_KG_DATA": str(tmp_path / "data")}
    sample = SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt"
    loaded = subprocess.run([str(exe), "load", str(sample), "--json"], env=env,
                            capture_output=True, text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)[0]["status"] == "loaded"
    query = ("MATCH (a:Amount)-[:CLASSIFIED_AS]->(:FunctionalSubject {code: $code}) "
             "WHERE a.category = 'total' RETURN DISTINCT a.yuan AS yuan")
    rows = subprocess.run([str(exe), "cypher", query, "-p", "code=201", "--json"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert rows.returncode == 0, rows.stderr
    values = json.loads(rows.stdout)
    assert values and all(abs(r["yuan"] - 6_837_000) <= 0.01 for r in values)
