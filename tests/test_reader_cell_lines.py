"""The one-cell-per-line reader (DOCX exported as text), on 涞源县人民政府办公室 2024."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from loaders.blocks import Paragraph, Table
from loaders.pipeline import load_document
from loaders.readers import read
from loaders.readers.cell_lines import read_cell_lines, sniff
from loaders.recognise import recognise

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LAIYUAN = SAMPLES / "130630_laiyuan_gov-office_2024_budget.txt"


@pytest.fixture(scope="module")
def blocks() -> list:
    return read(LAIYUAN).blocks


@pytest.fixture(scope="module")
def tables(blocks) -> dict[str, Table]:
    return {b.title: b for b in blocks if isinstance(b, Table)}


def test_sniff_prefers_this_shape_for_laiyuan_only() -> None:
    scores = {p.name: sniff(p.read_text(encoding="utf-8")) for p in SAMPLES.glob("*.txt")}
    assert scores[LAIYUAN.name] >= 0.9
    for name, score in scores.items():
        if name != LAIYUAN.name:
            assert score == 0.0, name


def test_tables_in_reading_order_with_title_lines(tables) -> None:
    titles = list(tables)
    assert titles[:9] == [
        "部门预算收支总表", "部门预算收入总表", "部门预算支出总表", "部门预算财政拨款收支总表",
        "部门预算一般公共预算财政拨款支出表", "部门预算一般公共预算财政拨款基本支出表",
        "部门预算政府性基金预算财政拨款支出表", "部门预算国有资本经营预算财政拨款支出表",
        "部门预算财政拨款“三公”经费支出表",
    ]
    assert tables["部门预算收支总表"].line == 1
    assert tables["部门预算收入总表"].line == 230
    assert tables["1、OA系统服务费绩效目标表"].line == 1697
    assert tables["部门固定资产占用情况表"].line == 3261
    forms = [t for t in titles if t.endswith("绩效目标表")]
    assert len(forms) == 14
    assert forms[-1] == "14、智能签批设备绩效目标表"


def test_caption_rows_are_taken_apart(tables) -> None:
    summary = tables["部门预算收支总表"]
    assert summary.caption == ["434涞源县人民政府办公室", "预算年度：2024", "单位：万元"]
    assert tables["1、OA系统服务费绩效目标表"].caption == ["单位：万元"]
    assert tables["部门固定资产占用情况表"].caption == ["434涞源县人民政府办公室",
                                                   "截止时间：2023-12-31"]


def test_summary_table_is_rectangular_with_spread_headers(tables) -> None:
    rows = tables["部门预算收支总表"].rows
    assert {len(r) for r in rows} == {5}
    assert rows[0] == ["序号", "收入", "收入", "支出", "支出"]
    assert rows[1] == ["", "项目", "预算数", "项目", "预算数"]  # 项  目 loses its padding
    assert rows[2] == [
        "1", "一、一般公共预算拨款收入", "1486.83", "一、一般公共服务支出", "1255.37"]
    assert rows[3] == ["2", "二、政府性基金预算拨款收入", "", "二、外交支出", ""]
    assert rows[-1] == ["34", "收入总计", "1486.83", "支出总计", "1486.83"]
    assert not any(r[0] == "栏次" for r in rows)  # the column-number row is dropped
    assert len(rows) == 2 + 34


def test_income_table_header_spans(tables) -> None:
    rows = tables["部门预算收入总表"].rows
    assert {len(r) for r in rows} == {13}
    assert rows[0][:4] == ["序号", "功能分类科目", "功能分类科目", "合计"]
    assert rows[0][4:12] == ["本年收入"] * 8
    assert rows[0][12] == "上年结转"
    assert rows[1][:6] == ["", "科目编码", "科目名称", "", "小计", "财政拨款收入"]
    assert rows[2] == ["1", "", "合计", "1486.83", "1486.83", "1486.83"] + [""] * 7
    assert rows[5][1:4] == ["2010301", "行政运行", "1104.54"]


def test_fiscal_summary_splits_at_the_repeated_label(tables) -> None:
    rows = tables["部门预算财政拨款收支总表"].rows
    assert rows[0] == ["序号", "收入", "收入", "支出", "支出", "支出", "支出", "支出"]
    assert rows[1][3:6] == ["项目", "合计", "一般公共预算财政拨款"]


def test_basic_and_three_public_tables(tables) -> None:
    basic = tables["部门预算一般公共预算财政拨款基本支出表"].rows
    assert basic[0] == ["序号", "支出部门经济分类科目", "支出部门经济分类科目",
                        "一般公共预算基本支出", "一般公共预算基本支出", "一般公共预算基本支出"]
    assert basic[1] == ["", "科目编码", "科目名称", "合计", "人员经费", "公用经费"]
    assert basic[2] == ["1", "", "合计", "1191.02", "822.18", "368.84"]
    assert ["20", "30217", "公务接待费", "95.00", "", "95.00"] in basic
    three = tables["部门预算财政拨款“三公”经费支出表"].rows
    assert three[0] == ["序号", "项目", "资金性质", "资金性质", "资金性质", "资金性质"]
    assert three[1][2:4] == ["合计", "一般公共预算财政拨款"]
    assert three[3] == ["2", "“三公”经费小计", "171.00", "171.00", "", ""]
    assert three[5][1] == "其中：教学科研人员因公出国（境）费"  # indentation trimmed


def test_empty_tables_keep_their_notes(tables) -> None:
    fund = tables["部门预算政府性基金预算财政拨款支出表"]
    assert fund.notes == ["注：无政府基金预算财政拨款预算，空表列示。"]
    assert fund.rows[-1] == [""] * 6


def test_project_form_is_kept_row_by_row(tables) -> None:
    form = tables["1、OA系统服务费绩效目标表"].rows
    assert form[0] == ["项目编码", "13063024P000092100025", "项目名称", "OA系统服务费"]
    assert form[1] == [
        "预算规模及资金用途", "预算数", "5.44", "其中：财政资金", "5.44", "其他资金", ""]
    assert form[4] == ["", "", "", "", "5.44"]  # blank cells (a TAB alone, or TAB + space)
    assert form[5] == ["绩效目标", "1.保障网络安全可靠运行"]
    assert form[6] == [
        "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    assert len(form) == 7 + 9
    law = tables["3、法治办专项绩效目标表"].rows
    assert law[10][1] == "成本指标"  # [bookmark: _GoBack] removed from the cell


def test_fixed_assets_rows(tables) -> None:
    rows = tables["部门固定资产占用情况表"].rows
    assert rows[0] == ["项目", "数量", "价值（金额单位：万元）"]
    assert rows[1] == ["资产总额", "", "712.42"]
    assert rows[3] == ["其中：办公用房（平方米）", "3000", "58.00"]


def test_recognised_kinds(tables) -> None:
    kinds = {title: recognise(t) for title, t in tables.items()}
    assert kinds["部门预算收支总表"] == "income_expenditure_summary"
    assert kinds["部门预算一般公共预算财政拨款支出表"] == "general_budget_expenditure"
    assert kinds["部门预算一般公共预算财政拨款基本支出表"] == "general_budget_basic"
    assert kinds["部门预算国有资本经营预算财政拨款支出表"] == "state_capital"
    assert kinds["部门预算财政拨款“三公”经费支出表"] == "three_public"
    assert kinds["7、杏花湾租金绩效目标表"] == "project_performance"
    assert kinds["部门固定资产占用情况表"] == "fixed_assets"


def test_paragraphs_and_headings(blocks) -> None:
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    by_line = {p.line: p for p in paragraphs}
    assert by_line[1614].text == "涞源县人民政府办公室2024年部门预算信息公开情况说明"
    assert by_line[1616].text == "一、部门职责及机构设置情况" and by_line[1616].heading
    assert not by_line[1650].heading
    assert "2024年预算收入1486.83万元" in by_line[1650].text
    assert all("[bookmark" not in p.text for p in paragraphs)
    assert all(p.text != "page number" for p in paragraphs)
    # Table titles are not repeated as paragraphs.
    assert 1697 not in by_line and 230 not in by_line


def test_continuation_page_is_merged_and_repeated_header_dropped() -> None:
    text = "\n".join([
        "[bookmark: _Toc_1]部门预算支出总表",
        "\t434某某县人民政府办公室", "\t单位：万元", "",
        "\t科目编码", "\t科目名称", "\t合计", "",
        "\t201", "\t一般公共服务支出", "\t10.00", "",
        "page number",
        "\t434某某县人民政府办公室", "\t单位：万元", "",
        "\t科目编码", "\t科目名称", "\t合计", "",
        "\t208", "\t社会保障和就业支出", "\t", "",
        "说明文字。",
    ])
    blocks = read_cell_lines(text)
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 1
    assert tables[0].rows == [["科目编码", "科目名称", "合计"],
                              ["201", "一般公共服务支出", "10.00"],
                              ["208", "社会保障和就业支出", ""]]
    assert isinstance(blocks[-1], Paragraph) and blocks[-1].text == "说明文字。"


def test_fixed_asset_values_are_loaded_counts_are_not() -> None:
    records = load_document(LAIYUAN)
    assets = [a for a in records.amounts if a.table_kind == "fixed_assets"]
    assert [(a.item, a.yuan) for a in assets] == [
        ("资产总额", Decimal("7124200.00")),
        ("1、房屋（平方米）", Decimal("952600.00")),
        ("其中：办公用房（平方米）", Decimal("580000.00")),
        ("2、车辆（台、辆）", Decimal("3924300.00")),
        ("4、其他固定资产", Decimal("2247300.00")),
    ]
    # Book values at 截止时间：2023-12-31, not budget figures; counts (3181 m², 32 辆) skipped.
    assert {(a.fiscal_year, a.measure, a.category, a.printed_unit) for a in assets} == {
        (2023, "actual", "other", "万元")}
    assert not any(a.printed in ("3181", "32", "768") for a in assets)
