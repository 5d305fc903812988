"""Who published a document, where, for which year, and whether it is a budget or a final account.

Detected from the document's own text — its title, the 部门：/编制部门：/预算单位 lines
printed above tables, a code printed before the department's name — never from the file
name.  The region comes from the department's name (see ``regions.region_prefix``).

Some covers name the place rather than the department (``上海市普陀区2025年区级部门预算``,
then ``预算主管部门：上海市普陀区商务委员会``): the cover then gives the year, the kind and
whether the document is a department's (部门预算, all its units) or one budget unit's own
(单位预算); the name comes from the labelled line.  A cover whose publisher is a
placeholder (``上海市XX局2024年度部门决算``) is a blank template, not a disclosure: it is
refused with one message rather than loaded under an invented department.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from loaders import regions
from loaders.blocks import ReadDocument, Table
from loaders.normalise import fix_chars, squash
from ontology.records import Region

# Names of government bodies end in one of these.
_ORGAN = (r"(?:办公室|办公厅|委员会|管理局|事务局|局|院|厅|中心|委|办|部|处|所|站|会|馆|队"
          r"|街道办事处|政府)")
_NAME = rf"[\u4e00-\u9fff（）()·]{{2,40}}?{_ORGAN}"
_LABELLED = re.compile(
    rf"(?:编制部门|部门名称|预算单位|单位名称|主管部门|部门|单位)\s*(?:（盖章）)?\s*[:：]?\s*(?:\d{{3,6}}[-－]?)?({_NAME})(?=$|[\s，。,（(]|\d{{4}}|[一二]级)")
_TITLE = re.compile(
    rf"^(?:#+\s*)?(?:\*\*)?({_NAME})\s*(20\d\d)\s*年(?:度)?\s*(?:部门|单位|区级部门|区级单位|本级)?"
    r"\s*(预算|决算)")
_YEAR_KIND = re.compile(
    r"(20\d\d)\s*年(?:度)?\s*(?:省级|市级|县级|区级|本级)?\s*(?:部门|单位)?\s*(?:预算|决算)")
# A year printed only in a table's title (2019年政府采购预算表): the last resort.
_TABLE_YEAR = re.compile(r"(20\d\d)\s*年(?:度)?[^\n\d]{0,16}?(?:预算|决算)(?:总|明细)?表")
# 省委, 市委, 区委, 县委: the party committee, whose full name starts with 中共.
_PARTY_COMMITTEE = re.compile(r"^[\u4e00-\u9fff]{2,12}?[省市区县]委(?!员)")
# A cover naming the place, the year and the level: 上海市普陀区2025年区级单位预算.
_COVER = re.compile(
    r"^([\u4e00-\u9fff]{2,16}?)\s*(20\d\d)\s*年(?:度)?\s*(?:区级|市级|县级|省级|市本级|本级)?"
    r"\s*(部门|单位)\s*(预算|决算)$")
_FIRST_TITLE = re.compile(r"20\d\d年(?:度)?\S{0,8}?(?:预算|决算)")
# The publisher of a blank template: 上海市XX局, ××单位.
_PLACEHOLDER = re.compile(
    r"^\S{0,12}?(?:[XxＸ×]{2,})\S{0,12}?\s*20\d\d\s*年(?:度)?\s*\S{0,4}?(?:预算|决算)")
_CODE_NAME = r"(\d{{3,6}})\s*[-－]?\s*{name}"


class MetaError(Exception):
    """The document does not say who published it or for which year."""


@dataclass(frozen=True)
class DocumentMeta:
    title: str  # e.g. 江油市人民政府办公室2024年部门预算
    department_name: str  # full name, e.g. 江油市人民政府办公室
    department_code: str | None  # as printed (301), when the document prints one
    region_code: str | None  # GB/T 2260, 6 digits
    fiscal_year: int
    kind: str  # budget | final_account
    # department: the 部门 document (all its units); unit: one budget unit's own 单位预算/决算
    level: str = "department"


def _lines(doc: ReadDocument) -> list[str]:
    """Every line of text in reading order: paragraphs, table titles, captions and cells."""
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Table):
            out.append(b.title)
            out.extend(b.caption)
            out.extend(" ".join(c for c in row if c) for row in b.rows[:3])
            out.extend(b.notes)
        else:
            out.extend(b.text.splitlines())
    return [fix_chars(line).strip() for line in out if line.strip()]


def detect(doc: ReadDocument) -> DocumentMeta:
    """Department, region, year and kind of a document, from its text."""
    lines = _lines(doc)
    text = "\n".join(lines)
    _refuse_template(lines, doc.source)
    cover = _cover(lines)
    title_hit = None
    for line in lines[:80]:
        m = _TITLE.match(squash(line)) or _TITLE.match(line)
        if m and regions.region_prefix(m.group(1), text)[0]:
            title_hit = m
            break
    candidates: Counter[str] = Counter()
    for line in lines:
        for m in _LABELLED.finditer(line):
            candidates[squash(m.group(1))] += 1
    name = _choose_name(title_hit.group(1) if title_hit else None, candidates, lines, text)
    name = _full_name(name) if name else name
    if "预算" not in text and "决算" not in text:
        raise MetaError(f"{doc.source}: not a budget or final-account disclosure: its text "
                        "never says 预算 or 决算" + ("" if name else
                                                   " and names no publishing department"))
    if not name:
        raise MetaError(f"{doc.source}: no publishing department found in the text "
                        "(no title like 'X 2024 年部门预算' and no 部门：/编制部门： line)")
    if cover and not title_hit:
        year, kind = int(cover.group(2)), _KINDS[cover.group(4)]
    else:
        year, kind = _year_and_kind(title_hit, text, doc.source)
    level = "unit" if (cover and cover.group(3) == "单位") or (
        title_hit and "单位" in title_hit.group(0)) else "department"
    region_code, _ = regions.region_prefix(name, text)
    code_match = re.search(_CODE_NAME.format(name=re.escape(name)), text)
    dept_code = code_match.group(1) if code_match else None
    if dept_code is None:
        m = re.search(r"主管部门[:：]\s*(\d{3,6})[-－]", text)
        dept_code = m.group(1) if m else None
    label = "决算" if kind == "final_account" else "预算"
    scope = "单位" if level == "unit" else "部门"
    return DocumentMeta(title=f"{name}{year}年{scope}{label}", department_name=name,
                        department_code=dept_code, region_code=region_code,
                        fiscal_year=year, kind=kind, level=level)


_KINDS = {"预算": "budget", "决算": "final_account"}


def _cover(lines: list[str]) -> re.Match[str] | None:
    """A cover line naming a place (and nothing else) before the year: 上海市普陀区2025年
    区级部门预算.  The place must be a division as a whole, so a department's title
    (上海市普陀区财政局2024年度部门决算) is not taken for one."""
    for line in lines[:20]:
        m = _COVER.match(squash(line))
        if not m:
            continue
        code, end = regions.region_prefix(m.group(1))
        if code and end == len(m.group(1)):
            return m
    return None


def _refuse_template(lines: list[str], source: str) -> None:
    """A blank template names a placeholder as its publisher; loading it would invent one.

    Only the document's own title counts (its first line naming a year's 预算/决算): a
    disclosure with a placeholder left further down is still a disclosure.
    """
    for line in lines[:20]:
        text = squash(line)
        if not _FIRST_TITLE.search(text):
            continue
        if _PLACEHOLDER.match(text):
            raise MetaError(f"{source}: a blank template, not a disclosure: its publisher is a "
                            f"placeholder ({text}); nothing loaded")
        return


def _full_name(name: str) -> str:
    """A party committee's organ under its full name: 江苏省委办公厅 → 中共江苏省委办公厅.

    Documents print both forms (a cover says 江苏省委办公厅, the tables' 部门： line
    中共江苏省委办公厅); one department must be one node whichever document is loaded.
    """
    if name.startswith("中共") or not _PARTY_COMMITTEE.match(name):
        return name
    code, end = regions.region_prefix(name)
    return "中共" + name if code and name[end:end + 1] == "委" else name


def _choose_name(title_name: str | None, candidates: Counter[str], lines: list[str],
                 text: str) -> str | None:
    """The full name: from the title if it has one, else the most printed labelled name
    that starts with a place name, else a bare name line at the top of the document."""
    if title_name:
        return squash(title_name)
    placed = [(n, c) for n, c in candidates.most_common() if regions.region_prefix(n, text)[0]]
    if placed:
        best = max(placed, key=lambda nc: (nc[1], len(nc[0])))
        return best[0]
    for line in lines[:20]:
        m = re.fullmatch(rf"(?:\d{{3,6}})?({_NAME})", squash(line))
        if m and regions.region_prefix(m.group(1), text)[0]:
            return m.group(1)
    # The most frequent organ name starting with a place anywhere in the text.
    counts: Counter[str] = Counter(
        squash(m.group(0)) for m in re.finditer(_NAME, text)
        if regions.region_prefix(m.group(0), text)[0])
    return counts.most_common(1)[0][0] if counts else None


def _year_and_kind(title_hit: re.Match[str] | None, text: str, source: str) -> tuple[int, str]:
    if title_hit:
        kind = "final_account" if title_hit.group(3) == "决算" else "budget"
        return int(title_hit.group(2)), kind
    m = re.search(r"预算年度\s*[:：]\s*(20\d\d)", text)
    years = Counter(int(y) for y in _YEAR_KIND.findall(text)) or Counter(
        int(y) for y in _TABLE_YEAR.findall(text))
    if m:
        year = int(m.group(1))
    elif years:
        year = years.most_common(1)[0][0]
    else:
        raise MetaError(f"{source}: no fiscal year found (no 'YYYY 年预算/决算' in the text)")
    finals = len(re.findall(r"决算", text))
    budgets = len(re.findall(r"预算", text))
    kind = "final_account" if finals >= 5 and finals * 3 >= budgets else "budget"
    return year, kind


def region_chain(code: str | None) -> list[Region]:
    """Region records from the province down to the document's region."""
    return regions.chain(code)
