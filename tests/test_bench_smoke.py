"""The benchmarks run end to end at the tiny size (no timing is asserted: machines differ).

What is asserted is exact and machine-independent: the tiny size is 8 documents that make
2,401 nodes and 6,413 edges, every store ends up holding exactly those, whichever path wrote
them, and every named query finds rows in the generated graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY_DOCUMENTS, TINY_NODES, TINY_EDGES = 8, 2401, 6413


def test_generated_documents_keep_the_identities() -> None:
    """The generator's amounts pass the loader's own identity checks, and are deterministic."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from loaders.checks import check_records

    docs = list(generate.generate("tiny"))
    assert len(docs) == TINY_DOCUMENTS
    assert [check_records(d) for d in docs] == [[] for _ in docs]
    counts = generate.count(iter(docs))
    assert (counts.nodes, counts.edges) == (TINY_NODES, TINY_EDGES)
    first = docs[0]
    assert first.document.title == "东城区人民政府办公室2024年部门预算"
    total = next(a for a in first.amounts if a.table_kind == "expenditure" and a.item == "合计"
                 and a.category == "total")
    parts = [a.yuan for a in first.amounts if a.table_kind == "expenditure"
             and a.category == "total" and a.of_ref == total.of_ref
             and a.functional_ref and len(a.functional_ref) == 3]
    assert sum(parts) == total.yuan
    assert [d.document.id for d in generate.generate("tiny", skip=6)] == [
        d.document.id for d in docs[6:]]


def test_bench_run_tiny(tmp_path: Path) -> None:
    out = tmp_path / "tiny.json"
    proc = subprocess.run(
        [str(ROOT / "bench" / "run"), "--size", "tiny", "--runs", "3", "--no-pdf",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for heading in ("writes", "records/s", "peak RSS MB", "p50 ms", "targets",
                    "fiscal-kg load samples"):
        assert heading in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"command", "machine", "sizes", "samples", "targets", "seconds"} <= set(data)
    tiny = data["sizes"]["tiny"]
    assert {"generated", "staging", "writes", "write_rates", "queries"} <= set(tiny)
    assert tiny["generated"]["documents"] == TINY_DOCUMENTS
    assert (tiny["generated"]["nodes"], tiny["generated"]["edges"]) == (TINY_NODES, TINY_EDGES)
    writes = tiny["writes"]
    assert {"ladybug_copy", "ladybug_writer_full", "ladybug_writer_tail"} <= set(writes)
    for entry in writes.values():
        assert entry["exit_code"] == 0
        assert entry["peak_rss_mb"] > 0
    copy = writes["ladybug_copy"]["result"]
    assert (copy["nodes"], copy["edges"]) == (TINY_NODES, TINY_EDGES)
    assert writes["ladybug_writer_full"]["result"]["failed_documents"] == 0
    assert all(tiny["write_rates"]["checks"].values())
    rates = tiny["write_rates"]["records_per_s"]
    assert {"ladybug_copy_full", "ladybug_writer_full", "ladybug_writer_tail"} <= set(rates)
    cypher = tiny["queries"]["cypher"]["result"]
    assert set(cypher) == {"trace", "compare_subject", "spending_split", "budget_vs_final"}
    for figures in cypher.values():
        assert {"first_ms", "p50_ms", "p95_ms", "mean_rows"} <= set(figures)
        assert figures["mean_rows"] > 0
    assert data["samples"]["exit_code"] == 0
    assert data["samples"]["documents"] == 5
