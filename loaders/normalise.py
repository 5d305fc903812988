"""Normalisation of what documents print: money, codes, indicator values, characters.

Every recogniser goes through these functions, so a rule (万元 × 10 000, 201 | 03 | 01 →
2010301, ≥95百分比 → (>=, 95, %)) is written once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# --- characters -----------------------------------------------------------------------

# Some PDF fonts map CJK glyphs to the radicals blocks instead of the unified ideographs.
# U+2F00–U+2FD5 (Kangxi radicals) fold with NFKC; the supplement block (U+2E80–U+2EFF)
# has no decomposition, so the ones seen in disclosures are listed here.
_RADICALS_SUPPLEMENT = {
    "\u2ed4": "门", "\u2ec4": "西", "\u2ee9": "黄", "\u2ecb": "车", "\u2ed7": "雨",
    "\u2ea0": "民", "\u2ebc": "肉", "\u2ec5": "见", "\u2ec8": "讠", "\u2ed1": "长",
    "\u2ed8": "青", "\u2edd": "食", "\u2ee2": "马", "\u2ee3": "骨", "\u2ee5": "鱼",
    "\u2ee7": "鸟", "\u2eea": "黾", "\u2ef2": "龟", "\u2e8c": "小", "\u2e97": "子",
    "\u2ea7": "牛", "\u2eaa": "疋", "\u2eb3": "网", "\u2eb7": "羊", "\u2ebb": "聿",
    "\u2ec6": "角", "\u2eca": "足", "\u2ecf": "邑", "\u2ed6": "阜", "\u2edb": "风",
    "\u2edc": "飞", "\u2ee0": "饣", "\u2eed": "齿", "\u2eef": "龙",
}
_RADICAL_CHARS = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fd5]")


def fix_chars(text: str) -> str:
    """Map CJK radical glyphs to the characters they stand for; leave （）：， alone.

    Full NFKC would also turn full-width punctuation into ASCII, which changes names as
    printed, so only the radical code points are normalised.
    """
    if not _RADICAL_CHARS.search(text):
        return text

    def one(m: re.Match[str]) -> str:
        ch = m.group(0)
        return _RADICALS_SUPPLEMENT.get(ch) or unicodedata.normalize("NFKC", ch)

    return _RADICAL_CHARS.sub(one, text)


_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Remove every whitespace character (cells wrap and pad names and codes)."""
    return _WS.sub("", text)


def clean_label(text: str) -> str:
    """A row label as a comparable string: no spaces, unified brackets kept as printed."""
    return squash(fix_chars(text)).strip("：:")


# --- money -----------------------------------------------------------------------------

UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
_MONEY = re.compile(r"^[-−]?\d[\d,，]*(\.\d+)?$|^[-−]?\.\d+$")
_UNIT_IN_TEXT = re.compile(r"(?:金额单位|单位)\s*[:：]\s*(万元|元|亿元)")


def money_unit(texts: list[str] | str, default: str | None = None) -> str | None:
    """The money unit printed in a caption (``金额单位：万元``, ``单位：元``)."""
    if isinstance(texts, str):
        texts = [texts]
    for t in texts:
        m = _UNIT_IN_TEXT.search(squash(t).replace("单位:", "单位："))
        if m:
            return m.group(1)
    return default


def parse_number(text: str | None) -> Decimal | None:
    """A printed number as Decimal, or None for blanks, dashes and words.

    Accepts thousands separators and a leading minus; rejects anything else so that a
    label is never mistaken for a value.
    """
    if text is None:
        return None
    t = squash(text).replace("−", "-")
    if t in ("", "-", "—", "--", "/", "——", "－"):
        return None
    if not _MONEY.match(t):
        return None
    try:
        return Decimal(t.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Convert a printed amount to 元 exactly (Decimal, no float rounding)."""
    return value * UNIT_FACTORS[unit]


def tolerance_yuan(unit: str, printed: str | None = None) -> Decimal:
    """One unit of the printed precision, in 元: 0.01 万元 = 100 元, 0.01 元 = 0.01 元."""
    places = 2
    if printed and "." in printed:
        places = len(squash(printed).split(".")[1])
    return UNIT_FACTORS[unit] * Decimal(1).scaleb(-places)


# --- subject codes ------------------------------------------------------------------

_DIGITS = re.compile(r"^\d+$")


def join_code(*parts: str | None) -> str | None:
    """Join a code printed over 类/款/项 columns: ('201', '03', '01') → '2010301'.

    Also accepts one cell holding the whole code (with stray spaces) or a code with
    separators ('201 | 03 | 01').  Returns None when the cells hold no code.  A 款 or 项
    cell that lost its leading zero in a spreadsheet export ('301', '2') is '02'.
    """
    pieces = []
    for p in parts:
        if p is None:
            continue
        s = re.sub(r"[\s|｜]", "", p)
        if not s:
            continue
        if not _DIGITS.match(s):
            return None
        if pieces and len(s) == 1:
            s = "0" + s
        pieces.append(s)
    if not pieces:
        return None
    code = "".join(pieces)
    return code if len(code) in (3, 5, 7) else None


def subject_level(code: str) -> int:
    """Level in the subject tree from the code length: 3 → 类 1, 5 → 款 2, 7 → 项 3."""
    return {3: 1, 5: 2, 7: 3}[len(code)]


def parent_code(code: str) -> str | None:
    """The broader subject: 2010301 → 20103 → 201 → None."""
    return {7: code[:5], 5: code[:3]}.get(len(code))


_LEADING_CODE = re.compile(r"^\s*(\d{3}(?:\s*\d{2}){0,2})\s*(\S.*)$")


def split_code_name(text: str) -> tuple[str | None, str]:
    """'201 一般公共服务支出' → ('201', '一般公共服务支出'); no code → (None, text)."""
    m = _LEADING_CODE.match(text)
    if m:
        code = squash(m.group(1))
        if len(code) in (3, 5, 7):
            return code, m.group(2).strip()
    return None, text.strip()


# --- indicator values -----------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorValue:
    """A target or actual as printed, split into operator, number, unit and text."""

    operator: str | None
    value: Decimal | None
    unit: str | None
    text: str


_OPS = {
    "≥": ">=", ">=": ">=", "＞=": ">=", "≧": ">=", "大于等于": ">=", "不低于": ">=", "不少于": ">=",
    "≤": "<=", "<=": "<=", "＜=": "<=", "≦": "<=", "小于等于": "<=", "不高于": "<=", "不超过": "<=",
    "=": "=", "＝": "=", "等于": "=",
    ">": ">", "＞": ">", "大于": ">",
    "<": "<", "＜": "<", "小于": "<",
}
_OP_WORDS = sorted(_OPS, key=len, reverse=True)
_UNIT_ALIASES = {"百分比": "%", "％": "%", "百分之": "%"}
_VALUE = re.compile(r"^(-?\d[\d,]*(?:\.\d+)?)(.*)$")
QUALITATIVE_WORDS = ("定性",)


def parse_operator(text: str | None) -> str | None:
    """A printed comparison (≥, ＝, 定性 …) as one of records.OPERATORS."""
    if text is None:
        return None
    t = squash(text)
    if not t:
        return None
    if t in QUALITATIVE_WORDS:
        return "qualitative"
    return _OPS.get(t)


def normalise_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    u = squash(unit)
    return _UNIT_ALIASES.get(u, u) or None


def parse_indicator_value(text: str | None, operator: str | None = None,
                          unit: str | None = None) -> IndicatorValue:
    """Split a printed indicator value: ``≥95百分比`` → (>=, 95, %); ``定性`` text kept.

    ``operator`` and ``unit`` are the separately printed 指标性质 / 度量单位 columns when a
    table has them; they win over what the value text implies.  A value with no number
    (``有效提升``) is qualitative and keeps its text.
    """
    raw = (text or "").strip()
    t = squash(raw)
    op = parse_operator(operator) if operator is not None else None
    for word in _OP_WORDS:
        if t.startswith(word):
            op = op or _OPS[word]
            t = t[len(word):]
            break
    m = _VALUE.match(t)
    if m and op != "qualitative":
        number = Decimal(m.group(1).replace(",", ""))
        u = normalise_unit(unit) or normalise_unit(m.group(2)) or None
        return IndicatorValue(op or "=", number, u, raw)
    return IndicatorValue("qualitative", None, normalise_unit(unit), raw)
