"""Files that are not loadable disclosures, given to the real command line.

Each must produce one clear message naming the file and saying why — no traceback — and
the files after it must still load: a damaged PDF (cut short, or garbage after the
``%PDF`` header), an empty file, a scanned PDF (pages of images, no text layer) and a PDF
that is not a budget at all (a holiday notice).  The exit code is 1 because some files
failed; the good one is in the store.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "samples" / "652824_ruoqiang_gov-office_2024_budget.txt"
A_PDF = ROOT / "tests" / "fixtures" / "corpus" / (
    "js-prov_npc-standing-committee_2019_budget_tables.pdf")
EXE = Path(sys.executable).with_name("fiscal-kg")

# file name → words its message must hold
EXPECTED = {
    "cut_short.pdf": "not a readable PDF, the file is damaged or truncated",
    "garbage.pdf": "not a readable PDF, the file is damaged or truncated",
    "empty.pdf": "the file is empty",
    "scanned.pdf": "no text layer: 2 pages of images — OCR is not supported",
    "notice.pdf": "not a budget or final-account disclosure",
}


def _png(size: int) -> bytes:
    """A grey checkerboard PNG, written by hand so no imaging library is needed."""
    raw = b"".join(b"\x00" + bytes(200 if (x // 8 + y // 8) % 2 else 40 for x in range(size))
                   for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _scanned_pdf(path: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    c = canvas.Canvas(str(path))
    for _ in range(2):  # two scanned pages
        c.drawImage(ImageReader(io.BytesIO(_png(64))), 72, 300, 400, 400)
        c.showPage()
    c.save()


def _notice_pdf(path: Path) -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 14)
    c.drawString(72, 760, "关于2024年春节放假安排的通知")
    c.drawString(72, 730, "各科室：根据国务院办公厅通知精神，现将放假安排通知如下。")
    c.showPage()
    c.save()


@pytest.fixture()
def bad_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cut_short.pdf").write_bytes(A_PDF.read_bytes()[:4000])
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "empty.pdf").write_bytes(b"")
    _scanned_pdf(folder / "scanned.pdf")
    _notice_pdf(folder / "notice.pdf")
    return [folder / name for name in EXPECTED]


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not EXE.exists():
        pytest.skip("fiscal-kg is not installed in this environment")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([str(EXE), "--data", str(tmp_path / "data"), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_each_bad_file_gets_one_message_and_the_good_file_loads(
        tmp_path: Path, bad_files: list[Path]) -> None:
    # the good file comes after the bad ones: loading goes on
    result = _cli(tmp_path, "load", *map(str, bad_files), str(GOOD), "--json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    reports = json.loads(result.stdout)  # --json: the JSON document and nothing else
    by_name = {Path(r["path"]).name: r for r in reports}
    assert list(by_name) == [*EXPECTED, GOOD.name]
    for name, words in EXPECTED.items():
        report = by_name[name]
        assert report["status"] == "failed", name
        assert report["error"].startswith(f"{name}: "), report["error"]
        assert words in report["error"], report["error"]
        assert "Error" not in report["error"]  # a reason, not an exception's class name
        assert report["amounts"] == 0 and report["document_id"] is None
    good = by_name[GOOD.name]
    assert good["status"] == "loaded" and good["amounts"] == 175
    # …and it is in the store: 若羌县 2024 一般公共服务支出 683.70 万元
    query = ("MATCH (a:Amount)-[:CLASSIFIED_AS]->(:FunctionalSubject {code: '201'}) "
             "WHERE a.category = 'total' RETURN DISTINCT a.yuan AS yuan")
    rows = _cli(tmp_path, "cypher", query, "--json")
    assert rows.returncode == 0, rows.stderr
    assert {r["yuan"] for r in json.loads(rows.stdout)} == {6_837_000}


def test_the_human_report_names_each_file_once(tmp_path: Path, bad_files: list[Path]) -> None:
    result = _cli(tmp_path, "load", *map(str, bad_files), str(GOOD))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    for name, words in EXPECTED.items():
        said = [ln for ln in lines if ln.startswith(f"✗ {name}")]
        assert said == [f"✗ {name}: {said[0].split(': ', 1)[1]}"], said
        assert words in said[0] and said[0].count(name) == 1, said
    assert any(ln.startswith(f"✓ {GOOD.name}") for ln in lines)
    assert lines[-1].startswith("1 document(s) loaded: 175 amounts")
    assert lines[-1].endswith("5 failed: " + ", ".join(EXPECTED))
