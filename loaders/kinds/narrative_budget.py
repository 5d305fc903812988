"""Figures a budget (部门预算) states in its prose, for a budget that prints no tables.

Some departments publish the 部门预算情况说明 as one file and the tables as another (江苏
省级部门: ``…部门预算公开文件.pdf`` and ``…部门预算公开表.pdf``).  Loaded alone, the text
is then the only source of the budget's figures, and it states most of them::

    江苏省委办公厅2018年度收入、支出预算总计24458.43万元 …
    1．一般公共服务（类）支出20153.75万元 …
    此外，基本支出预算数为10403.11万元 … 单位预留机动经费预算数为1973.86万元 …
    （一）一般公共服务（类）
    1．党委办公厅（室）及相关机构事务（款）行政运行（项）支出8072.29万元 …
    （一）人员经费8308.53万元 …  因公出国（境）费支出70万元 …

Each becomes an Amount with table ``narrative`` and table_kind ``narrative_budget``:
the 类 and 项 figures under their functional subjects (a 项 sentence that names only 款
and 项 takes its 类 from the heading above it, ``（一）一般公共服务（类）``), the document
figures (收支总计, 基本支出, 项目支出, 单位预留机动经费, 人员经费, 公用经费, the “三公”
family, 会议费, 培训费, 机关运行经费, 政府采购) with the fund the sentence names.  A figure
stated twice is loaded once; stated again with another value, it is reported.

When the document's tables were read, they are the source and this pass does nothing: the
text repeats their figures, rounded.  Sentences of change (比上年增加 …) and shares
(占 …%) are not statements of a figure and are skipped, as in ``narrative_final``, whose
subject-name resolution this module shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from loaders.blocks import Paragraph
from loaders.context import Context
from loaders.kinds import narrative_final as final
from loaders.kinds.registry import narrative_extractor
from loaders.normalise import UNIT_FACTORS, parse_number
from ontology.subjects import code_list

TABLE_KIND = "narrative_budget"


@dataclass(frozen=True)
class Rule:
    """A printed label and what the amount stated after it is; ``key`` tells apart
    figures of the same category and fund (收入预算总计 and 财政拨款收入预算总计)."""

    label: str
    category: str
    fund: str
    key: str


RULES: tuple[Rule, ...] = (
    Rule(r"收入预算总计", "income", "all", "income_total"),
    Rule(r"财政拨款收入预算总计", "income", "all", "fiscal_income"),
    Rule(r"本年收入预算合计", "income", "all", "income_total"),
    Rule(r"一般公共预算(?:财政拨款)?收入(?:预算)?", "income", "general_public", "income"),
    Rule(r"政府性基金(?:预算)?收入(?:预算)?", "income", "government_fund", "income"),
    Rule(r"财政专户管理资金(?:收入)?(?:预算)?(?:总计)?", "income", "special_account", "income"),
    Rule(r"其他资金(?:收入)?(?:预算)?(?:总计)?", "income", "unit_funds", "income"),
    Rule(r"支出预算总计", "total", "all", "total"),
    Rule(r"本年支出预算合计", "total", "all", "total"),
    Rule(r"一般公共预算财政拨款支出(?:预算)?", "total", "general_public", "total"),
    Rule(r"基本支出", "basic", "all", "basic"),
    Rule(r"财政拨款基本支出", "basic", "all", "fiscal_basic"),
    Rule(r"一般公共预算财政拨款基本支出", "basic", "general_public", "basic"),
    Rule(r"项目支出", "project", "all", "project"),
    Rule(r"单位预留机动经费", "other", "all", "reserve"),
    Rule(r"人员经费", "personnel", "general_public", "personnel"),
    Rule(r"(?:日常)?公用经费", "public", "general_public", "public"),
    Rule(r"因公出国[（(]境[）)](?:经)?费(?:用)?", "overseas_travel", "general_public", "item"),
    Rule(r"公务用车购置及运行(?:维护)?费", "vehicle_purchase_operation", "general_public", "item"),
    Rule(r"公务用车购置(?!及)(?:费)?", "vehicle_purchase", "general_public", "item"),
    Rule(r"公务用车运行(?:维护)?费", "vehicle_operation", "general_public", "item"),
    Rule(r"公务接待费", "official_reception", "general_public", "item"),
    Rule(r"会议费", "meeting", "general_public", "item"),
    Rule(r"培训费", "training", "general_public", "item"),
    Rule(r"机关运行经费", "office_operation", "general_public", "item"),
    Rule(r"政府采购(?:支出)?预算总(?:额|金额)", "procurement", "all", "item"),
)

# 款 and 项 named, the 类 in the heading above: 政协事务（款）行政运行（项）支出3,233.03万元.
# A 款 name may hold a short bracket of its own (党委办公厅（室）及相关机构事务).
_NAME_PART = r"(?:[^（）()：:。；，、\d\s．.]|[（(](?!类|款|项)[^（）()]{1,4}[）)])"
_KUAN_XIANG = re.compile(
    rf"(?P<kuan>{_NAME_PART}+?)\s*[（(]款[）)]\s*(?P<xiang>[^：:。；，]+?)\s*[（(]项[）)]"
    r"\s*[：:]?\s*(?:支出)?(?:预算)?数?为?\s*" + final._AMOUNT)
# A heading naming a 类 only: （一）一般公共服务（类）, （三）住房保障支出（类）.
_CLASS_HEADING = re.compile(
    r"^\s*[（(][一二三四五六七八九十]+[）)]\s*(?P<name>[\u4e00-\u9fff]+?)\s*(?:支出)?\s*"
    r"[（(]类[）)]\s*(?:支出)?\s*$")
_SECTION = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)")


@dataclass
class _Fact:
    value: Decimal
    printed: str
    unit: str
    category: str
    fund: str
    item: str
    key: str
    row: int
    col: str
    functional: str | None = None


@narrative_extractor
def extract_budget_narrative(paragraphs: list[Paragraph], ctx: Context) -> None:
    """Load the figures a budget states in prose when it printed no tables (module doc)."""
    if ctx.kind != "budget" or any(not a.table_kind.startswith("narrative")
                                   for a in ctx.records.amounts):
        return
    facts: dict[tuple[object, ...], _Fact] = {}
    lei: str | None = None
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.text
        heading = _CLASS_HEADING.match(text)
        if heading:
            lei = final._class_code(heading.group("name"))
        elif _SECTION.match(text):
            lei = None
        row = paragraph.line if paragraph.line is not None else index
        for fact in _facts(text, row, lei, ctx):
            _keep(facts, fact, ctx)
    for fact in facts.values():
        ctx.add_amount(None, fact.row, fact.col, fact.value, fact.unit, category=fact.category,
                       fund=fact.fund, table_kind=TABLE_KIND, functional=fact.functional,
                       item=fact.item, printed=fact.printed)


def _keep(facts: dict[tuple[object, ...], _Fact], fact: _Fact, ctx: Context) -> None:
    """The first statement of a figure stands; a restatement with another value is reported."""
    key = (fact.key, fact.category, fact.fund, fact.functional)
    old = facts.get(key)
    if old is None:
        facts[key] = fact
    elif old.value * UNIT_FACTORS[old.unit] != fact.value * UNIT_FACTORS[fact.unit]:
        ctx.problem(f"narrative states {fact.item} twice with different amounts: "
                    f"{old.printed} {old.unit} (paragraph {old.row}) and {fact.printed} "
                    f"{fact.unit} (paragraph {fact.row}); the first is kept")


def _facts(text: str, row: int, lei: str | None, ctx: Context) -> list[_Fact]:
    """The figures stated in one paragraph, left to right, overlapping matches dropped."""
    found: list[tuple[int, int, _Fact | str]] = []  # a fact, or why it is not loaded
    for m in final._ITEM.finditer(text):
        lei_code, lei_name = final._class_code_suffix(re.sub(r"\s+", "", m.group("lei")))
        found.append((m.start(), m.end(), _subject_fact(m, row, lei_code, lei_name, ctx)))
    for m in _KUAN_XIANG.finditer(text):
        found.append((m.start(), m.end(), _subject_fact(m, row, lei, None, ctx)))
    for m in final._class_pattern().finditer(text):
        code = final._class_code(m.group("name"))
        if code and final._is_statement(m):
            ctx.functional_subject(code, code_list("functional")[code])
            found.append((m.start(), m.end(), _fact(
                m, row, "total", "all", "subject", re.sub(r"\s+", "", m.group("label")),
                functional=code)))
    for rule in RULES:
        pattern = re.compile(f"(?P<label>{rule.label}){final._GAP}{final._AMOUNT}")
        for m in pattern.finditer(text):
            if final._is_statement(m):
                found.append((m.start(), m.end(), _fact(
                    m, row, rule.category, rule.fund, rule.key, m.group("label"))))
    out: list[_Fact] = []
    taken_until = -1
    for start, end, fact in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if start < taken_until:
            continue
        taken_until = end
        if isinstance(fact, str):
            ctx.problem(fact)
        else:
            out.append(fact)
    return out


def _fact(m: re.Match[str], row: int, category: str, fund: str, key: str, item: str,
          functional: str | None = None) -> _Fact:
    value = parse_number(m.group("num"))
    assert value is not None  # the pattern only matches numbers
    return _Fact(value=value, printed=m.group("num"), unit=m.group("unit"), category=category,
                 fund=fund, item=item, key=key, row=row, col=f"nb{m.start()}",
                 functional=functional)


def _subject_fact(m: re.Match[str], row: int, lei_code: str | None, lei_name: str | None,
                  ctx: Context) -> _Fact | str:
    """A 款/项 statement under its 类; the problem to report if the subject is not found."""
    kuan, xiang = (re.sub(r"\s+", "", m.group(g)) for g in ("kuan", "xiang"))
    item = f"{lei_name + '（类）' if lei_name else ''}{kuan}（款）{xiang}（项）"
    codes = final._resolve(lei_code, kuan, xiang) if lei_code else None
    if codes is None:
        return (f"narrative subject {item} is not in the functional code list "
                "(or its 类 is not named); its amount is not loaded")
    names = code_list("functional")
    for code in codes:
        ctx.functional_subject(code, names[code])
    return _fact(m, row, "total", "all", "subject", item, functional=codes[-1])
