"""The PDF reader on real disclosures (tests/fixtures/corpus, see MANIFEST.tsv there).

Shapes covered: Shanghai 普陀区 department and unit budgets (amounts in 元, codes over
类/款/项 columns, tables continued over pages), a Shanghai final account (万元, names
wrapped inside cells, notes under tables), Jiangsu provincial tables (7-digit codes in one
cell; titles and captions printed inside the grid; a spreadsheet export ruled far finer
than its text) and a Jiangsu narrative document printed without any ruling lines.  Small
PDFs made here with reportlab cover what the corpus does not: a table laid out without
rulings, broken and non-disclosure files.  They use reportlab's built-in CID font
STSong-Light, which needs no font file on the machine.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from loaders.blocks import Paragraph, ReadDocument, Table
from loaders.normalise import fix_chars
from loaders.pipeline import LoadError, load_document
from loaders.readers import ReadError, read
from loaders.readers.pdf import clean_cell

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
GOV_DEPT = "sh-putuo_gov-office_2025_budget_dept.pdf"
GOV_UNIT = "sh-putuo_gov-office_2025_budget_unit.pdf"
SOCIAL_FINAL = "sh-putuo_social-work-dept_2024_final.pdf"
WANLI = "sh-putuo_wanli-subdistrict_2024_budget.pdf"
JS_TABLES = "js-prov_party-committee-office_2018_budget_tables.pdf"
JS_NARRATIVE = "js-prov_party-committee-office_2018_budget.pdf"
JS_NPC = "js-prov_npc-standing-committee_2019_budget_tables.pdf"
JS_PROCURATORATE = "js-prov_procuratorate_2019_budget.pdf"


@cache
def doc(name: str) -> ReadDocument:
    return read(CORPUS / name)


def table(name: str, title: str) -> Table:
    found = [t for t in doc(name).tables() if t.title == title]
    assert len(found) == 1, [t.title for t in doc(name).tables()]
    return found[0]


def row_starting(t: Table, *cells: str) -> list[str]:
    for r in t.rows:
        if r[:len(cells)] == list(cells):
            return r
    raise AssertionError(f"no row starting {cells} in {t.title}")


# --- Shanghai department budget ------------------------------------------------------

def test_shanghai_department_budget_titles_pages_and_ordinals() -> None:
    d = doc(GOV_DEPT)
    assert d.pages == 22
    assert [(t.title, t.page, t.line) for t in d.tables()] == [
        ("2025年部门财务收支预算总表", 8, 1),
        ("2025年部门收入预算总表", 9, 2),
        ("2025年部门支出预算总表", 11, 3),
        ("2025年部门财政拨款收支预算总表", 13, 4),
        ("2025年部门一般公共预算支出功能分类预算表", 14, 5),
        ("2025年部门政府性基金预算支出功能分类预算表", 16, 6),
        ("2025年部门国有资本经营预算支出功能分类预算表", 17, 7),
        ("2025年部门一般公共预算基本支出部门预算经济分类预算表", 18, 8),
        ("2025年部门“三公”经费和机关运行经费预算表", 20, 9),
    ]
    summary = table(GOV_DEPT, "2025年部门财务收支预算总表")
    assert summary.caption == ["编制部门：上海市普陀区人民政府办公室 单位：元"]
    assert summary.rows[0] == ["本年收入", "", "本年支出", ""]  # merged header: text once
    assert summary.rows[-1] == ["收入总计", "91,016,775.35", "支出总计", "91,016,775.35"]
    assert table(GOV_DEPT, "2025年部门“三公”经费和机关运行经费预算表").caption == [
        "编制部门：上海市普陀区人民政府办公室 单位:万元"]


def test_shanghai_codes_over_three_columns_and_page_continuation() -> None:
    income = table(GOV_DEPT, "2025年部门收入预算总表")
    assert income.rows[2][:3] == ["类", "款", "项"]
    assert row_starting(income, "201", "", "") == [
        "201", "", "", "一般公共服务支出", "82,096,797.42", "82,096,797.42", "", "", ""]
    assert row_starting(income, "201", "03", "01")[3:5] == ["行政运行", "12,029,501.84"]
    # page 10 carries on without a title: its rows belong to the same table
    assert row_starting(income, "221", "02", "03")[3:5] == ["购房补贴", "1,867,680.00"]
    assert income.rows[-1][0] == "合计" and income.rows[-1][4] == "91,016,775.35"
    assert len(income.rows) == 24
    # header cells wrapped over two lines are joined
    assert "事业单位经营收入" in income.rows[1]


def test_repeated_header_on_continuation_page_is_dropped() -> None:
    general = table(GOV_DEPT, "2025年部门一般公共预算支出功能分类预算表")
    assert [r[0] for r in general.rows].count("项目") == 1
    assert sum(1 for r in general.rows if r[:3] == ["类", "款", "项"]) == 1
    assert row_starting(general, "210", "11", "")[3] == "行政事业单位医疗"  # from page 15
    assert general.rows[-1][4:] == ["91,016,775.35", "24,606,775.35", "66,410,000.00"]


def test_empty_table_keeps_its_note() -> None:
    fund = table(GOV_DEPT, "2025年部门政府性基金预算支出功能分类预算表")
    assert fund.notes == ["注:本部门2025年无政府性基金预算财政拨款安排的预算，故本表为空表。"]
    assert fund.rows[-1] == ["合计", "", "", "", "", "", ""]


def test_narrative_paragraphs_and_headings() -> None:
    paragraphs = [b for b in doc(GOV_DEPT).blocks if isinstance(b, Paragraph)]
    texts = [p.text for p in paragraphs]
    # a paragraph wrapped over three printed lines is one block
    assert ("2025年，上海市普陀区人民政府办公室收入预算9,101.68万元，其中：财政拨款收入"
            "9,101.68万元，比2024年预算减少2,389.52万元；事业收入0万元；事业单位经营收入0万元；"
            "其他收入0万元。") in texts
    heading = next(p for p in paragraphs if p.text == "一、2025年“三公”经费预算情况说明")
    assert heading.heading and heading.page == 21
    # table titles and captions are not repeated as paragraphs
    assert "2025年部门收入预算总表" not in texts
    assert not any(t.startswith("编制部门：") for t in texts)


def test_unit_budget_name_wrapped_in_its_cell() -> None:
    income = table(GOV_UNIT, "2025年预算单位收入预算总表")
    assert income.page == 9
    assert row_starting(income, "201", "03", "99")[3:5] == [
        "其他政府办公厅（室）及相关机构事务支出", "20,120,000.00"]


def test_continuation_whose_total_row_spans_the_code_columns() -> None:
    """Page 15 of the 万里街道 budget holds only the 合计 row, its cell spanning 类 … 名称."""
    income = table(WANLI, "2024年部门收入预算总表")
    assert income.page == 11 and len(income.rows) == 70
    assert income.rows[-1] == [
        "合计", "", "", "", "156,211,123", "156,211,123", "0", "0", "0"]
    assert [t.page for t in doc(WANLI).tables()] == [10, 11, 16, 21, 22, 27, 28, 29, 31]


# --- Shanghai final account ----------------------------------------------------------

def test_final_account_tables_rows_and_notes() -> None:
    d = doc(SOCIAL_FINAL)
    assert [(t.title, t.page) for t in d.tables()][1:7] == [
        ("收入支出决算总表", 5),
        ("收入决算表", 6),
        ("支出决算表", 8),
        ("财政拨款收入支出决算总表", 10),
        ("一般公共预算财政拨款支出决算表", 12),
        ("一般公共预算财政拨款基本支出决算表", 13),
    ]
    assert len(d.tables()) == 10
    units = d.tables()[0]  # the list of units printed under narrative text: no title
    assert units.title == "" and units.rows[0] == ["序号", "单位名称", "备注"]
    general = table(SOCIAL_FINAL, "一般公共预算财政拨款支出决算表")
    assert general.caption == ["单位：万元"]
    assert general.notes == ["注：本表反映部门本年度一般公共预算财政拨款支出情况。"]
    # printed as 一般公共服务\n支出 and 机关事业单位\n基本养老保险\n缴费支出
    assert row_starting(general, "201") == ["201", "一般公共服务支出", "264.87", "62.63", "202.24"]
    assert row_starting(general, "2080505") == [
        "2080505", "机关事业单位基本养老保险缴费支出", "6.18", "6.18", ""]
    fund = table(SOCIAL_FINAL, "政府性基金预算财政拨款收入支出决算表")
    assert fund.notes[-1].startswith("说明：中共上海市普陀区委社会工作部本年度没有政府性基金")


def test_final_account_income_table_continues_on_next_page() -> None:
    income = table(SOCIAL_FINAL, "收入决算表")
    assert income.rows[0][:4] == ["项目", "", "本年收入合计", "财政拨款收入"]
    assert income.rows[1][:2] == ["功能分类科目编码", "科目名称"]
    assert row_starting(income, "2210203")[:4] == ["2210203", "购房补贴", "11.72", "11.72"]


# --- Jiangsu ---------------------------------------------------------------------------

def test_jiangsu_tables_with_seven_digit_codes() -> None:
    d = doc(JS_TABLES)
    assert len(d.tables()) == 12
    fiscal = table(JS_TABLES, "财政拨款支出预算表")
    assert fiscal.page == 7 and fiscal.caption == ["部门：中共江苏省委办公厅 单位：万元"]
    assert fiscal.rows[0] == ["功能科目代码", "功能科目名称", "金额"]
    assert row_starting(fiscal, "201") == ["201", "一般公共服务支出", "20,153.75"]
    assert row_starting(fiscal, "2013101") == ["2013101", "行政运行", "8,072.29"]
    assert row_starting(fiscal, "2210202") == ["2210202", "提租补贴", "2,299.88"]
    # title and caption printed above the grid on a white cell background: read as lines
    assert table(JS_TABLES, "支出预算总表").caption == ["部门：中共江苏省委办公厅 单位：万元"]
    assert table(JS_TABLES, "财政拨款政府性基金支出预算表").notes == ["注：本部门无相关收支项目"]


def test_jiangsu_titles_and_table_labels_inside_the_grid() -> None:
    tables = doc(JS_NPC).tables()
    assert [t.title for t in tables][:5] == [
        "收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表",
        "财政拨款支出预算表（功能科目）"]
    assert tables[0].caption == ["公开表一", "部门： 江苏省人大常委会办公厅 单位：万元"]
    assert tables[0].rows[0] == ["收入", "", "支出", "", "", ""]
    three_public = table(JS_NPC, "“三公”经费、会议费、培训费支出预算表")
    assert three_public.caption == ["公开表九", "部门： 江苏省人大常委会办公厅 单位：万元"]
    assert three_public.rows[-1] == [
        "2,600.71", "767.60", "199.25", "183.60", "", "183.60", "384.75", "1,469.73", "363.38"]


def test_jiangsu_procurement_table_over_two_pages_with_wrapped_cells() -> None:
    procurement = table(JS_NPC, "2019年政府采购预算表")
    assert procurement.page == 12 and len(procurement.rows) == 27
    assert procurement.rows[0] == [
        "采购品目大类", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计"]
    assert row_starting(procurement, "", "江苏省第十三届人代会二次会议经费") == [
        "", "江苏省第十三届人代会二次会议经费", "会议费", "", "", "1,035.00"]
    # page 13 is one column narrower (the empty first column is not printed there)
    assert row_starting(procurement, "", "常委会会议经费及省人大工作会议经费") == [
        "", "常委会会议经费及省人大工作会议经费", "会议费", "", "", "206.10"]


def test_grid_ruled_finer_than_its_text() -> None:
    """The 检察院 tables come from a spreadsheet export: slivers of columns everywhere."""
    functional = table(JS_PROCURATORATE, "财政拨款支出预算表（功能科目）")
    assert functional.rows[0] == ["功能科目代码", "功能科目名称", "金额"]
    assert row_starting(functional, "2040401") == ["2040401", "行政运行", "12,268.62"]
    assert row_starting(functional, "221") == ["221", "住房保障支出", "5,686.35"]
    summary = table(JS_PROCURATORATE, "收支预算总表")
    assert summary.caption == ["公开01表", "部门： 江苏省人民检察院 单位：万元"]
    assert row_starting(summary, "一、财政拨款") == [
        "一、财政拨款", "24,169.74", "一、一般公共服务支出", "", "一、基本支出", "15,844.04"]
    procurement = table(JS_PROCURATORATE, "政府采购支出预算表")
    assert procurement.page == 22 and len(procurement.rows[0]) == 6
    assert procurement.rows[-1] == ["", "", "", "专业技能培训服务", "分散自行组织", "630.00"]
    assert procurement.notes == [
        "注：1.采购组织形式为：集中采购、部门集中采购和分散采购。",
        "2.采购品目名称根据《政府采购品目分类目录》（财库[2013]189号）规定品目名称填写。"]


def test_table_label_at_the_foot_of_the_previous_page() -> None:
    fiscal_summary = table(JS_PROCURATORATE, "财政拨款收支预算总表")
    assert fiscal_summary.page == 16
    assert fiscal_summary.caption[0] == "公开04表"
    assert len(doc(JS_PROCURATORATE).tables()) == 12


def test_jiangsu_document_without_ruling_lines_reads_as_paragraphs() -> None:
    d = doc(JS_NARRATIVE)
    assert d.pages == 13 and d.tables() == []
    texts = [b.text for b in d.blocks if isinstance(b, Paragraph)]
    # wrapped over three lines and a page break (page 5 → 6)
    assert any(t.startswith(
        "江苏省委办公厅2018年度收入、支出预算总计24458.43万元，与上年相比收、支预算总计各增加"
        "3608.98万元，增长17.31%。主要原因是人员经费政策性调增") for t in texts)
    assert "一、收支预算总体情况说明" in texts
    assert not any(t.isdigit() for t in texts)  # page numbers are dropped


# --- characters and cells ----------------------------------------------------------------

def test_radicals_are_mapped_and_full_width_punctuation_kept() -> None:
    assert fix_chars("一般公共服务⽀出（部⻔）：合计") == "一般公共服务支出（部门）：合计"
    assert clean_cell("机关事业单位基本养老保险缴费⽀\n出") == "机关事业单位基本养老保险缴费支出"
    assert clean_cell("合 计") == "合计"
    assert clean_cell(None) == ""


# --- made-up PDFs ----------------------------------------------------------------------------

def _canvas(path: Path, **kwargs):
    pytest.importorskip("reportlab")
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    rl_config.invariant = 1
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path), pagesize=(595, 842), **kwargs)


def test_table_printed_without_rulings(tmp_path: Path) -> None:
    path = tmp_path / "no_rulings.pdf"
    c = _canvas(path)
    c.setFont("STSong-Light", 16)
    c.drawCentredString(297, 780, "一般公共预算支出预算表")
    c.setFont("STSong-Light", 10)
    c.drawString(60, 755, "部门：若羌县人民政府办公室")
    c.drawRightString(535, 755, "单位：万元")
    y = 730
    for code, name, total, basic in [
        ("科目编码", "科目名称", "合计", "基本支出"),
        ("201", "一般公共服务支出", "683.70", "500.00"),
        ("20103", "政府办公厅（室）及相关机构事务", "683.70", "500.00"),
        ("2010301", "行政运行", "500.00", "500.00"),
        ("208", "社会保障和就业支出", "80.33", "80.33"),
        ("2080505", "机关事业单位基本养老保险缴费支", "38.43", "38.43"),
    ]:
        c.drawString(60, y, code)
        c.drawString(140, y, name)
        c.drawRightString(430, y, total)
        c.drawRightString(535, y, basic)
        y -= 20
    c.drawString(140, y + 8, "出")  # the wrapped end of the name above
    y -= 12
    c.drawString(60, y, "合计")
    c.drawRightString(430, y, "842.07")
    c.drawRightString(535, y, "580.33")
    c.drawString(60, y - 30, "注：本表反映一般公共预算支出情况。")
    c.showPage()
    c.save()

    (t,) = read(path).tables()
    assert t.title == "一般公共预算支出预算表" and t.page == 1 and t.line == 1
    assert t.caption == ["部门：若羌县人民政府办公室 单位：万元"]
    assert t.notes == ["注：本表反映一般公共预算支出情况。"]
    assert t.rows == [
        ["科目编码", "科目名称", "合计", "基本支出"],
        ["201", "一般公共服务支出", "683.70", "500.00"],
        ["20103", "政府办公厅（室）及相关机构事务", "683.70", "500.00"],
        ["2010301", "行政运行", "500.00", "500.00"],
        ["208", "社会保障和就业支出", "80.33", "80.33"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "38.43", "38.43"],
        ["合计", "", "842.07", "580.33"],
    ]


def test_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes((CORPUS / GOV_DEPT).read_bytes()[:20000])
    with pytest.raises(ReadError, match=r"^truncated\.pdf: not a readable PDF, the file is "
                                        r"damaged or truncated"):
        read(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ReadError, match=r"^empty\.pdf: the file is empty$"):
        read(path)


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    from PIL import Image

    image = tmp_path / "scan.png"
    picture = Image.new("RGB", (200, 100), "white")
    picture.paste((0, 0, 0), (40, 40, 160, 60))
    picture.save(image)
    path = tmp_path / "scanned.pdf"
    c = _canvas(path)
    for _ in range(2):
        c.drawImage(str(image), 72, 500, 400, 200)
        c.showPage()
    c.save()
    with pytest.raises(ReadError) as e:
        read(path)
    assert str(e.value) == ("scanned.pdf: no text layer: 2 pages of images — "
                            "OCR is not supported")


def test_encrypted_pdf(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "locked.pdf"
    c = _canvas(path, encrypt=StandardEncryption("secret", "owner"))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, "一般公共预算支出预算表")
    c.showPage()
    c.save()
    with pytest.raises(ReadError, match=r"^locked\.pdf: the PDF is encrypted"):
        read(path)


def test_pdf_that_is_not_a_disclosure(tmp_path: Path) -> None:
    path = tmp_path / "menu.pdf"
    c = _canvas(path)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 760, "本店菜单")
    c.drawString(72, 730, "宫保鸡丁 28.00 元，鱼香肉丝 26.00 元。欢迎光临。")
    c.showPage()
    c.save()
    d = read(path)  # reads fine …
    assert [b.text for b in d.blocks if isinstance(b, Paragraph)][:1] == ["本店菜单"]
    with pytest.raises(LoadError) as e:  # … but is no budget or final account
        load_document(path)
    assert "menu.pdf" in str(e.value)
    assert "no publishing department" in str(e.value)
