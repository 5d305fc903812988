"""Projects explained in sections of their own: ``X项目经费情况说明`` (上海 budgets).

A 上海 district budget ends with one section per major project, always in the same
seven parts::

    科技创新专项经费情况说明
    一、项目概述 … 二、立项依据 … 三、实施主体 … 四、实施方案 … 五、实施周期 …
    六、年度预算安排
    2025年度项目总预算1720.00万，其中各级企业技术中心及专精特新认定1720.00万。
    七、绩效目标
    详见单位的项目绩效目标表

Each section becomes a project named by its heading (``科技创新专项``; a heading that
names no project, plain ``项目经费情况说明``, is skipped).  Its budget is loaded when the
年度预算安排 part states one figure for the whole project — ``项目总预算 1720.00 万`` or
a bare ``795万元`` — as an Amount of category ``project``, table ``narrative``, table_kind
``narrative_project``.  Parts that only list components or quarterly instalments are not
added up: nothing is loaded that the document does not print.  The 绩效目标 part is the
project's goal unless it only refers to another table (``详见…``).
"""

from __future__ import annotations

import re

from loaders.blocks import Paragraph
from loaders.context import Context
from loaders.kinds.registry import narrative_extractor
from loaders.normalise import fix_chars, parse_number, squash

TABLE_KIND = "narrative_project"
_HEADING = re.compile(r"^(.*?)(?:项目)?经费情况说明$")
_PART = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
_TOTAL = re.compile(
    r"(?:项目总预算|总预算|预算总额)(?:为|是)?\s*(\d[\d,，]*(?:\.\d+)?)\s*(万元|万|元)")
_BARE = re.compile(r"^(\d[\d,，]*(?:\.\d+)?)\s*(万元|万|元)[。.]?$")


def _sections(paragraphs: list[Paragraph]) -> list[tuple[str, list[Paragraph]]]:
    """(project name, paragraphs of its section) for each named project section."""
    out: list[tuple[str, list[Paragraph]]] = []
    current: list[Paragraph] | None = None
    for p in paragraphs:
        text = squash(fix_chars(p.text))
        m = _HEADING.match(text) if len(text) <= 60 else None
        if m and not _PART.match(text) and "相关情况" not in text:
            current = [] if m.group(1) else None
            if current is not None:
                out.append((m.group(1), current))
            continue
        if current is not None:
            current.append(p)
    return out


def _parts(body: list[Paragraph]) -> dict[str, list[Paragraph]]:
    """The section's parts by their title (年度预算安排, 绩效目标 …)."""
    parts: dict[str, list[Paragraph]] = {}
    title: str | None = None
    for p in body:
        m = _PART.match(squash(fix_chars(p.text)))
        if m and len(m.group(2)) <= 10:
            title = m.group(2)
            parts[title] = []
        elif title is not None:
            parts[title].append(p)
    return parts


@narrative_extractor
def extract_project_sections(paragraphs: list[Paragraph], ctx: Context) -> None:
    """Projects, their budgets and goals from ``…经费情况说明`` sections (module doc)."""
    if ctx.kind != "budget":
        return
    for name, body in _sections(paragraphs):
        parts = _parts(body)
        if "年度预算安排" not in parts:
            continue  # not the seven-part project form
        goal = " ".join(squash(fix_chars(p.text)) for p in parts.get("绩效目标", []))
        if goal.startswith("详见"):
            goal = ""
        project = ctx.project(name, goal=goal or None)
        for p in parts["年度预算安排"]:
            text = squash(fix_chars(p.text))
            m = _TOTAL.search(text) or _BARE.match(text)
            if not m:
                continue
            value = parse_number(m.group(1))
            if value is None:
                continue
            unit = "万元" if m.group(2).startswith("万") else "元"
            ctx.add_amount(None, p.line or 0, f"project_section{m.start(1)}", value, unit,
                           category="project", table_kind=TABLE_KIND, project=project,
                           item=name, printed=m.group(1))
            break
