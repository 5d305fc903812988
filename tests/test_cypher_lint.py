"""Every Cypher text the product runs on Neo4j passes the Neo4j 5 grammar, checked offline.

What is checked: each ``queries/**/*.cypher`` file (the named query library, which must run
on both engines) and every statement the Neo4j store sends (schema, writes, lookups).  The
checker is ``tools/cypher-lint`` (Neo4j's own Cypher language support, run by node), given
the Neo4j 5 built-in functions, so dialect of the embedded engine — ``label(n)``,
``to_double()``, ``-[* SHORTEST 1..5]->`` — is an error here even though it runs there.

Start-up of the checker costs seconds, so everything is checked in one node call.  If its
packages are not installed yet, ``npm ci`` installs them from the lock file; a machine
without node and npm fails this test rather than skipping it, because CI installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from ontology.vocabulary import vocabulary
from store.neo4j import statement_catalogue

ROOT = Path(__file__).resolve().parents[1]
LINT_DIR = ROOT / "tools" / "cypher-lint"
QUERIES = ROOT / "queries"
INSTALLED = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"
NPM_TIMEOUT_S = 600
LINT_TIMEOUT_S = 300

#: Queries that must be flagged: each is valid on the embedded engine only.
KNOWN_BAD = {
    "known-bad: label()": "MATCH (n) RETURN label(n)",
    "known-bad: to_double()": "MATCH (a:Amount) RETURN to_double(a.yuan) AS y",
    "known-bad: embedded shortest path": "MATCH (a:Region)-[* SHORTEST 1..5]->(b:Region) "
                                         "RETURN a, b",
}
UNKNOWN_NAME = ("Label ", "Relationship type ")  # warnings about names outside the ontology


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: the Cypher check needs node and npm "
                    "(apt-get install nodejs npm; .ci/run installs them)")
    return path


def _ensure_installed() -> None:
    """``npm ci`` from the committed lock file when the checker's packages are missing."""
    node = _tool("node")
    if INSTALLED.exists():
        return
    npm = _tool("npm")
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=LINT_DIR,
                          capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False)
    if done.returncode != 0 or not INSTALLED.exists():
        pytest.fail(f"npm ci in {LINT_DIR} failed ({node=}):\n{done.stdout}\n{done.stderr}")


def shipped_queries() -> list[dict[str, Any]]:
    """The named query files, then every statement of the Neo4j store."""
    items: list[dict[str, Any]] = []
    for path in sorted(QUERIES.rglob("*.cypher")):
        items.append({"name": str(path.relative_to(ROOT)),
                      "query": path.read_text(encoding="utf-8")})
    for n, (cypher, params) in enumerate(statement_catalogue(), start=1):
        items.append({"name": f"store/neo4j.py statement {n}", "query": cypher,
                      "parameters": sorted(params)})
    return items


def lint(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Diagnostics per query name, from one run of ``tools/cypher-lint/lint.mjs``."""
    _ensure_installed()
    v = vocabulary()
    payload = {"queries": items,
               "schema": {"labels": sorted(v.nodes), "relationshipTypes": sorted(v.rels)}}
    done = subprocess.run([_tool("node"), "lint.mjs", "--json"], cwd=LINT_DIR,
                          input=json.dumps(payload, ensure_ascii=False), capture_output=True,
                          text=True, timeout=LINT_TIMEOUT_S, check=False)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        pytest.fail(f"the Cypher checker did not run (exit {done.returncode}):\n{done.stderr}")
    return {r["name"]: r["diagnostics"] for r in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def results() -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]], float]:
    items = shipped_queries() + [{"name": k, "query": q} for k, q in KNOWN_BAD.items()]
    started = time.perf_counter()
    found = lint(items)
    return items, found, time.perf_counter() - started


def _show(name: str, query: str, diagnostics: list[dict[str, Any]]) -> str:
    lines = [f"{name}:{d['line']}:{d['column']}: {d['message']}" for d in diagnostics]
    return "\n".join([*lines, "    " + query.strip().replace("\n", "\n    ")])


def test_every_shipped_query_is_neo4j_5_cypher(results) -> None:
    items, found, seconds = results
    assert set(found) == {item["name"] for item in items}  # nothing dropped on the way
    shipped = [item for item in items if item["name"] not in KNOWN_BAD]
    assert len(shipped) >= len(statement_catalogue()) > 50
    errors = [_show(item["name"], item["query"], [d for d in found[item["name"]]
                                                   if d["severity"] == 1])
              for item in shipped if any(d["severity"] == 1 for d in found[item["name"]])]
    assert not errors, f"{len(errors)} query(ies) are not Neo4j 5 Cypher:\n" + "\n".join(errors)
    assert seconds < LINT_TIMEOUT_S


def test_shipped_queries_use_only_the_ontology_labels_and_types(results) -> None:
    items, found, _ = results
    unknown = [_show(item["name"], item["query"], [d for d in found[item["name"]]
                                                    if d["message"].startswith(UNKNOWN_NAME)])
               for item in items if item["name"] not in KNOWN_BAD
               and any(d["message"].startswith(UNKNOWN_NAME) for d in found[item["name"]])]
    assert not unknown, "labels or relationship types outside the ontology:\n" + "\n".join(
        unknown)


def test_the_check_catches_embedded_only_dialect(results) -> None:
    _, found, _ = results
    for name in KNOWN_BAD:
        assert any(d["severity"] == 1 for d in found[name]), (name, found[name])
    assert any("Function label is not present" in d["message"]
               for d in found["known-bad: label()"])
    assert any("to_double" in d["message"] for d in found["known-bad: to_double()"])


def test_every_query_file_is_collected() -> None:
    names = {item["name"] for item in shipped_queries()}
    files = {str(p.relative_to(ROOT)) for p in QUERIES.rglob("*.cypher")}
    assert files <= names
