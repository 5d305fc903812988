"""Projects described in prose: ``1、项目名称：…`` followed by its budget and unit.

Some budgets (若羌) explain their project spending as a numbered list instead of (or as
well as) a table::

    1、项目名称: 政府办业务经费
    设立的政策依据：…
    预算安排规模：144.08万元
    项目承担单位：若羌县人民政府办公室
    资金分配情况：…

Each entry becomes a project (merged by name with what the tables say about it) and its
预算安排规模 an Amount: category ``project``, table ``narrative``, table_kind
``narrative_project``, ``row`` the line of the figure.  An entry runs until the next
entry or the next section heading.  A text without such entries yields nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.blocks import Paragraph
from loaders.context import Context
from loaders.kinds.registry import narrative_extractor
from loaders.normalise import UNIT_FACTORS, parse_number

TABLE_KIND = "narrative_project"
_ENTRY = re.compile(r"^\s*[（(]?\d{1,3}[)）、.．]\s*项目名称\s*[:：]\s*(\S.*?)\s*$")
_BUDGET = re.compile(r"(?:预算安排规模|预算安排金额|预算金额|预算规模|项目预算)\s*[:：]\s*"
                     r"([\d,，]+(?:\.\d+)?)\s*(亿元|万元|元)?")
_UNIT = re.compile(r"(?:项目承担单位|项目实施单位|承担单位|实施单位)\s*[:：]\s*(\S+)")
# A section heading ends the list: 八、关于…, （四）…, 第四部分 …
_NUMERAL = "[一二三四五六七八九十]+"
_SECTION = re.compile(rf"^\s*(?:{_NUMERAL}、|[（(]{_NUMERAL}[)）]|第{_NUMERAL}部分)")


@dataclass
class _Line:
    number: int | None
    text: str


def _lines(paragraphs: list[Paragraph]) -> list[_Line]:
    """Every text line of the paragraphs, with its line number in the file when known."""
    out: list[_Line] = []
    for p in paragraphs:
        for k, text in enumerate(p.text.splitlines()):
            if text.strip():
                out.append(_Line(p.line + k if p.line is not None else None, text.strip()))
    return out


@narrative_extractor
def extract_narrative_projects(paragraphs: list[Paragraph], ctx: Context) -> None:
    """Projects and their budgets from a ``项目名称：`` list, if the text has one."""
    lines = _lines(paragraphs)
    starts = [i for i, ln in enumerate(lines) if _ENTRY.match(ln.text)]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        for k in range(start + 1, end):
            if _SECTION.match(lines[k].text):
                end = k
                break
        _entry(lines[start:end], start, ctx)


def _entry(lines: list[_Line], index: int, ctx: Context) -> None:
    m = _ENTRY.match(lines[0].text)
    assert m is not None
    name = m.group(1)
    run_by = None
    budget: tuple[_Line, str, str] | None = None
    for ln in lines:
        u = _UNIT.search(ln.text)
        if u and run_by is None:
            run_by = ctx.unit(u.group(1).rstrip("。；;，,"))
        b = _BUDGET.search(ln.text)
        if b and budget is None:
            budget = (ln, b.group(1), b.group(2) or "")
    project_id = ctx.project(name, run_by=run_by)
    if budget is None:
        return
    line, printed, unit = budget
    value = parse_number(printed)
    if value is None:
        return
    if unit not in UNIT_FACTORS:
        ctx.problem(f"narrative project {name}: 预算安排规模 {printed} without a money unit")
        return
    row = line.number if line.number is not None else index
    ctx.add_amount(None, row, "project_budget", value, unit, category="project",
                   table_kind=TABLE_KIND, of=run_by or ctx.department.id, project=project_id,
                   item=name, printed=printed)
