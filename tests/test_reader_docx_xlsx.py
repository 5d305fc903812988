"""The DOCX and XLSX readers, on small files written here with python-docx and openpyxl.

Both formats are zip packages starting with ``PK``; one registered reader looks inside
and picks the right one.  The values are the 若羌县人民政府办公室 2024 budget's
(一般公共服务支出 683.70 万元).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from loaders.blocks import Paragraph, Table
from loaders.readers import ReadError, read
from loaders.readers.xlsx import format_number


def _word(path: Path) -> Path:
    d = docx.Document()
    d.add_heading("二、部门预算表", level=1)
    d.add_paragraph("一般公共预算支出预算表")
    d.add_paragraph("编制部门：若羌县人民政府办公室")
    d.add_paragraph("单位：万元")
    t = d.add_table(rows=5, cols=4)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "功能分类科目"  # header over two columns
    t.cell(0, 2).merge(t.cell(0, 3)).text = "预算数"
    for j, text in enumerate(["科目编码", "科目名称", "合计", "基本支出"]):
        t.cell(1, j).text = text
    for j, text in enumerate(["201", "一般公共服务支出", "683.70", "500.00"]):
        t.cell(2, j).text = text
    for j, text in enumerate(["208", "社会保障和就业\n支出", "80.33"]):  # wrapped name
        t.cell(3, j).text = text
    t.cell(2, 3).merge(t.cell(3, 3))  # merged down over two rows
    for j, text in enumerate(["合计", "", "764.03", "580.33"]):
        t.cell(4, j).text = text
    d.add_paragraph("注：本表金额保留两位小数。")
    d.add_paragraph("三、其他重要事项的情况说明")
    d.add_paragraph("若羌县人民政府办公室2024年一般公共预算支出683.70万元。")
    d.save(str(path))
    return path


def test_docx_blocks_in_body_order(tmp_path: Path) -> None:
    blocks = read(_word(tmp_path / "budget.docx")).blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Table", "Paragraph", "Paragraph"]
    heading, table, section, text = blocks
    assert isinstance(heading, Paragraph) and heading.heading
    assert heading.text == "二、部门预算表"
    assert isinstance(section, Paragraph) and section.heading and section.line == 2
    assert isinstance(text, Paragraph) and not text.heading
    assert text.text == "若羌县人民政府办公室2024年一般公共预算支出683.70万元。"
    assert isinstance(table, Table)
    assert table.title == "一般公共预算支出预算表" and table.line == 1 and table.page is None
    assert table.caption == ["编制部门：若羌县人民政府办公室", "单位：万元"]
    assert table.notes == ["注：本表金额保留两位小数。"]


def test_docx_merged_cells_are_emitted_once(tmp_path: Path) -> None:
    (table,) = read(_word(tmp_path / "budget.docx")).tables()
    assert table.rows == [
        ["功能分类科目", "", "预算数", ""],
        ["科目编码", "科目名称", "合计", "基本支出"],
        ["201", "一般公共服务支出", "683.70", "500.00"],
        ["208", "社会保障和就业支出", "80.33", ""],  # under the vertical merge
        ["合计", "", "764.03", "580.33"],
    ]


def test_docx_title_and_caption_inside_the_grid(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "部门收支总体情况表"
    t.cell(1, 0).text = "编制部门：若羌县人民政府办公室"
    t.cell(1, 2).text = "单位：万元"
    for j, text in enumerate(["项目", "功能分类", "预算数"]):
        t.cell(2, j).text = text
    for j, text in enumerate(["一、本年收入", "201 一般公共服务支出", "683.70"]):
        t.cell(3, j).text = text
    d.save(str(tmp_path / "grid.docx"))
    (table,) = read(tmp_path / "grid.docx").tables()
    assert table.title == "部门收支总体情况表"
    assert table.caption == ["编制部门：若羌县人民政府办公室 单位：万元"]
    assert table.rows == [["项目", "功能分类", "预算数"],
                          ["一、本年收入", "201 一般公共服务支出", "683.70"]]


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表5"
    ws.append(["一般公共预算支出预算表"])
    ws.append(["部门：若羌县人民政府办公室", None, "单位：万元"])
    ws.append(["功能分类科目", None, "金额"])
    ws.merge_cells("A3:B3")
    ws.append(["201", "一般公共服务支出", 683.7])
    ws["C4"].number_format = "0.00"
    ws.append([20103, "政府办公厅（室）及相关机构事务", 0.1 + 0.2])  # 0.30000000000000004
    ws.append(["2010301", "行政运行", 1234.5])
    ws["C6"].number_format = "#,##0.00"
    ws.append(["注：数据来自部门预算公开表。"])
    other = wb.create_sheet("三公经费")
    other.append(["合计", "公务接待费"])
    other.append([1.35, 0.35])
    wb.create_sheet("空表")
    wb.save(str(path))
    return path


def test_xlsx_one_table_per_sheet(tmp_path: Path) -> None:
    doc = read(_workbook(tmp_path / "budget.xlsx"))
    first, second = doc.tables()  # the empty sheet gives no table
    assert len(doc.blocks) == 2
    assert first.title == "一般公共预算支出预算表" and first.line == 1
    assert first.caption == ["部门：若羌县人民政府办公室 单位：万元"]
    assert first.notes == ["注：数据来自部门预算公开表。"]
    assert first.rows == [
        ["功能分类科目", "", "金额"],
        ["201", "一般公共服务支出", "683.70"],
        ["20103", "政府办公厅（室）及相关机构事务", "0.3"],
        ["2010301", "行政运行", "1,234.50"],
    ]
    # no single title cell on top: the sheet's name is the title
    assert second.title == "三公经费" and second.line == 2
    assert second.rows == [["合计", "公务接待费"], ["1.35", "0.35"]]


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (683.7, "0.00", "683.70"),
    (683.7, "General", "683.7"),
    (0.1 + 0.2, "General", "0.3"),
    (6837000, "#,##0", "6,837,000"),
    (12345.675, "#,##0.00", "12,345.68"),
    (0.9512, "0.00%", "95.12%"),
    (3.0, "General", "3"),
])
def test_numbers_as_the_sheet_shows_them(value: float, fmt: str, text: str) -> None:
    assert format_number(value, fmt) == text


def test_zip_that_is_neither_docx_nor_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ReadError, match=r"^archive\.zip: a zip archive that is neither"):
        read(path)


def test_damaged_docx(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(_word(tmp_path / "budget.docx").read_bytes()[:300])
    with pytest.raises(ReadError, match=r"^broken\.docx: a damaged zip package"):
        read(path)


def test_legacy_or_password_protected_office_file(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    with pytest.raises(ReadError, match=r"^old\.xls: a Word/Excel 97-2003 file"):
        read(path)
