"""What a document says about itself, tested against itself: a load-time report.

The identity checks (``loaders.checks``) test the figures; this pass tests the statements
the text makes that are not figures but can be read against them or against the document:

* **Comparisons.**  The 决算 template explains each 项 with ``年初预算为 A 万元，支出决算为
  B 万元。决算数小于预算数的主要原因：…`` (and the department total with ``完成年初预算的
  98.20%``).  The stated relation (大于 / 小于 / 等于 / 持平 / 基本持平) and rate must hold
  for A and B.  基本持平 allows a difference of up to 1 % of the budget.
* **Years.**  A final account reports on its own year: its headings name that year
  (``2024年度部门决算情况说明``) and its asset figures are dated at that year's end
  (``截至2024年12月31日``).  Budgets date assets in the year before and are not tested.
* **Placeholders.**  Text of the blank template left in a disclosure (``上海市普陀区XX局``).
* **Contents.**  The tables the contents list (目录) name are printed (``三、支出决算表``).
* **Empty tables.**  A recognised table with no figure at all must say it is empty
  (``…故本表为空表``, ``本表无数据``); one that does not has lost its rows.  A table whose
  note calls it empty but which prints figures contradicts itself.

Each finding is a ``Problem`` (severity ``error``, or ``warning`` for an empty table) with
the page it is on.  Nothing here emits records.
"""

from __future__ import annotations

import re
from decimal import Decimal

from loaders.blocks import Paragraph, Table
from loaders.context import Context
from loaders.kinds.registry import narrative_extractor
from loaders.normalise import fix_chars, parse_number, squash
from loaders.recognise import kind_of_title, says_empty
from ontology.records import Problem

_NUM = r"(\d[\d,，]*(?:\.\d+)?)"
_PLAN_ACTUAL = re.compile(
    rf"年初预算(?:数)?为{_NUM}万元[，,]?(?:支出)?决算(?:数)?为{_NUM}万元"
    r"(?:[，,]完成(?:年初)?预算(?:数)?的?(\d+(?:\.\d+)?)[%％])?"
    r"[。；;，,]?(?:决算数(大于|小于|等于|与预算数基本持平|与预算数持平|基本持平|持平))?")
_RELATIONS = {"大于": ">", "小于": "<", "等于": "=", "持平": "=", "与预算数持平": "=",
              "基本持平": "≈", "与预算数基本持平": "≈"}
_CLOSE_ENOUGH = Decimal("0.01")  # 基本持平: within 1 % of the budget
_AS_OF = re.compile(r"截至(20\d\d)年12月31日")
_YEAR_HEADING = re.compile(r"(20\d\d)年度?(?:部门|单位)?决算")
_PLACEHOLDER = re.compile(r"(?:[XxＸ×]{2,})(?=[局部委办厅中心单位（(]|$)")
_CONTENTS = re.compile(r"^目录$")
_ENTRY = re.compile(
    r"(?:^|(?<=表))\s*(?:[一二三四五六七八九十]+、|\d{1,2}\s*[.．、])\s*([^。；]{2,60}?表)"
    r"(?=\s*(?:[.．…·\s\d]*$|[一二三四五六七八九十]+、|\d{1,2}\s*[.．、]))")
_YEAR_PREFIX = re.compile(r"^(?:20\d\d年度?)")
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
# A contents entry naming a part of the document, not a table: 五、部门预算表.
_SECTION_ENTRY = re.compile(r"^(?:区级|市级|县级)?(?:部门|单位)(?:预算|决算)表$")


@narrative_extractor
def check_document_consistency(paragraphs: list[Paragraph], ctx: Context) -> None:
    """Report what the document says about itself that does not hold (module docstring)."""
    for p in paragraphs:
        text = squash(fix_chars(p.text))
        _comparisons(text, p, ctx)
        if ctx.kind == "final_account":
            _years(text, p, ctx)
        for m in _PLACEHOLDER.finditer(text):
            _report(ctx, p, f"the text still holds the template's placeholder "
                            f"{text[max(0, m.start() - 8):m.end() + 4]!r}")
    _contents(paragraphs, ctx)
    _empty_tables(ctx)


def _report(ctx: Context, p: Paragraph | None, message: str, *, table: Table | None = None,
            severity: str = "error") -> None:
    ctx.records.problems.append(Problem(
        source=ctx.read.source, message=message, table=table.title if table else None,
        page=table.page if table else (p.page if p else None), row=None, severity=severity))


def _comparisons(text: str, p: Paragraph, ctx: Context) -> None:
    for m in _PLAN_ACTUAL.finditer(text):
        plan, actual = parse_number(m.group(1)), parse_number(m.group(2))
        if plan is None or actual is None:
            continue
        said = f"年初预算为{m.group(1)}万元，支出决算为{m.group(2)}万元"
        relation = m.group(4)
        if relation and not _holds(_RELATIONS[relation], actual, plan):
            _report(ctx, p, f"{said}，but the text says 决算数{relation}预算数")
        rate = m.group(3)
        if rate and plan:
            places = len(rate.split(".")[1]) if "." in rate else 0
            computed = (actual / plan * 100).quantize(Decimal(1).scaleb(-places))
            step = Decimal(1).scaleb(-places)
            if abs(computed - Decimal(rate)) > step:
                _report(ctx, p, f"{said}: that is {computed}% of the budget, "
                                f"but the text says 完成预算的{rate}%")


def _holds(relation: str, actual: Decimal, plan: Decimal) -> bool:
    if relation == ">":
        return actual > plan
    if relation == "<":
        return actual < plan
    if relation == "=":
        return actual == plan
    return abs(actual - plan) <= abs(plan) * _CLOSE_ENOUGH


def _years(text: str, p: Paragraph, ctx: Context) -> None:
    year = ctx.fiscal_year
    for m in _AS_OF.finditer(text):
        if int(m.group(1)) != year:
            _report(ctx, p, f"a {year} final account states a figure {m.group(0)} "
                            f"(expected 截至{year}年12月31日)")
    if p.heading or _PART.match(text):  # a heading, not a sentence comparing years
        for m in _YEAR_HEADING.finditer(text):
            if int(m.group(1)) != year:
                _report(ctx, p, f"the heading {text!r} names {m.group(1)}, but the document "
                                f"is the {year} final account")


def _norm_title(title: str) -> str:
    t = squash(fix_chars(title))
    for q in "“”\"「」『』":
        t = t.replace(q, "")
    return _YEAR_PREFIX.sub("", t).replace("(", "（").replace(")", "）")


def _contents(paragraphs: list[Paragraph], ctx: Context) -> None:
    """Tables the contents name that the document does not print."""
    start = next((k for k, p in enumerate(paragraphs)
                  if _CONTENTS.match(squash(p.text))), None)
    if start is None:
        return
    page = paragraphs[start].page
    entries: list[str] = []
    for p in paragraphs[start + 1:]:
        if page is not None and p.page is not None and p.page > page + 1:
            break
        entries.extend(m.group(1) for m in _ENTRY.finditer(squash(fix_chars(p.text))))
    titles = [_norm_title(t.title) for t in ctx.read.tables() if t.title]
    # The contents may word a title differently from the page (政府性基金支出预算表 for
    # 财政拨款政府性基金支出预算表, 政府采购支出预算表 for 2018年政府采购预算表): a printed
    # table of the kind the entry names is the entry.
    kinds = {kind_of_title(t.title) for t in ctx.read.tables() if t.title} - {None}
    listed = [(e, _norm_title(e)) for e in dict.fromkeys(entries)
              if not _SECTION_ENTRY.match(_norm_title(e))]
    present = [e for e, n in listed if n in titles or kind_of_title(e) in kinds]
    if len(present) < 3 or 2 * len(present) < len(listed):
        return  # not a list of the tables this document prints
    for entry, _ in listed:
        if entry not in present:
            _report(ctx, paragraphs[start], f"the contents list the table {entry!r}, but "
                                            "the document does not print it")


def _empty_tables(ctx: Context) -> None:
    """Recognised tables without a single figure that do not say they are empty, and
    tables said to be empty that print figures other than 0."""
    tables = {t.line: t for t in ctx.read.tables()}
    for report in ctx.records.tables:
        table = tables.get(report.line)
        if report.kind is None or table is None:
            continue
        if says_empty(table) and any(parse_number(c) for row in table.rows for c in row):
            _report(ctx, None, "the note says the table is empty (空表), but it prints "
                               "figures; they are loaded", table=table, severity="warning")
            continue
        if report.amounts or says_empty(table):
            continue
        if any(parse_number(c) is not None for row in table.rows for c in row):
            continue
        _report(ctx, None, "the table prints no figure and does not say it is empty "
                           "(空表); its rows may be missing", table=table, severity="warning")
