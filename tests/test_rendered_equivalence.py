"""A disclosure loads to the same figures whatever format it is published in.

Each seed text export is rendered as PDF, DOCX and XLSX by ``tests/fixtures/render_seeds.py``
(from its own parsed blocks: titles, captions, cells, notes, narrative) into a temporary
folder, then loaded like any document.  Against the load of the text export:

* the amounts are the same multiset of (measure, category, fund, functional subject,
  economic subject, the unit or department they are of, project, item, 元) — ids differ,
  since they are keyed by the file's hash;
* the same projects (name, code, who runs them, subject), units and indicators (owner,
  name, levels, operator, target) are found;
* the document is the same department, year and kind, and the load reports the same
  identity-check findings and as many problems of each severity.

What the formats cannot carry does not enter these figures: Word and Excel have no pages
(DOCX and XLSX tables have no page numbers), a workbook keeps its text on a sheet of its
own, before the tables, and the PDF and DOCX readers decide headings by layout and
style.  The render is byte-identical from run to run (``rl_config.invariant``).
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from loaders import checks
from loaders.pipeline import load_document
from ontology.records import DocumentRecords

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEEDS = (
    "510781_jiangyou_gov-office_2024_budget",
    "652824_ruoqiang_gov-office_2024_budget",
    "130630_laiyuan_gov-office_2024_budget",
    "500152_tongnan_gov-office_2024_final",
    "510781_jiangyou_gov-office_2020_final",
)
FORMATS = ("pdf", "docx", "xlsx")


def _renderer():
    spec = importlib.util.spec_from_file_location(
        "render_seeds", ROOT / "tests" / "fixtures" / "render_seeds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    render = _renderer().render
    out = tmp_path_factory.mktemp("rendered")
    files: dict[tuple[str, str], Path] = {}
    for seed in SEEDS:
        for fmt, path in render(SAMPLES / f"{seed}.txt", out, FORMATS).items():
            files[(seed, fmt)] = path
    return files


@cache
def text_load(seed: str) -> DocumentRecords:
    return load_document(SAMPLES / f"{seed}.txt")


def amounts(r: DocumentRecords) -> Counter[tuple[object, ...]]:
    owners = {u.id: u.name for u in r.units} | {d.id: d.name for d in r.departments}
    projects = {p.id: p.name for p in r.projects}
    return Counter(
        (a.measure, a.category, a.fund, a.functional_ref, a.economic_ref,
         owners.get(a.of_ref or "", a.of_ref), projects.get(a.project_ref or ""), a.item,
         a.yuan)
        for a in r.amounts)


def projects(r: DocumentRecords) -> set[tuple[object, ...]]:
    owners = {u.id: u.name for u in r.units} | {d.id: d.name for d in r.departments}
    return {(p.name, p.code, owners.get(p.run_by_ref or ""), p.subject_ref, p.fiscal_year)
            for p in r.projects}


def indicators(r: DocumentRecords) -> Counter[tuple[object, ...]]:
    owners = ({u.id: u.name for u in r.units} | {d.id: d.name for d in r.departments}
              | {p.id: p.name for p in r.projects})
    return Counter((owners.get(i.owner_ref or ""), i.name, i.level1, i.level2, i.operator,
                    i.target_value, i.unit) for i in r.indicators)


def findings(r: DocumentRecords) -> Counter[tuple[str, str]]:
    return Counter((f.identity, f.severity) for f in checks.check_records(r))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_rendered_document_loads_to_the_same_figures(
        rendered: dict[tuple[str, str], Path], seed: str, fmt: str) -> None:
    text = text_load(seed)
    got = load_document(rendered[(seed, fmt)])
    assert (got.document.title, got.document.fiscal_year, got.document.kind) == (
        text.document.title, text.document.fiscal_year, text.document.kind)
    assert [d.name for d in got.departments] == [d.name for d in text.departments]
    assert got.document.sha256 != text.document.sha256
    missing, extra = amounts(text) - amounts(got), amounts(got) - amounts(text)
    assert (list(missing.elements())[:5], list(extra.elements())[:5]) == ([], [])
    assert len(got.amounts) == len(text.amounts)
    assert projects(got) == projects(text)
    assert sorted(u.name for u in got.units) == sorted(u.name for u in text.units)
    assert len(got.indicators) == len(text.indicators)
    assert indicators(got) == indicators(text)
    assert [t.kind for t in got.tables] == [t.kind for t in text.tables]
    assert findings(got) == findings(text)
    assert Counter(p.severity for p in got.problems) == Counter(
        p.severity for p in text.problems)


def test_the_seeds_carry_what_is_compared() -> None:
    """The comparison is not vacuous: the seeds hold projects, indicators, narrative."""
    jiangyou = text_load(SEEDS[0])
    assert (len(jiangyou.amounts), len(jiangyou.projects), len(jiangyou.indicators)) == (
        317, 7, 87)
    ruoqiang = text_load(SEEDS[1])
    stated = [a for a in ruoqiang.amounts if a.table_kind == "narrative_project"]
    assert sorted(a.yuan for a in stated) == [150000, 400000, 500000, 1440800]


def test_pdf_tables_keep_their_pages(rendered: dict[tuple[str, str], Path]) -> None:
    got = load_document(rendered[(SEEDS[1], "pdf")])
    pages = [t.page for t in got.tables]
    assert all(isinstance(p, int) and p >= 1 for p in pages)
    assert pages == sorted(pages)
    assert all(t.page is None for t in load_document(rendered[(SEEDS[1], "docx")]).tables)


def test_render_is_byte_identical(tmp_path: Path) -> None:
    render = _renderer().render
    seed = SAMPLES / f"{SEEDS[4]}.txt"
    first = render(seed, tmp_path / "a", ["pdf"])["pdf"].read_bytes()
    second = render(seed, tmp_path / "b", ["pdf"])["pdf"].read_bytes()
    assert first == second
