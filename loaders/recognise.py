"""Which kind of table is this?  Decided by the printed title, from ``table_kinds.toml``.

The aliases live in a data file so that a new region's wording is one line to add, not a
code change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from loaders.blocks import Table
from loaders.normalise import fix_chars, squash

KINDS_FILE = Path(__file__).with_name("table_kinds.toml")


@dataclass(frozen=True)
class KindRule:
    kind: str
    titles: tuple[str, ...]
    exclude: tuple[str, ...]
    headers: tuple[str, ...]


def _norm(text: str) -> str:
    """Compare titles without spaces, radicals or quote style."""
    t = squash(fix_chars(text))
    for q in "“”\"「」『』":
        t = t.replace(q, "")
    return t.replace("(", "（").replace(")", "）")


@cache
def rules() -> tuple[KindRule, ...]:
    data = tomllib.loads(KINDS_FILE.read_text(encoding="utf-8"))
    return tuple(
        KindRule(kind, tuple(_norm(t) for t in spec.get("titles", ())),
                 tuple(_norm(t) for t in spec.get("exclude", ())),
                 tuple(spec.get("headers", ())))
        for kind, spec in data.items())


def kind_of_title(title: str, header_text: str = "") -> str | None:
    """The kind whose longest alias occurs in ``title``; None if no rule matches."""
    t = _norm(title)
    best: tuple[int, str] | None = None
    for rule in rules():
        if any(x and x in t for x in rule.exclude):
            continue
        if rule.headers and not all(h in header_text for h in rule.headers):
            continue
        for alias in rule.titles:
            if alias and alias in t and (best is None or len(alias) > best[0]):
                best = (len(alias), rule.kind)
    return best[1] if best else None


def recognise(table: Table) -> str | None:
    """Kind of a table, from its title (and the first rows when a rule asks for headers)."""
    header_text = squash("".join("".join(r) for r in table.rows[:4]))
    return kind_of_title(table.title, header_text)


def says_empty(table: Table) -> bool:
    """The document itself declares the table empty (空表说明：无此项内容, …为空表)."""
    # …or in a row of its own (此表为空); 本部门无相关收支项目 says the same.
    alone = [c for row in table.rows if len([x for x in row if x.strip()]) == 1
             for c in row if c.strip()]
    note = squash("".join(table.notes + table.caption + alone))
    return any(w in note for w in ("空表", "无此项", "本表无数据", "表为空", "无相关收支"))
