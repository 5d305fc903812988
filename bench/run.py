"""Benchmarks: write throughput, query latency, memory and end-to-end load time, in one run.

    bench/run --size S                 # one size; table on stdout, JSON in bench/results/S.json
    bench/run --size S --size M        # both, plus how every figure changes from S to M
    bench/run --size tiny --out x.json # the smoke test's run

Machines are noisy (a shared one especially), so the figures that matter are ratios taken
within one run: our writer against the engine's own bulk loader on the same rows, SPARQL
against Cypher on the same questions, M against S.  Write rates are given per wall second and
per CPU second of the measuring process (steadier when other work competes for the cores).
Every measurement runs in a child process of its own, so its peak resident memory
(``ru_maxrss``) is its own and one measurement cannot warm the caches of the next.

Writes are measured twice for each engine, on the same rows and from the same state:

* **whole size** — everything from an empty store: the engine's raw bulk load (Ladybug
  ``COPY`` of staged CSVs, Oxigraph ``bulk_load`` of N-Triples) and, for Ladybug, our writer
  with the batches the command line uses;
* **tail** — the last ``--tail`` documents written into a store already holding the rest
  (put there by the bulk loader), once with the bulk loader and once with our writer.  This
  is the cost of loading into a large graph, and the only writer figure that stays within a
  few minutes at M; the same number of documents at S and M makes the two comparable.

The generated records (``bench/generate.py``) are staged once per size: one streaming pass
writes CSV files per node label and relationship (in the dialect of ``store.staging``) and,
when RDF is measured, N-Triples made by ``store.rdf.document_graph`` — the writers' own
conversions — so both loaders read exactly the rows the writers write.  After loading, the
node, edge and triple counts of the two paths are compared.

Queries are the named queries of ``queries/`` run through ``fiscal_kg.query`` on the store
the tail measurement left (complete, and partly written by our writer): the first call, then
``--runs`` calls cycling through parameter sets drawn from the generated departments.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (str(ROOT), str(BENCH)):  # run as a script from anywhere
    if entry not in sys.path:
        sys.path.insert(0, entry)

import generate as gen  # noqa: E402

RESULTS = BENCH / "results"
DEFAULT_TAIL = 200  # documents written into the otherwise full store
DEFAULT_RUNS = 30  # timed calls per query
DEFAULT_QUERY_BUDGET = 30.0  # seconds of timed calls per query, at most
PARAM_SETS = 10  # parameter sets each query cycles through
# Named queries and the question each one stands for.
QUERIES = {
    "trace": "trace: region → units → subjects → amounts → projects → indicators",
    "compare_subject": "compare one 项 subject across regions",
    "spending_split": "aggregate: basic/project and personnel/public per department",
    "budget_vs_final": "budget vs final account of one department",
}
# Sizes whose whole-size writer load and RDF store fit a run of ~15 minutes on 2 cores.
FULL_WRITER_SIZES = {"tiny", "S"}
RDF_SIZES = {"tiny", "S"}
PER_DOC = ("/id/amount/", "/id/indicator/", "/id/document/")  # IRIs no two documents share


# ------------------------------------------------------------------------------------------
# Work directory layout
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """Where one size's staged files and stores live."""

    root: Path

    def csv(self, phase: str) -> Path:
        return self.root / "csv" / phase

    def nt(self, phase: str) -> Path:
        return self.root / "nt" / f"{phase}.nt"

    def db(self, name: str) -> Path:
        """A Ladybug database, alone in its directory so the directory can be copied."""
        return self.root / f"lbug-{name}" / "graph.lbug"

    def rdf(self, name: str) -> Path:
        return self.root / f"rdf-{name}"

    @property
    def stage_file(self) -> Path:
        return self.root / "stage.json"


def tail_docs(size: str, requested: int) -> int:
    """The tail length: as asked, but at most half the documents, and even (budget + final)."""
    total = gen.scale_of(size).documents
    n = min(requested, total // 2)
    return max(2, n - n % 2)


# ------------------------------------------------------------------------------------------
# Workers (each runs in its own process: python bench/run.py --worker NAME …)
# ------------------------------------------------------------------------------------------


def worker_stage(size: str, seed: int, work: Work, tail: int, rdf: bool) -> dict[str, Any]:
    """Stream the generated documents into CSV files (and N-Triples) for the bulk loaders."""
    from ontology.vocabulary import vocabulary
    from store.staging import convert, csv_cell

    vocab = vocabulary()
    total = gen.scale_of(size).documents
    split = total - tail
    known: dict[str, set[str]] = {label: set() for label in vocab.nodes}
    edges_seen: set[tuple[str, str, str]] = set()
    lines_seen: set[str] = set()
    refs = {label: vocab.ref_fields(label) for label in vocab.nodes}
    keys = {label: table.key for label, table in vocab.nodes.items()}
    counts = {phase: {"documents": 0, "nodes": 0, "edges": 0, "triple_lines": 0}
              for phase in ("prefix", "tail")}
    if rdf:
        from fiscal_kg import config
        from store.rdf import document_graph

        base = config.base_iri()
    started = time.perf_counter()
    with contextlib.ExitStack() as files:
        writers = {phase: CsvFiles(work.csv(phase), files) for phase in ("prefix", "tail")}
        nts: dict[str, TextIO] = {}
        if rdf:
            work.nt("prefix").parent.mkdir(parents=True, exist_ok=True)
            nts = {phase: files.enter_context(work.nt(phase).open("w", encoding="utf-8"))
                   for phase in ("prefix", "tail")}
        for n, doc in enumerate(gen.generate(size, seed)):
            phase = "prefix" if n < split else "tail"
            out, c = writers[phase], counts[phase]
            c["documents"] += 1
            for record in doc.entities():
                label = type(record).__name__
                table = vocab.nodes[label]
                key = getattr(record, keys[label])
                shared = label not in ("Amount", "Indicator")
                if not (shared and key in known[label]):
                    where = f"{doc.document.source}: {label} {key}"
                    out.node(label, [p.name for p in table.properties],
                             [csv_cell(convert(getattr(record, p.name), p, where))
                              for p in table.properties])
                    c["nodes"] += 1
                    if shared:
                        known[label].add(key)
                for ref in refs[label]:
                    target = getattr(record, ref.field)
                    if not target:
                        continue
                    found = [t for t in ref.targets if target in known[t]]
                    if len(found) != 1:
                        raise SystemExit(f"{doc.document.source}: {label} {key}: "
                                         f"{ref.field}={target!r} resolves to {found}")
                    if ref.inverse:
                        edge = (ref.rel_type, found[0], label), target, key
                    else:
                        edge = (ref.rel_type, label, found[0]), key, target
                    if shared:
                        marker = (edge[0][0], edge[1], edge[2])
                        if marker in edges_seen:
                            continue
                        edges_seen.add(marker)
                    out.edge(edge[0], [csv_cell(edge[1]), csv_cell(edge[2])])
                    c["edges"] += 1
            if rdf:
                graph = document_graph(doc, base, lambda lbl, k: k in known[lbl])
                for line in graph.lines():
                    if not any(p in line for p in PER_DOC):
                        if line in lines_seen:
                            continue
                        lines_seen.add(line)
                    nts[phase].write(line)
                    c["triple_lines"] += 1
    result = {"size": size, "tail": tail, "seconds": time.perf_counter() - started,
              "counts": counts, "node_files": {ph: w.node_names() for ph, w in writers.items()},
              "edge_files": {ph: w.edge_names() for ph, w in writers.items()},
              "columns": {label: list(t.property_names) for label, t in vocab.nodes.items()}}
    work.stage_file.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return {"seconds": result["seconds"], "counts": counts}


class CsvFiles:
    """One CSV per node label and per (type, FROM, TO) relationship, opened on first use."""

    def __init__(self, folder: Path, stack: contextlib.ExitStack):
        self.folder = folder
        self.stack = stack
        folder.mkdir(parents=True, exist_ok=True)
        self.nodes: dict[str, TextIO] = {}
        self.edges: dict[tuple[str, str, str], TextIO] = {}

    def _open(self, name: str, header: Iterable[str]) -> TextIO:
        f = self.stack.enter_context((self.folder / name).open("w", encoding="utf-8",
                                                                newline=""))
        f.write(",".join(header) + "\n")
        return f

    def node(self, label: str, columns: list[str], cells: list[str]) -> None:
        if label not in self.nodes:
            self.nodes[label] = self._open(f"node-{label}.csv", columns)
        self.nodes[label].write(",".join(cells) + "\n")

    def edge(self, key: tuple[str, str, str], cells: list[str]) -> None:
        if key not in self.edges:
            self.edges[key] = self._open("rel-{}-{}-{}.csv".format(*key), ["from", "to"])
        self.edges[key].write(",".join(cells) + "\n")

    def node_names(self) -> list[str]:
        return sorted(self.nodes)

    def edge_names(self) -> list[list[str]]:
        return [list(k) for k in sorted(self.edges)]


class Clock:
    """Wall and CPU seconds spent inside ``with clock:`` blocks.

    CPU time counts every thread of this process (the engines' workers too); on a shared
    machine it is steadier than wall time, so rates are reported both ways.
    """

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self.laps: list[float] = []

    def __enter__(self) -> Clock:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        lap = time.perf_counter() - self._wall
        self.laps.append(lap)
        self.wall += lap
        self.cpu += time.process_time() - self._cpu

    def as_dict(self, prefix: str = "") -> dict[str, float]:
        return {f"{prefix}seconds": self.wall, f"{prefix}cpu_seconds": self.cpu}


def _copy_phase(store: Any, work: Work, stage: dict[str, Any], phase: str) -> Clock:
    """COPY one phase's staged files (nodes first), then close the store (checkpoint)."""
    from store.ladybug import quote
    from store.staging import COPY_OPTIONS

    folder = work.csv(phase)
    with Clock() as clock:
        for label in stage["node_files"][phase]:
            path = folder / f"node-{label}.csv"
            store.execute(f"COPY {quote(label)} FROM '{path}' ({COPY_OPTIONS})")
        for rel, a, b in stage["edge_files"][phase]:
            path = folder / f"rel-{rel}-{a}-{b}.csv"
            store.execute(f"COPY {quote(rel)} FROM '{path}' "
                          f"({COPY_OPTIONS}, from='{a}', to='{b}')")
        store.close()
    return clock


def worker_copy(work: Work) -> dict[str, Any]:
    """Raw COPY: the prefix into a fresh database, then (after a copy of it is set aside for
    the writer) the tail on top.  Times include closing, i.e. the final checkpoint."""
    from store.ladybug import open_store

    stage = json.loads(work.stage_file.read_text(encoding="utf-8"))
    db = work.db("copy")
    shutil.rmtree(db.parent, ignore_errors=True)
    store = open_store(db)
    for label in stage["node_files"]["prefix"]:
        if store.columns(label) != stage["columns"][label]:
            raise SystemExit(f"{label}: stored column order differs from the staged files")
    prefix = _copy_phase(store, work, stage, "prefix")
    store = open_store(db, read_only=True)
    prefix_records = store.count_nodes() + store.count_rels()
    store.close()
    tail_db = work.db("tail")
    shutil.rmtree(tail_db.parent, ignore_errors=True)
    shutil.copytree(db.parent, tail_db.parent)
    tail = _copy_phase(open_store(db), work, stage, "tail")
    store = open_store(db, read_only=True)
    nodes, edges = store.count_nodes(), store.count_rels()
    store.close()
    return {**prefix.as_dict("prefix_"), **tail.as_dict("tail_"),
            "prefix_records": prefix_records, "tail_records": nodes + edges - prefix_records,
            "nodes": nodes, "edges": edges, "records": nodes + edges,
            "disk_bytes": _disk(db.parent)}


def worker_writer(size: str, seed: int, work: Work, mode: str, tail: int) -> dict[str, Any]:
    """Our writer with the command line's batches: the whole size into an empty database,
    or the tail into the copy of the prefix database.  Generation time is not counted."""
    from fiscal_kg.loading import WRITE_BATCH
    from store.ladybug import open_store
    from store.writer import write

    total = gen.scale_of(size).documents
    if mode == "full":
        db = work.db("full")
        shutil.rmtree(db.parent, ignore_errors=True)
        docs = gen.generate(size, seed)
    else:
        db = work.db("tail")
        docs = gen.generate(size, seed, skip=total - tail)
    store = open_store(db)
    before = store.count_nodes() + store.count_rels()
    clock = Clock()
    failed = 0
    for batch in _batches(docs, WRITE_BATCH):
        with clock:
            outcomes = write(store, batch)
        failed += sum(1 for o in outcomes if not o.ok)
    batches = list(clock.laps)
    with clock:
        store.close()
    store = open_store(db, read_only=True)
    nodes, edges = store.count_nodes(), store.count_rels()
    store.close()
    return {**clock.as_dict(), "batches": len(batches), "batch_documents": WRITE_BATCH,
            "failed_documents": failed, "first_batches_s": _mean(batches[:5]),
            "last_batches_s": _mean(batches[-5:]), "close_s": clock.laps[-1],
            "records": nodes + edges - before, "nodes": nodes, "edges": edges,
            "disk_bytes": _disk(db.parent)}


def worker_rdf_bulk(work: Work) -> dict[str, Any]:
    """pyoxigraph's bulk_load of the staged N-Triples: prefix into an empty store, a copy set
    aside for the writer, then the tail on top."""
    from pyoxigraph import RdfFormat, Store

    path = work.rdf("bulk")
    shutil.rmtree(path, ignore_errors=True)
    clocks = {}
    counts = {}
    for phase in ("prefix", "tail"):
        store = Store(str(path))
        with Clock() as clocks[phase]:
            store.bulk_load(path=str(work.nt(phase)), format=RdfFormat.N_TRIPLES)
            store.flush()
        counts[phase] = len(store)
        del store
        gc.collect()
        if phase == "prefix":
            tail_path = work.rdf("tail")
            shutil.rmtree(tail_path, ignore_errors=True)
            shutil.copytree(path, tail_path)
    return {**clocks["prefix"].as_dict("prefix_"), **clocks["tail"].as_dict("tail_"),
            "prefix_records": counts["prefix"], "tail_records": counts["tail"] - counts["prefix"],
            "records": counts["tail"], "disk_bytes": _disk(path)}


def worker_rdf_writer(size: str, seed: int, work: Work, tail: int) -> dict[str, Any]:
    """The RDF store's writer (``OxigraphStore.write``) on the tail, command-line batches."""
    from fiscal_kg import config
    from fiscal_kg.loading import WRITE_BATCH
    from store.oxigraph import ONTOLOGY_GRAPH, open_store

    total = gen.scale_of(size).documents
    store = open_store(work.rdf("tail"), base=config.base_iri())
    ontology = sum(1 for _ in store.store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))
    before = len(store.store) - ontology
    clock = Clock()
    failed = 0
    for batch in _batches(gen.generate(size, seed, skip=total - tail), WRITE_BATCH):
        with clock:
            outcomes = store.write(batch)
        failed += sum(1 for o in outcomes if not o.ok)
    batches = list(clock.laps)
    triples = len(store.store) - ontology
    with clock:
        store.close()
    return {**clock.as_dict(), "batches": len(batches), "batch_documents": WRITE_BATCH,
            "failed_documents": failed, "first_batches_s": _mean(batches[:5]),
            "last_batches_s": _mean(batches[-5:]), "records": triples - before,
            "triples": triples}


def worker_queries(size: str, seed: int, work: Work, engine: str, runs: int,
                   budget: float) -> dict[str, Any]:
    """First-call and warm latency of each named query on one engine.

    A query stops after ``budget`` seconds of timed calls (at least one call), so a query
    that takes seconds cannot hold a run up for its full ``runs``; ``runs`` says how many.
    """
    from fiscal_kg import config
    from fiscal_kg.query import run_cypher, run_sparql
    from queries import load

    params = query_params(size, seed)
    if engine == "cypher":
        from store.ladybug import open_store

        store: Any = open_store(work.db("tail"), read_only=True)
        call = run_cypher
    else:
        from store.oxigraph import open_store as open_rdf

        store = open_rdf(work.rdf("tail"), base=config.base_iri(), read_only=True)
        call = run_sparql
    out: dict[str, Any] = {}
    with store:
        for name in QUERIES:
            query = load(name)
            bound = [query.bind(p) for p in params[name]]
            started = time.perf_counter()
            rows = call(query, bound[0], store)
            first_ms = 1000 * (time.perf_counter() - started)
            times, counts = [], []
            deadline = time.perf_counter() + budget
            for i in range(runs):
                started = time.perf_counter()
                rows = call(query, bound[i % len(bound)], store)
                times.append(1000 * (time.perf_counter() - started))
                counts.append(len(rows))
                if time.perf_counter() > deadline:  # a slow query: fewer runs, said so
                    break
            out[name] = {"first_ms": first_ms, "p50_ms": percentile(times, 50),
                         "p95_ms": percentile(times, 95), "runs": len(times),
                         "mean_rows": statistics.mean(counts), "params": params[name][0]}
    return out


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------


def query_params(size: str, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Parameter sets for each named query, drawn from departments spread over the size."""
    scale = gen.scale_of(size)
    year = scale.years[-1]
    keys = [k for k in gen.plan_keys(scale) if k[2] == year]
    picked = [keys[i * len(keys) // PARAM_SETS] for i in range(min(PARAM_SETS, len(keys)))]
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in QUERIES}
    for county, dept_no, _ in picked:
        plan = gen.plan(county, dept_no, year, scale, seed)
        lei = gen.DEPARTMENTS[dept_no][1]
        own = sorted(c for u in plan.units for c in u.basic if c not in gen.COMMON_BASIC)
        out["trace"].append({"subject": lei, "region": county, "year": year})
        out["compare_subject"].append({"subject": own[0], "measure": "budget", "year": year})
        out["spending_split"].append({"region": county[:2] + "0000", "year": year})
        out["budget_vs_final"].append({"department": plan.department.id, "budget_year": year,
                                       "final_year": year, "level": 3})
    return out


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: a reported value is a measured one)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def _batches(docs: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _mean(values: list[float]) -> float | None:
    return statistics.mean(values) if values else None


def _disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ------------------------------------------------------------------------------------------
# Running children and measuring them
# ------------------------------------------------------------------------------------------


@dataclass
class Child:
    """A finished child process: its result, wall time and peak resident memory."""

    result: dict[str, Any] | None
    wall_s: float
    peak_rss_mb: float
    exit_code: int
    error: str | None = None
    cpu_s: float = 0.0  # user + system time of the whole child
    load_average: float = 0.0  # of the machine, when the child ended


def run_child(args: list[str], cwd: Path = ROOT, result_file: Path | None = None,
              capture: bool = False) -> tuple[Child, str]:
    """Run a command and wait for it with ``wait4`` to get its own ``ru_maxrss``."""
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+b") as out:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out if capture else subprocess.DEVNULL,
                                stderr=subprocess.PIPE if capture else None)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    result = None
    if result_file and result_file.exists():
        result = json.loads(result_file.read_text(encoding="utf-8"))
        result_file.unlink()
    error = None if proc.returncode == 0 else (err.strip().splitlines() or ["failed"])[-1]
    child = Child(result, wall, usage.ru_maxrss / 1024, proc.returncode, error,
                  usage.ru_utime + usage.ru_stime, os.getloadavg()[0])
    return child, text


def worker(name: str, size: str, seed: int, work: Work, **options: Any) -> Child:
    """Run one measurement in a child process; its JSON comes back through a file."""
    result_file = work.root / f"result-{name}-{os.getpid()}.json"
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--size", size,
            "--seed", str(seed), "--work", str(work.root), "--result", str(result_file)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    note(f"  {size}: {name} …")
    child, _ = run_child(args, result_file=result_file)
    if child.exit_code != 0:
        note(f"  {size}: {name} failed: {child.error}")
    return child


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def measure_size(size: str, seed: int, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """Every measurement of one size; returns its JSON section."""
    work = Work(root / size)
    work.root.mkdir(parents=True, exist_ok=True)
    tail = tail_docs(size, args.tail)
    full_writer = args.full_writer if args.full_writer is not None else size in FULL_WRITER_SIZES
    rdf = args.rdf if args.rdf is not None else size in RDF_SIZES
    scale = gen.scale_of(size)
    out: dict[str, Any] = {
        "size": size, "seed": seed, "documents": scale.documents, "tail_documents": tail,
        "scale": {"counties": scale.counties, "departments_per_county": scale.departments,
                  "years": list(scale.years)},
        "skipped": {},
    }
    started = time.perf_counter()
    stage = worker("stage", size, seed, work, tail=tail, with_rdf=int(rdf))
    out["staging"] = _child(stage)
    if stage.result is None:
        raise SystemExit(f"{size}: staging failed: {stage.error}")
    counts = stage.result["counts"]
    out["generated"] = {
        "documents": counts["prefix"]["documents"] + counts["tail"]["documents"],
        "nodes": counts["prefix"]["nodes"] + counts["tail"]["nodes"],
        "edges": counts["prefix"]["edges"] + counts["tail"]["edges"],
        "triple_lines": counts["prefix"]["triple_lines"] + counts["tail"]["triple_lines"],
    }
    writes: dict[str, Any] = {}
    copy = worker("copy", size, seed, work)
    writes["ladybug_copy"] = _child(copy)
    if full_writer:
        writes["ladybug_writer_full"] = _child(worker("writer", size, seed, work, mode="full",
                                                      tail=tail))
    elif args.full_writer is False:
        out["skipped"]["ladybug_writer_full"] = "not asked for (--no-full-writer)"
    else:
        out["skipped"]["ladybug_writer_full"] = (
            f"the whole-size writer load of {size} takes far longer than a run allows on this "
            "machine (see the tail figure); force it with --full-writer")
    writes["ladybug_writer_tail"] = _child(worker("writer", size, seed, work, mode="tail",
                                                  tail=tail))
    rdf_ready = rdf and _module_exists("store/oxigraph.py")
    if rdf_ready:
        writes["oxigraph_bulk"] = _child(worker("rdf-bulk", size, seed, work))
        writes["oxigraph_writer_tail"] = _child(worker("rdf-writer", size, seed, work, tail=tail))
    elif rdf:
        out["skipped"]["rdf"] = "store/oxigraph.py does not exist"
    elif args.rdf is False:
        out["skipped"]["rdf"] = "not asked for (--no-rdf)"
    else:
        out["skipped"]["rdf"] = (
            f"building the RDF store of {size} (~7.5 triples per record) takes longer than a "
            "run allows on this machine; force it with --rdf")
    out["writes"] = writes
    out["write_rates"] = write_rates(writes)
    queries: dict[str, Any] = {}
    cypher = worker("queries", size, seed, work, engine="cypher", runs=args.runs,
                    query_budget=args.query_budget)
    queries["cypher"] = _child(cypher)
    if rdf_ready and writes["oxigraph_writer_tail"].get("exit_code") == 0:
        queries["sparql"] = _child(worker("queries", size, seed, work, engine="sparql",
                                          runs=args.runs, query_budget=args.query_budget))
    out["queries"] = queries
    out["seconds"] = time.perf_counter() - started
    return out


def _child(child: Child) -> dict[str, Any]:
    out: dict[str, Any] = {"exit_code": child.exit_code, "wall_s": child.wall_s,
                           "cpu_s": child.cpu_s, "peak_rss_mb": child.peak_rss_mb,
                           "load_average": child.load_average}
    if child.error:
        out["error"] = child.error
    if child.result is not None:
        out["result"] = child.result
    return out


def _module_exists(relative: str) -> bool:
    return (ROOT / relative).is_file()


# Write paths: rate name -> (label, measurement, records key, prefixes of its seconds keys).
RATES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "ladybug_copy_full": ("Ladybug raw COPY, whole size", "ladybug_copy", "records",
                          ("prefix_", "tail_")),
    "ladybug_writer_full": ("Ladybug writer, whole size", "ladybug_writer_full", "records",
                            ("",)),
    "ladybug_copy_tail": ("Ladybug raw COPY, tail", "ladybug_copy", "tail_records",
                          ("tail_",)),
    "ladybug_writer_tail": ("Ladybug writer, tail", "ladybug_writer_tail", "records", ("",)),
    "oxigraph_bulk_full": ("Oxigraph bulk_load, whole size", "oxigraph_bulk", "records",
                           ("prefix_", "tail_")),
    "oxigraph_bulk_tail": ("Oxigraph bulk_load, tail", "oxigraph_bulk", "tail_records",
                           ("tail_",)),
    "oxigraph_writer_tail": ("Oxigraph writer, tail", "oxigraph_writer_tail", "records",
                             ("",)),
}


def write_rates(writes: dict[str, Any]) -> dict[str, Any]:
    """records/s (per wall and per CPU second) of every write path, and writer ÷ bulk ratios
    (same rows, same starting state)."""
    def result(name: str) -> dict[str, Any]:
        entry = writes.get(name) or {}
        return entry.get("result") or {}

    rates: dict[str, float] = {}
    cpu_rates: dict[str, float] = {}
    for name, (_, key, records_key, prefixes) in RATES.items():
        r = result(key)
        records = r.get(records_key)
        wall = sum(r.get(f"{p}seconds") or 0 for p in prefixes)
        cpu = sum(r.get(f"{p}cpu_seconds") or 0 for p in prefixes)
        if records and wall:
            rates[name] = records / wall
        if records and cpu:
            cpu_rates[name] = records / cpu
    ratios, cpu_ratios = {}, {}
    for name, num, den in (("ladybug_full", "ladybug_writer_full", "ladybug_copy_full"),
                           ("ladybug_tail", "ladybug_writer_tail", "ladybug_copy_tail"),
                           ("oxigraph_tail", "oxigraph_writer_tail", "oxigraph_bulk_tail")):
        if num in rates and den in rates:
            ratios[name] = rates[num] / rates[den]
        if num in cpu_rates and den in cpu_rates:
            cpu_ratios[name] = cpu_rates[num] / cpu_rates[den]
    copy, full, tail = (result("ladybug_copy"), result("ladybug_writer_full"),
                        result("ladybug_writer_tail"))
    bulk, rdf_tail = result("oxigraph_bulk"), result("oxigraph_writer_tail")
    checks = {}
    if copy and full:
        checks["ladybug_full_same_counts"] = (copy["nodes"], copy["edges"]) == (full["nodes"],
                                                                                full["edges"])
    if copy and tail:
        checks["ladybug_tail_same_counts"] = (copy["nodes"], copy["edges"]) == (tail["nodes"],
                                                                                tail["edges"])
    if bulk and rdf_tail:
        checks["oxigraph_tail_same_counts"] = bulk["records"] == rdf_tail["triples"]
    return {"records_per_s": rates, "records_per_cpu_s": cpu_rates,
            "writer_over_bulk": ratios, "writer_over_bulk_cpu": cpu_ratios, "checks": checks}


def measure_samples(root: Path) -> dict[str, Any]:
    """``fiscal-kg load samples`` into an empty data directory, end to end."""
    data = root / "samples-data"
    shutil.rmtree(data, ignore_errors=True)
    note("  samples: fiscal-kg load samples …")
    child, _ = run_child([sys.executable, "-m", "fiscal_kg", "--data", str(data), "load",
                          "--json", "samples"], capture=True)
    documents = len(list((ROOT / "samples").glob("*.*")))
    out = _child(child)
    out["documents"] = documents
    return out


def measure_pdf() -> dict[str, Any]:
    """Pages per second of the PDF reader over the bundled corpus (``bench/pdf_pages.py``)."""
    note("  parsing: bench/pdf_pages.py …")
    child, text = run_child([sys.executable, str(BENCH / "pdf_pages.py")], capture=True)
    out = _child(child)
    match = re.search(r"^all (\d+) files\s+(\d+)\s+([\d.]+)\s+([\d.]+)", text, re.M)
    if match:
        out["result"] = {"files": int(match[1]), "pages": int(match[2]),
                         "reader_pages_per_s": float(match[3]),
                         "pypdfium2_pages_per_s": float(match[4])}
    elif not out.get("error"):
        out["error"] = "no summary line in its output"
    return out


def machine() -> dict[str, Any]:
    """What the figures were measured on (and how busy it was)."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for package in ("ladybug", "pyoxigraph"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": mem_gb,
            "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "versions": versions,
            "load_average_start": list(os.getloadavg())}


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------


def _f(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(run: dict[str, Any]) -> str:
    """The human-readable table of one run (one or more sizes)."""
    m = run["machine"]
    parts = [f"fiscal-kg benchmarks — {m['cpus']} cores {m['cpu']}, {m['memory_gb']} GB RAM, "
             f"{m['system']}, Python {m['python']}, "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
             + f"; load average at start {m['load_average_start'][0]:.1f}"]
    for size, res in run["sizes"].items():
        g = res["generated"]
        parts.append(f"\n== size {size}: {g['documents']:,} documents, {g['nodes']:,} nodes, "
                     f"{g['edges']:,} edges (records = nodes + edges; triples for RDF); "
                     f"tail = last {res['tail_documents']} documents ==")
        rows = []
        rates = res["write_rates"]
        for name, (label, key, records_key, prefixes) in RATES.items():
            entry = res["writes"].get(key)
            if not entry:
                continue
            r = entry.get("result") or {}
            if entry.get("error") or not r:
                rows.append([label, "failed", (entry.get("error") or "")[:40], "", "", "", ""])
                continue
            rows.append([label, _f(r.get(records_key)),
                         _f(sum(r.get(f"{p}seconds") or 0 for p in prefixes), 1),
                         _f(rates["records_per_s"].get(name)),
                         _f(sum(r.get(f"{p}cpu_seconds") or 0 for p in prefixes), 1),
                         _f(rates["records_per_cpu_s"].get(name)), _f(entry["peak_rss_mb"])])
        parts.append(table(rows, ["writes", "records", "wall s", "records/s", "CPU s",
                                  "records/CPU s", "peak RSS MB"]))
        parts.append("writer ÷ bulk, same rows (target ≥ 0.33): " + ", ".join(
            f"{k} {v:.3f} (CPU {rates['writer_over_bulk_cpu'].get(k, 0):.3f})"
            for k, v in rates["writer_over_bulk"].items()))
        parts.append("same counts after both paths: " + ", ".join(
            f"{k} {v}" for k, v in rates["checks"].items()))
        rows = []
        for engine, entry in res["queries"].items():
            if entry.get("error"):
                rows.append([f"{engine}: failed: {entry['error'][:60]}", "", "", "", "", ""])
                continue
            for name, q in (entry.get("result") or {}).items():
                rows.append([name, engine, _f(q["first_ms"], 1), _f(q["p50_ms"], 1),
                             _f(q["p95_ms"], 1), str(q["runs"]), _f(q["mean_rows"], 1)])
        if rows:
            parts.append(table(rows, ["query", "engine", "first ms", "p50 ms", "p95 ms",
                                      "runs", "rows"]))
        for what, why in res["skipped"].items():
            parts.append(f"skipped {what}: {why}")
    if "samples" in run:
        s = run["samples"]
        parts.append(f"\nfiscal-kg load samples ({s['documents']} documents): "
                     f"{s['wall_s']:.1f} s, peak RSS {s['peak_rss_mb']:.0f} MB, exit "
                     f"{s['exit_code']}")
    if "parsing" in run:
        p = run["parsing"]
        if p.get("result"):
            r = p["result"]
            parts.append(f"PDF parsing ({r['files']} files, {r['pages']} pages): reader "
                         f"{r['reader_pages_per_s']:.1f} pages/s, pypdfium2 text "
                         f"{r['pypdfium2_pages_per_s']:.1f} pages/s")
        else:
            parts.append(f"PDF parsing: {p.get('error') or p.get('skipped')}")
    if "growth" in run:
        rows = [[k, _f(v.get("from"), 1), _f(v.get("to"), 1), f"{v['ratio']:.2f}×"]
                for k, v in run["growth"]["figures"].items()]
        a, b = run["growth"]["from"], run["growth"]["to"]
        parts.append(f"\n== {a} → {b} (data ×{run['growth']['data_ratio']:.1f}) ==")
        parts.append(table(rows, ["figure", a, b, f"{b} ÷ {a}"]))
    if "targets" in run:
        parts.append("\n== targets ==")
        for t in run["targets"]:
            verdict = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
            parts.append(f"{verdict:>12}  {t['target']}: {t['value']}")
    return "\n".join(parts)


def growth(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """How each figure changes from one size to the next (b ÷ a)."""
    figures: dict[str, dict[str, Any]] = {}

    def add(name: str, x: Any, y: Any) -> None:
        if x and y:
            figures[name] = {"from": x, "to": y, "ratio": y / x}

    for key, value in a["write_rates"]["records_per_s"].items():
        add(f"{key} records/s", value, b["write_rates"]["records_per_s"].get(key))
    for key, value in a["write_rates"]["records_per_cpu_s"].items():
        add(f"{key} records/CPU s", value, b["write_rates"]["records_per_cpu_s"].get(key))
    for key, entry in a["writes"].items():
        if key in b["writes"]:
            add(f"{key} peak RSS MB", entry["peak_rss_mb"], b["writes"][key]["peak_rss_mb"])
    for engine, entry in a["queries"].items():
        other = b["queries"].get(engine, {}).get("result") or {}
        for name, q in (entry.get("result") or {}).items():
            if name in other:
                add(f"{name} {engine} p50 ms", q["p50_ms"], other[name]["p50_ms"])
    return {"from": a["size"], "to": b["size"],
            "data_ratio": b["generated"]["nodes"] / a["generated"]["nodes"], "figures": figures}


def targets(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's targets, each with the measured value and whether it is met."""
    out: list[dict[str, Any]] = []
    for size, res in sizes.items():
        ratios = res["write_rates"]["writer_over_bulk"]
        cpu = res["write_rates"]["writer_over_bulk_cpu"]
        for key, what in (("ladybug_full", "Ladybug writer ≥ 1/3 of raw COPY, whole size"),
                          ("ladybug_tail", "Ladybug writer ≥ 1/3 of raw COPY, tail"),
                          ("oxigraph_tail", "Oxigraph writer ≥ 1/3 of bulk_load, tail")):
            if key in ratios:
                out.append({"target": f"{size}: {what}",
                            "value": f"{ratios[key]:.3f} (per CPU second {cpu.get(key, 0):.3f})",
                            "met": ratios[key] >= 1 / 3})
    big = sizes.get("M")
    cy = ((big or {}).get("queries", {}).get("cypher") or {}).get("result") or {}
    for name in ("trace", "compare_subject"):
        value = cy.get(name, {}).get("p50_ms")
        out.append({"target": f"M: {name} p50 < 50 ms on the embedded store",
                    "value": "—" if value is None else f"{value:.1f} ms",
                    "met": None if value is None else value < 50})
    for size, res in sizes.items():
        cy = (res["queries"].get("cypher") or {}).get("result") or {}
        sp = (res["queries"].get("sparql") or {}).get("result") or {}
        for name in QUERIES:
            if name in cy and name in sp:
                ratio = sp[name]["p50_ms"] / cy[name]["p50_ms"]
                out.append({"target": f"{size}: {name} SPARQL p50 within 5× of Cypher",
                            "value": f"{ratio:.2f}×", "met": ratio <= 5})
    if "S" in sizes and "M" in sizes:
        for key in ("ladybug_writer_tail", "ladybug_copy"):
            a = sizes["S"]["writes"].get(key, {}).get("peak_rss_mb")
            b = sizes["M"]["writes"].get(key, {}).get("peak_rss_mb")
            if a and b:
                out.append({"target": f"peak memory of {key} S→M far less than 10× (data ×10)",
                            "value": f"{a:.0f} → {b:.0f} MB ({b / a:.2f}×)",
                            "met": b / a < 3})
    return out


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", action="append", help="tiny, S, M or L (repeat, or S,M)")
    p.add_argument("--out", type=Path, help="JSON file (default bench/results/<sizes>.json)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tail", type=int, default=DEFAULT_TAIL,
                   help=f"documents in the tail measurement (default {DEFAULT_TAIL})")
    p.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed calls per query")
    p.add_argument("--query-budget", type=float, default=DEFAULT_QUERY_BUDGET,
                   help="seconds of timed calls per query and engine, at most "
                        f"(default {DEFAULT_QUERY_BUDGET:.0f})")
    p.add_argument("--full-writer", action=argparse.BooleanOptionalAction, default=None,
                   help="whole-size writer load (default: on for tiny and S)")
    p.add_argument("--rdf", action=argparse.BooleanOptionalAction, default=None,
                   help="RDF store writes and SPARQL (default: on for tiny and S)")
    p.add_argument("--samples", action=argparse.BooleanOptionalAction, default=True,
                   help="time fiscal-kg load samples")
    p.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=True,
                   help="PDF pages/s (bench/pdf_pages.py, when present)")
    p.add_argument("--workdir", type=Path, help="where to stage and load (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    # Internal: one measurement in a child process.
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--mode", help=argparse.SUPPRESS)
    p.add_argument("--engine", help=argparse.SUPPRESS)
    p.add_argument("--with-rdf", type=int, default=0, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def sizes_of(args: argparse.Namespace) -> list[str]:
    sizes = [s.strip() for item in (args.size or ["tiny"]) for s in item.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in gen.SCALES]
    if unknown:
        raise SystemExit(f"unknown size(s) {', '.join(unknown)} (sizes: {', '.join(gen.SCALES)})")
    order = list(gen.SCALES)
    return sorted(dict.fromkeys(sizes), key=order.index)


def run_worker(args: argparse.Namespace) -> int:
    size = sizes_of(args)[0]
    work = Work(args.work)
    name = args.worker
    if name == "stage":
        result = worker_stage(size, args.seed, work, args.tail, bool(args.with_rdf))
    elif name == "copy":
        result = worker_copy(work)
    elif name == "writer":
        result = worker_writer(size, args.seed, work, args.mode, args.tail)
    elif name == "rdf-bulk":
        result = worker_rdf_bulk(work)
    elif name == "rdf-writer":
        result = worker_rdf_writer(size, args.seed, work, args.tail)
    elif name == "queries":
        result = worker_queries(size, args.seed, work, args.engine, args.runs,
                                args.query_budget)
    else:
        raise SystemExit(f"unknown worker {name!r}")
    args.result.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    sizes = sizes_of(args)
    out_path = args.out or RESULTS / f"{'-'.join(sizes)}.json"
    root = args.workdir or Path(tempfile.mkdtemp(prefix="fiscal-kg-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    run: dict[str, Any] = {"command": "bench/run " + " ".join(argv if argv is not None
                                                              else sys.argv[1:]),
                           "machine": machine(), "sizes": {}}
    started = time.perf_counter()
    try:
        for size in sizes:
            note(f"size {size}:")
            run["sizes"][size] = measure_size(size, args.seed, args, root)
        if args.samples:
            run["samples"] = measure_samples(root)
        if args.pdf:
            if _module_exists("bench/pdf_pages.py"):
                run["parsing"] = measure_pdf()
            else:
                run["parsing"] = {"skipped": "bench/pdf_pages.py does not exist"}
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if len(sizes) > 1:
        run["growth"] = growth(run["sizes"][sizes[0]], run["sizes"][sizes[-1]])
    run["targets"] = targets(run["sizes"])
    run["machine"]["load_average_end"] = list(os.getloadavg())
    run["seconds"] = time.perf_counter() - started
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(run, ensure_ascii=False, indent=1, default=str) + "\n",
                        encoding="utf-8")
    print(report(run))
    print(f"\nJSON: {out_path}  ({run['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
