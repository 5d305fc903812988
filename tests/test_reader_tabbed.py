"""The TAB-separated PDF text reader, on 江油市 and 若羌县 2024 budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.blocks import Paragraph, Table
from loaders.readers import TEXT_SHAPES, _import_all, read
from loaders.readers.tabbed_text import read_tabbed, sniff

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU = SAMPLES / "510781_jiangyou_gov-office_2024_budget.txt"
RUOQIANG = SAMPLES / "652824_ruoqiang_gov-office_2024_budget.txt"
OTHERS = [
    SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt",
    SAMPLES / "500152_tongnan_gov-office_2024_final.txt",
    SAMPLES / "510781_jiangyou_gov-office_2020_final.txt",
]

# Every table of 江油 2024, in reading order: (title, 1-based line of the title).
JIANGYOU_TABLES = [
    ("二、部门预算单位构成", 76),
    ("部门收支总表", 89),
    ("部门收入总表", 136),
    ("部门支出总表", 149),
    ("财政拨款收支预算总表", 176),
    ("一般公共预算支出预算表", 217),
    ("一般公共预算基本支出预算表", 237),
    ("一般公共预算项目支出预算表", 348),
    ("一般公共预算“三公”经费支出预算表", 374),
    ("政府性基金支出预算表", 388),
    ("政府性基金预算“三公”经费支出预算表", 401),
    ("国有资本经营预算支出预算表", 414),
    ("部门预算项目绩效目标表（2024年度）", 427),
    ("部门整体支出绩效目标表", 526),
]

RUOQIANG_TABLES = [
    ("部门收支总体情况表", 91),
    ("部门支出总体情况表", 133),
    ("财政拨款收支预算总体情况表", 166),
    ("一般公共预算支出情况表", 208),
    ("一般公共预算基本支出情况表", 241),
    ("国有资本经营预算支出情况表", 280),
    ("财政拨款“三公”经费支出情况表", 295),
    ("部门整体绩效目标表", 510),
    ("项目支出绩效目标表", 528),
]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _table(blocks: list, title: str) -> Table:
    return next(b for b in blocks if isinstance(b, Table) and b.title == title)


@pytest.fixture(scope="module")
def jiangyou() -> list:
    return read(JIANGYOU).blocks


@pytest.fixture(scope="module")
def ruoqiang() -> list:
    return read(RUOQIANG).blocks


# --- sniffing -------------------------------------------------------------------------

@pytest.mark.parametrize("path", [JIANGYOU, RUOQIANG])
def test_sniff_claims_tab_separated_exports(path: Path) -> None:
    _import_all()
    text = _text(path)
    assert sniff(text) >= 0.9
    best = max(TEXT_SHAPES, key=lambda s: s.sniff(text))
    assert best.name == "tabbed"


@pytest.mark.parametrize("path", OTHERS)
def test_sniff_leaves_other_shapes_alone(path: Path) -> None:
    text = _text(path)
    assert sniff(text) <= 0.3  # 潼南 has TAB rows too, but its # headings make it Markdown
    assert sniff(_text(JIANGYOU)) - sniff(text) >= 0.6


# --- tables ---------------------------------------------------------------------------

def test_every_jiangyou_table_with_its_title_and_line(jiangyou: list) -> None:
    tables = [(b.title, b.line) for b in jiangyou if isinstance(b, Table)]
    assert tables == JIANGYOU_TABLES


def test_every_ruoqiang_table_with_its_title_and_line(ruoqiang: list) -> None:
    tables = [(b.title, b.line) for b in ruoqiang if isinstance(b, Table)]
    assert tables == RUOQIANG_TABLES


def test_caption_lines_and_table_number(jiangyou: list, ruoqiang: list) -> None:
    assert _table(jiangyou, "部门收支总表").caption == [
        "部门：江油市人民政府办公室", "金额单位：万元"]
    assert _table(ruoqiang, "部门收支总体情况表").caption == [
        "表1", "编制部门：若羌县人民政府办公室", "单位：万元"]
    assert _table(ruoqiang, "财政拨款“三公”经费支出情况表").caption[0] == "表10"
    assert _table(jiangyou, "部门整体支出绩效目标表").caption == ["(2024年度)", "单位：万元"]


def test_pages_merge_and_repeated_headers_are_dropped(jiangyou: list) -> None:
    summary = _table(jiangyou, "部门收支总表")
    # 2 header rows + 21 + 4 rows on page one … 收入总计: 37 rows, the header once.
    assert len(summary.rows) == 37
    assert summary.rows[:2] == [["收 入", "", "支 出", ""], ["项 目", "预算数", "项 目", "预算数"]]
    assert sum(1 for r in summary.rows if r[0] == "收 入") == 1
    assert ["", "", "二十二、国有资本经营预算支出", ""] in summary.rows
    assert summary.rows[-1] == ["收入总计", "2,058.80", "支出总计", "2,058.80"]

    basic = _table(jiangyou, "一般公共预算基本支出预算表")
    assert sum(1 for r in basic.rows if r[:2] == ["类", "款"]) == 1
    assert sum(1 for r in basic.rows if r[0] == "项 目") == 1
    assert ["303", "09", "301604", "独生子女父母奖励", "0.02", "0.02", ""] in basic.rows

    fiscal = _table(jiangyou, "财政拨款收支预算总表")
    assert fiscal.rows[-1] == ["", "", "抗疫特别国债安排的支出", "", "", "", ""]


def test_performance_table_spans_pages_and_keeps_rows_as_printed(jiangyou: list) -> None:
    perf = _table(jiangyou, "部门预算项目绩效目标表（2024年度）")
    header = ["单位名称", "项目名称", "预算数", "年度目标", "一级指标", "二级指标", "三级指标",
              "指标性质", "指标值", "度量单位", "权重", "指标方向性"]
    assert perf.rows[0] == header
    assert perf.rows.count(header) == 1
    # A row whose leading empty cells the export lost stays as printed.
    assert ["成本指标", "经济成本指标", "党员主题教育活动", "=", "10000", "元", "7",
            "", "", "", "", ""] in perf.rows
    assert any(r[1] == "党建项目经费" and r[2] == "0.50" for r in perf.rows)


def test_notes_after_empty_tables(jiangyou: list, ruoqiang: list) -> None:
    assert _table(jiangyou, "政府性基金支出预算表").notes == ["空表说明：无此项内容"]
    assert _table(jiangyou, "国有资本经营预算支出预算表").notes == ["空表说明：无此项内容"]
    assert _table(ruoqiang, "国有资本经营预算支出情况表").notes == [
        "备注：若羌县人民政府办公室2024年未安排国有资本经营预算拨款，国有资本经营预算支出情况表为空表。"]
    assert _table(jiangyou, "部门收支总表").notes == []


def test_contact_person_and_phone_are_not_read(ruoqiang: list) -> None:
    texts = [c for b in ruoqiang if isinstance(b, Table) for r in b.rows for c in r]
    texts += [b.text for b in ruoqiang if isinstance(b, Paragraph)]
    assert not any("13667508777" in t or "谢东升" in t for t in texts)
    dept = _table(ruoqiang, "部门整体绩效目标表")
    assert dept.rows[1] == ["部门联系人", "", "", "联系电话：", "", ""]


# --- paragraphs -----------------------------------------------------------------------

def test_paragraphs_keep_headings_and_join_wrapped_lines(jiangyou: list) -> None:
    paragraphs = [b for b in jiangyou if isinstance(b, Paragraph)]
    by_text = {p.text: p for p in paragraphs}
    assert by_text["五、“三公”经费财政拨款预算安排情况说明"].heading
    assert by_text["五、“三公”经费财政拨款预算安排情况说明"].line == 612
    assert by_text["第四部分 名词解释"].heading
    # 628 "…用于1辆公务" continues on line 630 after a blank line.
    wrapped = next(p for p in paragraphs if p.line == 628)
    assert wrapped.text.startswith("2024年安排公务用车运行维护费6.00万元，用于1辆公务用车燃油")
    assert not wrapped.heading
    # Body text with a 。 is never a heading; table titles are not paragraphs.
    assert not by_text["2024年公务接待费计划用于执行公务、开展业务活动、接待外县、市、区党政代表团"
                       "以及招商引资等公务活动开支的交通费、住宿费、用餐费等。"].heading
    assert "部门收支总表" not in by_text


def test_key_value_lines_are_not_joined(ruoqiang: list) -> None:
    paragraphs = {b.line: b.text for b in ruoqiang if isinstance(b, Paragraph)}
    assert paragraphs[415] == "预算安排规模：144.08万元"
    assert paragraphs[411] == "1、项目名称: 政府办业务经费"


# --- small synthetic texts --------------------------------------------------------------

def test_untitled_continuation_and_notes_on_a_small_text() -> None:
    text = "\n".join([
        "收支总表", "", "部门：某部门", "", "单位：万元", "",
        "收入\t\t支出\t", "项目\t预算数\t项目\t预算数",
        "一、一般公共预算拨款收入\t10.00\t一、一般公共服务支出\t10.00",
        "",
        "收入\t\t支出\t", "项目\t预算数\t项目\t预算数",
        "\t\t二、外交支出\t",
        "",
        "空表说明：无此项内容",
        "",
        "说明文字在此。",
    ])
    blocks = read_tabbed(text)
    table, paragraph = blocks
    assert isinstance(table, Table) and isinstance(paragraph, Paragraph)
    assert table.title == "收支总表" and table.line == 1
    assert table.caption == ["部门：某部门", "单位：万元"]
    assert table.rows == [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"],
                          ["一、一般公共预算拨款收入", "10.00", "一、一般公共服务支出", "10.00"],
                          ["", "", "二、外交支出", ""]]
    assert table.notes == ["空表说明：无此项内容"]
    assert paragraph.text == "说明文字在此。" and paragraph.line == 17


def test_a_new_title_starts_a_new_table() -> None:
    text = "表一\n\na\t1.00\n\n表二\n\nb\t2.00\n"
    tables = [b for b in read_tabbed(text) if isinstance(b, Table)]
    assert [(t.title, t.rows) for t in tables] == [("表一", [["a", "1.00"]]),
                                                   ("表二", [["b", "2.00"]])]
