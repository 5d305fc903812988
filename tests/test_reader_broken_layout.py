"""The broken-layout PDF text reader, on the 江油市人民政府办公室 2020 final account."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.blocks import Paragraph, Table
from loaders.readers import TEXT_SHAPES, read
from loaders.readers.broken_layout import read_broken_layout, sniff

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JIANGYOU_2020 = SAMPLES / "510781_jiangyou_gov-office_2020_final.txt"
OTHERS = [
    "130630_laiyuan_gov-office_2024_budget.txt",
    "500152_tongnan_gov-office_2024_final.txt",
    "510781_jiangyou_gov-office_2024_budget.txt",
    "652824_ruoqiang_gov-office_2024_budget.txt",
]
# (1-based line of the title, 项目名称) of the five 项目绩效目标完成情况表.
FORMS = [
    (600, "综合事务经费"),
    (775, "五七高炮营训练、演习及装备购置经费"),
    (944, "营商环境服务中心专项经费"),
    (1119, "大数据中心专项经费"),
    (1298, "党建经费"),
]


@pytest.fixture(scope="module")
def blocks() -> list[Paragraph | Table]:
    return read_broken_layout(JIANGYOU_2020.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paragraphs(blocks: list[Paragraph | Table]) -> list[Paragraph]:
    return [b for b in blocks if isinstance(b, Paragraph)]


@pytest.fixture(scope="module")
def forms(blocks: list[Paragraph | Table]) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def test_sniff_prefers_this_file() -> None:
    text = JIANGYOU_2020.read_text(encoding="utf-8")
    assert sniff(text) >= 0.9
    for name in OTHERS:
        assert sniff((SAMPLES / name).read_text(encoding="utf-8")) == 0.0, name
    read(JIANGYOU_2020)  # registers every reader
    others = [s.sniff(text) for s in TEXT_SHAPES if s.name != "broken_layout"]
    assert all(score < sniff(text) for score in others)


def test_read_picks_this_reader() -> None:
    doc = read(JIANGYOU_2020)
    assert [t.line for t in doc.tables()] == [line for line, _ in FORMS]


def test_no_noise_in_paragraphs(paragraphs: list[Paragraph]) -> None:
    texts = [p.text for p in paragraphs]
    assert not any("http" in t or "baike.baidu.com" in t for t in texts)
    assert not any(t.startswith("图") and "：" in t[:5] for t in texts)  # chart captions
    assert "10" not in texts and "30" not in texts  # lone page numbers
    # The chart labels repeating the prose are gone (一般公共预算财政拨款收入1612.36万元，占100%).
    assert not any(t.startswith("一般公共预算财政拨款收入1612.36万元") for t in texts)
    assert not any(t.startswith("基本支出1170.44万元，占") for t in texts)


def test_wrapped_lines_are_joined(paragraphs: list[Paragraph]) -> None:
    by_line = {p.line: p for p in paragraphs}
    assert by_line[329].text.startswith(
        "1.一般公共服务（类）政府办公厅（室）及相关机构事务（款）行政运行（项）："
        "支出决算为 881.48 万元，完成预算 99.56%，")
    assert by_line[239].text.startswith(
        "2020 年本年收入合计 1612.36 万元，其中：一般公共预算财政拨款收入1612.36 万元，占 100%；")
    # Joined across a page break with link targets and a page number in between.
    assert "按支出性质分类为：基本支出1170.44万元，占当年决算支出的 72.36%；项目支出 446.98 万元" \
        in by_line[1658].text


def test_headings(paragraphs: list[Paragraph]) -> None:
    by_line = {p.line: p for p in paragraphs}
    assert by_line[237].text == "二、收入决算情况说明" and by_line[237].heading
    assert by_line[323].text == "（三）一般公共预算财政拨款支出决算具体情况"
    assert by_line[323].heading
    # A heading after a sentence that ended without the closing space is its own paragraph.
    assert by_line[560].text == "1.项目绩效目标完成情况" and by_line[560].heading
    assert by_line[554].text.endswith("（详见附件 2）。")
    assert not by_line[329].heading


def test_form_head_rows(forms: list[Table]) -> None:
    assert [(t.title, t.line) for t in forms] == [("项目绩效目标完成情况表", ln) for ln, _ in FORMS]
    for table, (_, name) in zip(forms, FORMS, strict=True):
        assert table.caption == ["(2020 年度)"]
        assert table.rows[0] == ["项目名称", name]
        assert table.rows[1] == ["预算单位", "江油市人民政府办公室"]
    first = forms[0]
    assert first.rows[2] == ["预算执行情况(万元)", "预算数", "260 万元", "执行数", "260 万元"]
    assert first.rows[3] == ["预算执行情况(万元)", "其中-财政拨款", "260 万元", "其中-财政拨款",
                             "260 万元"]
    assert first.rows[4] == ["预算执行情况(万元)", "其它资金", "", "其它资金", ""]
    assert first.rows[5] == ["年度目标完成情况", "预期目标", "实际完成目标"]
    assert first.rows[6] == ["年度目标完成情况", "为市政府年度工作目标任务的顺利实现提供保障。",
                             "按照工作要求顺利完成了目标任务。"]
    # Both goals printed on one line, separated by a space.
    assert forms[4].rows[6] == ["年度目标完成情况", "保障党建工作顺利开展",
                                "按照要求顺利完成了目标任务"]


def test_form_indicator_rows(forms: list[Table]) -> None:
    first = forms[0]
    assert first.rows[7][1:] == ["一级指标", "二级指标", "三级指标",
                                 "预期指标值(包含数字及文字描述)",
                                 "实际完成指标值(包含数字及文字描述)"]
    indicators = first.rows[8:]
    assert [r[1:3] for r in indicators] == [
        ["项目完成指标", "数量指标"], ["项目完成指标", "质量指标"], ["项目完成指标", "时效指标"],
        ["项目完成指标", "成本指标"], ["效益指标", "社会效益指标"], ["效益指标", "可持续影响指标"],
        ["满意度指标", "管理部门满意度指标"], ["满意度指标", "服务对象满意度指标"]]
    assert indicators[0][3:] == ["为市政府工作需要提供保障。", "按照工作任务要求抓好落实。",
                                 "完成了年度目标任务。"]
    assert indicators[1][3:] == ["提升服务质量", "提升机关服务质量", "提升机关服务质量"]
    assert indicators[2][3:] == ["完成时间", "2020 年", "2020 年 12 月底完成了全年工作目标任务"]
    assert indicators[5][3:] == ["可持续影响", "夯实服务工作基础", "机关“三服务”能力明显提升"]
    assert indicators[6][3:] == ["管理部门满意度", "≥90%", "≥95%"]
    assert forms[2].rows[8][3:] == ["召开工作会议、开展业务培训、学习考察", "450 人次",
                                    "完成了工作目标任务"]
    for table in forms:
        assert len(table.rows) == 16  # 8 head rows + 8 indicators
        assert all(len(r) == 6 for r in table.rows[7:])


def test_form_interrupted_by_the_next_page(forms: list[Table],
                                           paragraphs: list[Paragraph]) -> None:
    """The 党建经费 form continues after prose printed between its two halves."""
    party = forms[4]
    assert party.rows[9][3:] == ["夯实党员理论水平", "实现工作目标", "100%"]
    assert party.rows[10][3:] == ["完成时间", "2020 年度", "2020 年 12 月底完成了全年目标任务"]
    assert party.rows[11][2:] == [
        "成本指标", "党员培训教育及退休支部工作补贴",
        "党员培训教育及党报党刊订阅等费用 3.8 万元、退休支部工作补贴1.2 万元", "100%"]
    assert party.rows[15][3:] == ["服务对象满意度", "≥90%", "≥95%"]
    heading = next(p for p in paragraphs if p.line == 1401)
    assert heading.text == "2.部门绩效评价结果" and heading.heading
    after = next(p for p in paragraphs if p.line == 1459)
    assert after.text == "1.财政拨款收入：指单位从同级财政部门取得的财政预算资金。"
