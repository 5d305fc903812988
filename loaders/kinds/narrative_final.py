"""Figures a final account (部门决算) states in its prose rather than in a table.

The 部门决算说明 template repeats its key figures in sentences, and some documents print
nothing else (their tables are lost, e.g. when the PDF text lost its layout):

* one sentence per 项 of the functional classification, with its execution rate —
  ``1.一般公共服务（类）政府办公厅（室）及相关机构事务（款）行政运行（项）：支出决算为
  881.48 万元，完成预算 99.56%``;
* the 类 totals — ``一般公共服务（类）支出 1308.16 万元，占 80.88%``;
* document-level figures — 本年收入合计, 本年支出合计, 基本支出, 项目支出, 人员经费,
  日常公用经费, “三公”经费 and its parts, 机关运行经费, 政府采购支出总额, and the
  收入支出总计 / 财政拨款收入支出总计 (the year plus carry-overs);
* 上海 states each 项 with its plan: ``1、一般公共服务支出（类）财政事务（款）行政运行（项）。
  主要用于：…。年初预算为1560.05万元，支出决算为1511.89万元。`` — both are loaded, the
  first with measure ``budget``.

Each becomes an Amount with table ``narrative`` and table_kind ``narrative_final``, so a
query can tell prose figures from table cells.  A figure stated twice (the template says
本年支出合计 in three places) is loaded once; a later statement only adds the execution
rate the first one lacked, and a later statement with another value is reported as a
problem, not loaded.

Subjects are resolved by name with ``ontology.subjects``: the 类 by its name (with or
without 支出), the 款 under its 类 and the 项 under its 款.  Names the official scheme has
changed since (2020 printed 行政事业单位离退休 for today's 行政事业单位养老支出) are matched
through ``FORMER_NAMES``, then by a tolerant comparison (支出 ignored, one name ending
with the other), and a 项 whose 款 is not found is looked up among all 项 of its 类.  A
subject that still cannot be resolved is reported, not loaded without its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from loaders.blocks import Paragraph
from loaders.context import Context
from loaders.kinds.registry import narrative_extractor
from loaders.normalise import parse_number
from ontology.subjects import code_for, code_list, normalise_name

TABLE_KIND = "narrative_final"


@dataclass(frozen=True)
class Rule:
    """A printed label, and what the amount stated right after it measures."""

    label: str  # regular expression for the label as printed
    category: str
    fund: str
    requires: str | None = None  # a word the same sentence must also hold
    # a figure of its own although category and fund are another's (总计 beside 合计)
    figure: str | None = None


# Longer labels are tried first where two start at the same place (一般公共预算财政拨款
# 基本支出 before 基本支出).  人员经费 / 公用经费 and the “三公” family are stated for the
# 一般公共预算财政拨款 in the template; 项目支出 counts only beside 基本支出 (the per-project
# paragraphs also print 项目支出 with the project's own amount).
RULES: tuple[Rule, ...] = (
    Rule(r"财政拨款收入支出总计", "total", "all", figure="财政拨款收入支出总计"),
    Rule(r"收入支出总计", "total", "all", figure="收入支出总计"),
    Rule(r"(?:本年)?收入合计", "income", "all"),
    Rule(r"一般公共预算财政拨款收入", "income", "general_public"),
    Rule(r"(?:本年)?支出合计", "total", "all"),
    Rule(r"一般公共预算财政拨款支出", "total", "general_public"),
    Rule(r"一般公共预算财政拨款基本支出", "basic", "general_public"),
    Rule(r"基本支出", "basic", "all"),
    Rule(r"项目支出", "project", "all", requires="基本支出"),
    Rule(r"人员经费", "personnel", "general_public"),
    Rule(r"(?:日常)?公用经费", "public", "general_public"),
    Rule(r"[“\"']?三公[”\"']?经费", "three_public", "general_public"),
    Rule(r"因公出国[（(]境[）)](?:经)?费(?:用)?", "overseas_travel", "general_public"),
    Rule(r"公务用车购置及运行(?:维护)?费", "vehicle_purchase_operation", "general_public"),
    Rule(r"公务用车购置(?:费|支出)", "vehicle_purchase", "general_public"),
    Rule(r"公务用车运行(?:维护)?费", "vehicle_operation", "general_public"),
    Rule(r"公务接待费", "official_reception", "general_public"),
    Rule(r"会议费", "meeting", "general_public"),
    Rule(r"培训费", "training", "general_public"),
    Rule(r"差旅费", "travel", "general_public"),
    Rule(r"机关运行经费", "office_operation", "general_public"),
    Rule(r"政府采购支出总额", "procurement", "all"),
)

# Names the official scheme (政府收支分类科目) has since changed, by code.
FORMER_NAMES: dict[str, tuple[str, ...]] = {
    "2010305": ("专项业务活动",),  # now 专项业务及机关事务管理
    "20805": ("行政事业单位离退休",),  # now 行政事业单位养老支出
    "2080501": ("归口管理的行政单位离退休",),  # now 行政单位离退休
}

# Between a label and its amount: a few words (支出决算为, 财政拨款支出, 共计), never a
# digit or clause punctuation, so an amount is never taken from the next clause.
_GAP = r"(?P<gap>[^\d，。；：,;:、%％（）()]{0,14}?)"
_AMOUNT = (r"(?P<num>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万元|亿元|元)"
           r"(?:\s*[，,]?\s*完成(?:年初)?预算(?:数)?的?\s*(?P<rate>\d+(?:\.\d+)?)\s*[%％])?")
# A gap saying how the amount changed, or what share it is, is not a statement of it.
_NOT_A_STATEMENT = re.compile(r"比|较|增|减|下降|增长|占|结转|结余|年初|上年|同比|平均|人均|车均")
_ITEM = re.compile(
    r"(?P<lei>[\u4e00-\u9fff]+?)\s*[（(]类[）)]\s*(?P<kuan>[^：:。；，]+?)\s*[（(]款[）)]"
    r"\s*(?P<xiang>[^：:。；，]+?)\s*[（(]项[）)]\s*[：:]?\s*(?:支出)?(?:决算)?数?为?\s*"
    + _AMOUNT)
# 上海: the 项, what it is used for, then 年初预算为 A 万元，支出决算为 B 万元.
_ITEM_PLAN = re.compile(
    r"(?P<lei>[\u4e00-\u9fff]+?)\s*[（(]类[）)]\s*(?P<kuan>[^：:。；，]+?)\s*[（(]款[）)]"
    r"\s*(?P<xiang>[^：:。；，]+?)\s*[（(]项[）)](?:(?![（(]类[）)]).){0,300}?"
    r"年初预算(?:数)?为\s*(?P<plan>\d[\d,，]*(?:\.\d+)?)\s*(?P<plan_unit>万元|亿元|元)\s*[，,；;]\s*"
    r"(?:支出)?决算(?:数)?为\s*" + _AMOUNT)


@dataclass
class _Fact:
    """One figure as first stated, plus where."""

    value: Decimal
    printed: str
    unit: str
    measure: str
    category: str
    fund: str
    item: str
    row: int
    col: str
    rate: Decimal | None = None
    functional: str | None = None
    figure: str | None = None


@narrative_extractor
def extract_final_narrative(paragraphs: list[Paragraph], ctx: Context) -> None:
    """Load the figures stated in the prose of a final account (see the module doc)."""
    if ctx.kind != "final_account":
        return
    facts: dict[tuple[object, ...], _Fact] = {}
    for index, paragraph in enumerate(paragraphs):
        row = paragraph.line if paragraph.line is not None else index
        for fact in _facts(paragraph.text, row, ctx):
            _keep(facts, fact, ctx)
    for fact in facts.values():
        ctx.add_amount(None, fact.row, fact.col, fact.value, fact.unit,
                       category=fact.category, fund=fact.fund, measure=fact.measure,
                       table_kind=TABLE_KIND, functional=fact.functional, item=fact.item,
                       printed=fact.printed, execution_rate=fact.rate)


def _keep(facts: dict[tuple[object, ...], _Fact], fact: _Fact, ctx: Context) -> None:
    """Keep the first statement of a figure; later ones may only add its rate."""
    key = (fact.measure, fact.category, fact.fund, fact.functional, fact.figure)
    old = facts.get(key)
    if old is None:
        facts[key] = fact
    elif old.value * _factor(old.unit) != fact.value * _factor(fact.unit):
        ctx.problem(f"narrative states {fact.item} twice with different amounts: "
                    f"{old.printed} {old.unit} (line {old.row}) and "
                    f"{fact.printed} {fact.unit} (line {fact.row}); the first is kept")
    elif old.rate is None and fact.rate is not None:
        old.rate = fact.rate


def _factor(unit: str) -> Decimal:
    return {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}[unit]


def _facts(text: str, row: int, ctx: Context) -> list[_Fact]:
    """The figures stated in one paragraph, left to right, overlapping matches dropped."""
    found: list[tuple[int, int, _Fact | None]] = []
    for m in _ITEM_PLAN.finditer(text):
        for fact in _plan_facts(m, row, ctx):
            found.append((m.start(), m.end(), fact))
    for m in _ITEM.finditer(text):
        found.append((m.start(), m.end(), _item_fact(m, row, ctx)))
    for m in _class_pattern().finditer(text):
        code = _class_code(m.group("name"))
        if code and _is_statement(m):
            ctx.functional_subject(code, code_list("functional")[code])
            found.append((m.start(), m.end(), _fact(
                m, row, "total", "general_public", functional=code,
                item=re.sub(r"\s+", "", m.group("label")), ctx=ctx)))
    for rule in RULES:
        pattern = re.compile(f"(?P<label>{rule.label}){_GAP}{_AMOUNT}")
        for m in pattern.finditer(text):
            if not _is_statement(m) or (rule.requires and rule.requires not in _sentence(text, m)):
                continue
            fact = _fact(m, row, rule.category, rule.fund, item=m.group("label"), ctx=ctx)
            fact.figure = rule.figure
            found.append((m.start(), m.end(), fact))
    out: list[_Fact] = []
    taken: tuple[int, int] | None = None
    for start, end, fact in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if taken is not None and start < taken[1] and (start, end) != taken:
            continue
        taken = (start, end)
        if fact is not None:
            out.append(fact)
    return out


def _is_statement(m: re.Match[str]) -> bool:
    gap = m.groupdict().get("gap") or ""
    return not _NOT_A_STATEMENT.search(gap)


def _sentence(text: str, m: re.Match[str]) -> str:
    start = text.rfind("。", 0, m.start()) + 1
    end = text.find("。", m.end())
    return text[start:end if end >= 0 else len(text)]


def _fact(m: re.Match[str], row: int, category: str, fund: str, *, item: str,
          ctx: Context, functional: str | None = None) -> _Fact:
    gap = m.groupdict().get("gap") or ""
    measure = "budget" if "预算" in gap and "决算" not in gap else ctx.default_measure
    value = parse_number(m.group("num"))
    assert value is not None  # the pattern only matches numbers
    rate = m.group("rate")
    return _Fact(value=value, printed=m.group("num"), unit=m.group("unit"), measure=measure,
                 category=category, fund=fund, item=item, row=row, col=f"nf{m.start()}",
                 rate=Decimal(rate) if rate is not None else None, functional=functional)


def _item_fact(m: re.Match[str], row: int, ctx: Context) -> _Fact | None:
    """A 类/款/项 statement; None (and a problem) if its subject cannot be resolved."""
    lei, kuan, xiang = (re.sub(r"\s+", "", m.group(g)) for g in ("lei", "kuan", "xiang"))
    lei_code, lei = _class_code_suffix(lei)
    item = f"{lei}（类）{kuan}（款）{xiang}（项）"
    codes = _resolve(lei_code, kuan, xiang) if lei_code else None
    if codes is None:
        ctx.problem(f"narrative subject {item} is not in the functional code list "
                    "(ontology/subjects/functional.tsv); its amount is not loaded")
        return None
    names = code_list("functional")
    for code in codes:
        ctx.functional_subject(code, names[code])
    fact = _fact(m, row, "total", "general_public", item=item, ctx=ctx, functional=codes[-1])
    fact.col = f"nf{m.start('lei')}"
    return fact


def _plan_facts(m: re.Match[str], row: int, ctx: Context) -> list[_Fact]:
    """A 项 stated with its 年初预算 and 支出决算: the budget and the actual figure."""
    actual = _item_fact(m, row, ctx)
    if actual is None:
        return []
    plan = parse_number(m.group("plan"))
    assert plan is not None  # the pattern only matches numbers
    budget = _Fact(value=plan, printed=m.group("plan"), unit=m.group("plan_unit"),
                   measure="budget", category="total", fund="general_public",
                   item=actual.item, row=row, col=f"nb{m.start('lei')}",
                   functional=actual.functional)
    return [budget, actual]


# --- subject names -----------------------------------------------------------------------

def _bare(name: str) -> str:
    return normalise_name(name).removesuffix("支出")


def _names_of(code: str) -> tuple[str, ...]:
    return (code_list("functional")[code], *FORMER_NAMES.get(code, ()))


def _child(name: str, parent: str, length: int) -> str | None:
    """The code of length ``length`` under ``parent`` printed as ``name``, if unambiguous."""
    if length == len(parent) + 2:
        code = code_for("functional", name, parent)
        if code:
            return code
    kids = [c for c in code_list("functional") if len(c) == length and c.startswith(parent)]
    wanted = _bare(name)
    exact = [c for c in kids if any(_bare(n) == wanted for n in _names_of(c))]
    if len(exact) == 1:
        return exact[0]
    loose = [c for c in kids if any(
        min(len(_bare(n)), len(wanted)) >= 4
        and (_bare(n).endswith(wanted) or wanted.endswith(_bare(n))) for n in _names_of(c))]
    return loose[0] if len(loose) == 1 else None


def _resolve(lei_code: str, kuan: str, xiang: str) -> tuple[str, str, str] | None:
    """(类, 款, 项) codes of a printed 类/款/项 path."""
    kuan_code = _child(kuan, lei_code, 5)
    xiang_code = _child(xiang, kuan_code, 7) if kuan_code else None
    if xiang_code is None:
        xiang_code = _child(xiang, lei_code, 7)  # 款 renamed or misprinted: find the 项
    if xiang_code is None:
        return None
    return lei_code, xiang_code[:5], xiang_code


def _class_code(name: str) -> str | None:
    wanted = _bare(name)
    hits = [c for c, n in code_list("functional").items() if len(c) == 3 and _bare(n) == wanted]
    return hits[0] if len(hits) == 1 else None


def _class_code_suffix(text: str) -> tuple[str | None, str]:
    """The 类 named at the end of ``text`` (the words before it may belong to the sentence)."""
    for k in range(len(text)):
        code = _class_code(text[k:])
        if code:
            return code, text[k:]
    return None, text


@cache
def _class_pattern() -> re.Pattern[str]:
    """``一般公共服务（类）支出 1308.16 万元`` and the like, for the 类 that departments use.

    The label must say 支出 or （类） so that a bare word is never taken for a 类.
    """
    bases = sorted({_bare(n) for c, n in code_list("functional").items()
                    if len(c) == 3 and "201" <= c <= "224"}, key=len, reverse=True)
    names = "|".join(re.escape(b) for b in bases)
    label = (rf"(?P<label>(?P<name>{names})\s*(?:[（(]类[）)]\s*支出|支出\s*[（(]类[）)]"
             r"|[（(]类[）)]|支出))")
    return re.compile(label + _GAP + _AMOUNT)
