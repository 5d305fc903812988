"""The Markdown-like text reader, on the 潼南区人民政府办公室 2024 final account."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.blocks import Paragraph, Table
from loaders.readers import TEXT_SHAPES, read
from loaders.readers.markdown_text import read_markdown, sniff

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TONGNAN = SAMPLES / "500152_tongnan_gov-office_2024_final.txt"
OTHERS = [
    "130630_laiyuan_gov-office_2024_budget.txt",
    "510781_jiangyou_gov-office_2020_final.txt",
    "510781_jiangyou_gov-office_2024_budget.txt",
    "652824_ruoqiang_gov-office_2024_budget.txt",
]

# The nine 决算 tables: (title, 1-based line of the title, table number caption).
FINAL_ACCOUNT_TABLES = [
    ("收入支出决算表", 207, "01 表"),
    ("收入决算表", 248, "02 表"),
    ("支出决算表", 279, "03表"),
    ("财政拨款收入支出决算表", 309, "04表"),
    ("一般公共预算财政拨款收入支出决算表", 352, "05表"),
    ("一般公共预算财政拨款基本支出决算明细表", 385, "06表"),
    ("政府性基金预算财政拨款收入支出决算表", 429, "07表"),
    ("国有资本经营预算财政拨款收入支出决算表", 444, "08表"),
    ("机构运行信息决算表", 457, "09表"),
]
# Lines of the 自评表 headings: one 部门整体 form, then ten 二级项目 forms.
FORM_LINES = [490, 522, 557, 597, 631, 670, 706, 746, 785, 812, 857]


@pytest.fixture(scope="module")
def tables() -> list[Table]:
    return read(TONGNAN).tables()


def test_best_text_shape_for_tongnan_is_markdown() -> None:
    text = TONGNAN.read_text(encoding="utf-8-sig")
    best = max(TEXT_SHAPES, key=lambda s: s.sniff(text))
    assert best.name == "markdown"
    assert sniff(text) >= 0.9


@pytest.mark.parametrize("name", OTHERS)
def test_sniff_rejects_the_other_samples(name: str) -> None:
    """Tabs alone (江油 2024, 若羌) or one cell per line (涞源) are not Markdown."""
    assert sniff((SAMPLES / name).read_text(encoding="utf-8-sig")) == 0.0


def test_nine_final_account_tables_with_titles_and_captions(tables: list[Table]) -> None:
    first_nine = tables[:9]
    assert [(t.title, t.line, t.caption[0]) for t in first_nine] == FINAL_ACCOUNT_TABLES
    for t in first_nine:
        assert t.caption[1:] == ["单位：元", "部门：政府办"]


def test_table_rows_are_the_tab_separated_cells(tables: list[Table]) -> None:
    income = tables[1]
    assert income.rows[0][:5] == ["科目代码", "", "", "科目名称", "本年收入合计"]
    assert ["2010302", "", "", "一般行政管理事务", "5,031,428.80", "5,031,428.80",
            "0.00", "0.00", "0.00", "0.00", "0.00"] in income.rows
    assert len(income.rows) == 22
    fiscal = tables[3]  # plain-line title
    assert fiscal.rows[-1] == ["总计", "32", "19,890,539.51", "总计", "64", "19,890,539.51",
                               "19,890,539.51", "", ""]
    assert len(tables[8].rows) == 25


def test_bold_markup_is_removed_from_cells(tables: list[Table]) -> None:
    basic = tables[5]
    assert basic.rows[2][:6] == ["301", "工资福利支出", "11,593,416.81", "302",
                                 "商品和服务支出", "2,434,543.90"]
    assert basic.rows[-1][:4] == ["人员经费合计", "", "12,424,566.81", "公用经费合计"]
    assert not any("<" in c for row in basic.rows for c in row)


def test_one_table_per_self_evaluation_form(tables: list[Table]) -> None:
    forms = tables[9:]
    assert [t.line for t in forms] == FORM_LINES
    assert forms[0].title == "2024 年度部门整体绩效自评表"
    assert {t.title for t in forms[1:]} == {"2024 年度二级项目绩效自评表"}
    assert all(t.caption == ["状态：绩效审核已审"] for t in forms)


def test_form_rows_keep_every_part_in_order(tables: list[Table]) -> None:
    meeting = tables[10]
    assert meeting.rows[0][:4] == ["项目名称：", "区政府办政府会议专项 (常年性项目)", "项目编码：",
                                   "50015224T00000423 4131"]
    markers = [r[0] for r in meeting.rows if len(r) == 1]
    assert markers == ["资金情况", "绩效目标", "绩效指标"]
    assert ["年度总金额", "560,000.00", "496,454.03", "496,454.03", "", "", ""] in meeting.rows
    assert meeting.rows[-1][:5] == [
        "统一印制会议传达学习资料、会议汇报材料、常务会议纪要、专题会议纪要等费用)",
        "万元", "≥", "30", "30"]
    assert len(meeting.rows) == 24


def test_separator_rows_and_blank_lines_inside_a_form_are_skipped(tables: list[Table]) -> None:
    research = tables[11]  # a blank line and a ---- rule around its last indicator
    assert not any(c.startswith("--") for row in research.rows for c in row)
    assert research.rows[-1][:5] == ["咨询专家购买服务及购买决策参考资料等支出", "万元", "=", "5",
                                     "5"]
    digital = tables[18]  # a blank line in the middle of its indicators
    names = [r[0] for r in digital.rows]
    assert "改造 4 个接入行业部门应用系统、推进视联网点位建设" in names
    assert names[-1] == "组织平战指挥力量联勤联动。"


def test_headings_and_paragraphs() -> None:
    blocks = read(TONGNAN).blocks
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    assert paragraphs[0] == Paragraph(text="重庆市潼南区人民政府办公室 2024 年度决算说明",
                                      line=3, heading=True)
    by_line = {p.line: p for p in paragraphs}
    assert by_line[203].text == "七、决算公开联系方式及信息反馈渠道" and by_line[203].heading
    assert by_line[87].text.startswith("1. 收入情况。2024 年度一般公共预算财政拨款收入 1989.05")
    assert not by_line[87].heading
    # Table titles are not repeated as paragraphs.
    assert 207 not in by_line and 309 not in by_line


def test_a_plain_table_title_ends_a_form() -> None:
    text = "\n".join([
        "# 2024 年度二级项目绩效自评表",
        "状态：已审",
        "项目名称：\t甲项目\t项目编码：\t123",
        "## 资金情况",
        "\t年初预算数\t全年预算数\t全年执行数",
        "年度总金额\t1.00\t2.00\t2.00",
        "",
        "项目支出决算表",
        "10表",
        "单位：万元",
        "| 项目 | 金额 |",
        "| --- | --- |",
        "| 合计 | 3.00 |",
        "注：本表金额为万元",
    ])
    blocks = read_markdown(text)
    assert all(isinstance(b, Table) for b in blocks)
    form, other = blocks
    assert isinstance(form, Table) and isinstance(other, Table)
    assert form.rows[-1] == ["年度总金额", "1.00", "2.00", "2.00"]
    assert (other.title, other.line, other.caption) == ("项目支出决算表", 8, ["10表", "单位：万元"])
    assert other.rows == [["项目", "金额"], ["合计", "3.00"]]
    assert other.notes == ["注：本表金额为万元"]
