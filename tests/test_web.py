"""The web explorer in a real browser: headless Chromium against a real server.

The five seed documents are loaded into a temporary data directory and ``fiscal-kg serve``
runs on 127.0.0.1 over them; Playwright drives Debian's Chromium (``/usr/bin/chromium`` —
never a browser Playwright downloads).  Every test fails on a console error, an uncaught
exception, a failed request, an HTTP error or any request that leaves 127.0.0.1, because
the explorer must work offline and quietly.

Screenshots are written to ``tests/artifacts/`` (not versioned); with
``FISCAL_KG_SCREENSHOTS=1`` they are also copied to ``docs/screenshots/`` for the docs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOC_SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install chromium fonts-wqy-zenhei)")

RUOQIANG_DEPARTMENT = "department/652824-若羌县人民政府办公室"
JIANGYOU_201_PROJECTS = {
    "党建工作专项经费", "党建项目经费", "公共资源交易中心运行经费", "外事工作专项经费",
    "政务服务信息化运维经费", "政务服务后勤保障经费", "政府办综合事务专项经费",
}
# 2010301 行政运行: the department's figure in each region, year and measure, as printed.
COMPARE_2010301 = {
    ("130630", "2024", "budget"): "1,104.54 万元",  # 涞源县
    ("500152", "2024", "actual"): "717.12 万元",  # 潼南区
    ("510781", "2020", "actual"): "881.48 万元",  # 江油市, from the narrative
    ("510781", "2024", "budget"): "957.18 万元",  # 江油市
    ("652824", "2024", "budget"): "265.54 万元",  # 若羌县
}


# ------------------------------------------------------------------------------------------
# The server: seeds loaded into a temporary data directory, `fiscal-kg serve` on 127.0.0.1
# ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "fiscal_kg", "--data", str(data), *args]


def wait_until_up(url: str, server: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped with exit code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within {timeout_s} s")


def ruoqiang_201_amount(data: Path) -> str:
    """Key of the cell 若羌县 2024 一般公共服务支出 683.70 万元 (部门支出总表, 合计 column)."""
    from store.ladybug import open_store

    with open_store(data / "graph.lbug", read_only=True) as store:
        rows = store.query(
            "MATCH (a:Amount)-[:CLASSIFIED_AS]->(:FunctionalSubject {code: '201'}) "
            "MATCH (a)-[:OF]->(:Department {id: $dep}) "
            "WHERE a.table_kind = 'expenditure' AND a.category = 'total' AND a.item IS NULL "
            "RETURN a.id AS id", {"dep": RUOQIANG_DEPARTMENT.split("/", 1)[1]})
    assert len(rows) == 1, rows
    return rows[0]["id"]


@dataclass(frozen=True)
class Server:
    base: str
    amount_key: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("web-data")
    env = {k: v for k, v in os.environ.items() if k not in ("FISCAL_KG_BASE", "FISCAL_KG_DATA")}
    subprocess.run(cli(data, "load", str(SAMPLES)), check=True, cwd=ROOT, env=env,
                   capture_output=True, timeout=300)
    amount_key = ruoqiang_201_amount(data)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(cli(data, "serve", "--host", "127.0.0.1", "--port", str(port)),
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"{base}/", proc)
        yield Server(base=base, amount_key=amount_key)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# ------------------------------------------------------------------------------------------
# The browser
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS,
                                     headless=True)
        yield chromium
        chromium.close()


@dataclass
class Explorer:
    """One page of the explorer, with every problem the page ran into."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.base}/{route}")
        self.page.wait_for_function("window.graphIdle !== undefined")

    def go(self, route: str) -> None:
        """Follow an in-page link (as a user clicking one would): the hash changes."""
        self.page.evaluate("route => { window.location.hash = route; }", route)

    def wait_panel(self, title: str) -> None:
        self.page.wait_for_function(
            "title => window.graphIdle === true"
            " && document.getElementById('panel-title')?.textContent === title", arg=title)

    def node_ids(self, kind: str) -> set[str]:
        return set(self.page.evaluate(
            "kind => window.cy.nodes(`[kind = \"${kind}\"]`).map(n => n.id())", kind))

    def click_node(self, node_id: str, graph: str = "cy") -> None:
        """A real mouse click where Cytoscape drew the node (``graph``: window.cy or .traceCy)."""
        at = self.page.evaluate(
            """([graph, id]) => {
                const cy = window[graph];
                const node = cy.getElementById(id);
                if (node.empty()) return null;
                const p = node.renderedPosition();
                const box = cy.container().getBoundingClientRect();
                return {x: box.left + p.x, y: box.top + p.y};
            }""", [graph, node_id])
        assert at is not None, f"{node_id} is not in the graph"
        self.page.mouse.click(at["x"], at["y"])

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        if os.environ.get("FISCAL_KG_SCREENSHOTS") == "1":
            DOC_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOC_SHOTS / f"{name}.png")

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def explorer(server: Server, browser: Any) -> Iterator[Explorer]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    ex = Explorer(page=page, base=server.base)

    def only_local(route: Any) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https") and url.hostname != "127.0.0.1":
            ex.problems.append(f"request outside 127.0.0.1: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    context.route("**/*", only_local)
    page.on("console", lambda m: ex.problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: ex.problems.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: ex.problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: ex.problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    try:
        yield ex
    finally:
        context.close()


# ------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------


def test_search_opens_a_region_and_a_click_expands_its_department(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open()
    assert page.evaluate("document.fonts.check('14px \"WenQuanYi Zen Hei\"')"), \
        "the CJK font is missing (fonts-wqy-zenhei)"
    page.fill("#search-input", "若羌")
    option = page.locator('#search-results [role="option"][data-kind="region"]')
    option.first.wait_for()
    assert option.first.locator(".result-label").text_content() == "若羌县"
    option.first.click()
    explorer.wait_panel("若羌县")
    assert page.evaluate("window.location.hash") == "#/entity/region/652824"
    assert "region/652824" in explorer.node_ids("region")
    assert RUOQIANG_DEPARTMENT in explorer.node_ids("department")
    assert page.locator("#panel a.iri").get_attribute("href").endswith("/id/region/652824")

    explorer.click_node(RUOQIANG_DEPARTMENT)
    explorer.wait_panel("若羌县人民政府办公室")
    assert page.evaluate("decodeURIComponent(window.location.hash)") == \
        "#/entity/" + RUOQIANG_DEPARTMENT
    # the department's neighbours joined the graph: its projects, its 2024 budget document
    projects = {i.split("/", 1)[1] for i in explorer.node_ids("project")}
    assert "652824-若羌县人民政府办公室-2024-政府办业务经费" in projects
    assert page.evaluate(
        "window.cy.nodes('[kind = \"document\"]').map(n => n.data('label'))") == \
        ["若羌县人民政府办公室2024年部门预算"]
    # at most 25 neighbours per click; the rest wait behind a "+N more" node
    neighbours = page.evaluate(
        "id => window.cy.getElementById(id).neighborhood('node[kind != \"more\"]').length",
        RUOQIANG_DEPARTMENT)
    assert neighbours == 25
    more = page.evaluate(
        "id => window.cy.getElementById('more:' + id).data('label')", RUOQIANG_DEPARTMENT)
    assert more.startswith("+") and more.endswith(" more")
    left = int(more[1:-len(" more")])
    assert left > 25
    explorer.click_node("more:" + RUOQIANG_DEPARTMENT)  # the next 25
    page.wait_for_function(
        "([id, n]) => window.graphIdle === true && window.cy.getElementById(id)"
        ".neighborhood('node[kind != \"more\"]').length === n", arg=[RUOQIANG_DEPARTMENT, 50])
    assert page.evaluate(
        "id => window.cy.getElementById('more:' + id).data('label')", RUOQIANG_DEPARTMENT) == \
        f"+{left - 25} more"
    assert page.evaluate("window.cy.getElementById('department/652824-若羌县人民政府办公室')"
                         ".selected()")
    explorer.shot("explorer-graph")
    explorer.assert_clean()


def test_panel_shows_an_amount_in_wan_and_yuan_with_its_provenance(
        explorer: Explorer, server: Server) -> None:
    page = explorer.page
    explorer.open(f"#/entity/amount/{server.amount_key}")
    explorer.wait_panel("2024 budget total: 6,837,000.00 元")
    money = page.locator("#panel .money")
    assert money.locator("strong").text_content() == "683.70 万元"
    assert money.locator("span").text_content() == "6,837,000 元"
    assert page.locator('#panel tr[data-prop="yuan"] td').text_content() == \
        "683.70 万元（6,837,000 元）"
    provenance = page.locator("#panel dl.provenance")
    assert provenance.locator("dd a").text_content() == "若羌县人民政府办公室2024年部门预算"
    assert provenance.locator("dd a").get_attribute("href").startswith("#/entity/document/")
    texts = provenance.locator("dt, dd").all_text_contents()
    assert texts[texts.index("Table") + 1] == "部门支出总体情况表"
    assert texts[texts.index("Row") + 1] == "3"
    links = page.locator("#panel ul.links a").all_text_contents()
    assert "201 一般公共服务支出" in links
    assert "若羌县人民政府办公室" in links
    iri = page.locator("#panel a.iri").get_attribute("href")
    assert iri == f"{server.base}/id/amount/{server.amount_key}"
    explorer.shot("explorer-panel")
    explorer.assert_clean()


def test_trace_of_201_in_jiangyou_2024_reaches_its_seven_projects(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open("#/trace")
    page.locator('#trace-region option[value="510781"]').wait_for(state="attached")
    page.fill("#trace-subject", "201")
    page.select_option("#trace-region", "510781")
    page.fill("#trace-year", "2024")
    page.click("#trace-form button[type=submit]")
    page.wait_for_function("window.traceIdle === true"
                           " && document.querySelectorAll('.trace-project').length > 0")
    assert page.evaluate("window.location.hash") == "#/trace/201/510781/2024"

    names = page.eval_on_selector_all(".trace-project", "els => els.map(e => e.dataset.name)")
    assert sorted(names) == sorted(JIANGYOU_201_PROJECTS)
    in_tree = page.evaluate("window.traceCy.nodes('[kind = \"project\"]').map(n => n.data('name'))")
    assert sorted(in_tree) == sorted(JIANGYOU_201_PROJECTS)
    root = page.evaluate("window.traceCy.nodes('.top').data('label')")
    assert root.startswith("201 一般公共服务支出") and "江油市 2024" in root
    assert root.endswith("1,727.84 万元")
    subject = page.evaluate("window.traceCy.nodes('[kind = \"functional-subject\"]')"
                            ".map(n => n.data('label')).find(l => l.startsWith('2010301'))")
    assert subject == "2010301 行政运行\n957.18 万元"

    project = page.locator('.trace-project[data-name="政府办综合事务专项经费"]')
    assert project.locator(".project-money").text_content() == "211.00 万元（2,110,000 元）"
    party = page.locator('.trace-project[data-name="党建工作专项经费"] tbody tr')
    assert party.count() == 11
    rows = party.evaluate_all("trs => trs.map(tr => [...tr.cells].map(td => td.textContent))")
    assert ["产出指标", "数量指标", "党员主题教育活动", "4次", "—", "10"] in rows  # no actuals:
    assert all(row[4] == "—" for row in rows)  # a budget prints targets only

    # a click on a project in the tree opens it in the details panel
    node = page.evaluate("window.traceCy.nodes('[kind = \"project\"]')"
                         ".filter(n => n.data('name') === '政府办综合事务专项经费').id()")
    explorer.click_node(node, graph="traceCy")
    page.wait_for_function("document.getElementById('panel-title')?.textContent"
                           " === '政府办综合事务专项经费'")
    assert page.locator("#panel .provenance dd a").text_content() == \
        "江油市人民政府办公室2024年部门预算"
    explorer.shot("explorer-trace")
    explorer.assert_clean()


def test_comparison_of_2010301_draws_one_bar_per_region_and_year(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open("#/compare/2010301")
    page.wait_for_function("window.compareIdle === true"
                           " && document.querySelectorAll('svg.bars g.bar').length > 0")
    bars = page.eval_on_selector_all(
        "svg.bars g.bar",
        "gs => gs.map(g => [g.dataset.region, g.dataset.year, g.dataset.measure,"
        " g.querySelector('text.value').textContent, g.dataset.regionName])")
    assert {(r, y, m): v for r, y, m, v, _ in bars} == COMPARE_2010301
    assert {r: n for r, _, _, _, n in bars} == {
        "130630": "涞源县", "500152": "潼南区", "510781": "江油市", "652824": "若羌县"}
    widths = page.eval_on_selector_all(
        "svg.bars g.bar", "gs => gs.map(g => [g.dataset.region + '/' + g.dataset.year,"
                          " Number(g.querySelector('rect').getAttribute('width'))])")
    widths = dict(widths)
    assert widths["130630/2024"] > widths["510781/2024"] > widths["652824/2024"]
    cells = page.locator("table.compare tr[data-region='652824'] td").all_text_contents()
    assert "265.54 万元" in cells and "2,655,400 元" in cells
    explorer.shot("explorer-compare")
    explorer.assert_clean()


def test_keyboard_only_search_opens_an_entity(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open()
    for _ in range(5):  # skip link, brand, then the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-input":
            break
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("江油市")
    page.locator("#search-option-0").wait_for()
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#search-input", "aria-activedescendant") == "search-option-0"
    assert page.get_attribute("#search-option-0", "aria-selected") == "true"
    label = page.locator("#search-option-0 .result-label").text_content()
    assert label == "江油市"  # an exact name ranks first
    page.keyboard.press("Enter")
    explorer.wait_panel("江油市")
    assert page.evaluate("window.location.hash") == "#/entity/region/510781"
    # the labels a screen reader announces
    assert page.locator("label[for=search-input]").text_content() == "Search"
    assert page.get_attribute("#search-results", "role") == "listbox"
    explorer.assert_clean()


def test_deep_links_and_back_and_forward(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open("#/entity/region/652824")
    explorer.wait_panel("若羌县")
    explorer.go("#/compare/2010301")
    page.wait_for_function("window.compareIdle === true"
                           " && document.querySelectorAll('svg.bars g.bar').length === 5")
    assert page.is_hidden("#view-graph") and page.is_visible("#view-compare")
    explorer.go("#/trace/201/510781/2024")
    page.wait_for_function("window.traceIdle === true"
                           " && document.querySelectorAll('.trace-project').length === 7")

    page.go_back()
    page.wait_for_function("window.location.hash === '#/compare/2010301'")
    assert page.is_visible("#view-compare") and page.is_hidden("#view-trace")
    page.go_back()
    explorer.wait_panel("若羌县")
    assert page.is_visible("#view-graph") and page.is_hidden("#view-compare")
    page.go_forward()
    page.wait_for_function("window.location.hash === '#/compare/2010301'")
    assert page.is_visible("#view-compare")
    assert page.get_attribute("nav.views a[data-view=graph]", "href") == "#/entity/region/652824"
    explorer.assert_clean()
