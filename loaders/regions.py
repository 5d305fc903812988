"""GB/T 2260 administrative divisions: names to codes, and the chain up to the province.

The code list (county level and above, 2024, CC0) ships in ``ontology/reference``.  A
department's region is read from the start of its own name (重庆市潼南区人民政府办公室 →
重庆市 → 潼南区), each name looked up only among the divisions of the one before it, so
a name like 普陀区 (Shanghai and Zhoushan both have one) resolves by the province that
precedes it or, failing that, by which province the document mentions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ontology.records import Region

CODES_FILE = Path(__file__).resolve().parent.parent / "ontology" / "reference" / (
    "gbt2260_areacodes_2024.txt")


@dataclass(frozen=True)
class Division:
    code: str
    name: str

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "prefecture"
        return "county"


@cache
def divisions() -> dict[str, Division]:
    """All divisions by code."""
    out: dict[str, Division] = {}
    for line in CODES_FILE.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=1)
        if len(parts) == 2 and parts[0].isdigit():
            out[parts[0]] = Division(parts[0], parts[1].strip())
    return out


@cache
def _by_name() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for d in divisions().values():
        index.setdefault(d.name, []).append(d)
    return index


def parent(code: str) -> str | None:
    """The next division up that exists in the list (直辖市 districts skip to the province)."""
    level = divisions()[code].level
    if level == "province":
        return None
    if level == "county":
        pref = code[:4] + "00"
        if pref in divisions():
            return pref
    return code[:2] + "0000"


def chain(code: str | None) -> list[Region]:
    """Region records from the province down to ``code`` (each with PART_OF its parent)."""
    if not code or code not in divisions():
        return []
    out: list[Region] = []
    c: str | None = code
    while c:
        d = divisions()[c]
        p = parent(c)
        out.append(Region(code=d.code, name=d.name, level=d.level, parent_ref=p))
        c = p
    return list(reversed(out))


def _within(code: str, ancestor: str | None) -> bool:
    if ancestor is None:
        return True
    level = divisions()[ancestor].level
    prefix = ancestor[:2] if level == "province" else ancestor[:4]
    return code.startswith(prefix) and code != ancestor


def region_prefix(name: str, hint_text: str = "") -> tuple[str | None, int]:
    """The most specific division named at the start of ``name``, and where it ends.

    ``中共`` before a place name is skipped (中共江苏省委办公厅 → 江苏省).  When a name is
    ambiguous, ``hint_text`` (the document) decides by the province it mentions most.
    """
    pos = 2 if name.startswith("中共") else 0
    current: str | None = None
    names = sorted(_by_name(), key=len, reverse=True)
    while True:
        found = None
        for n in names:
            if name.startswith(n, pos):
                cands = [d for d in _by_name()[n] if _within(d.code, current)]
                if cands:
                    found = (n, _pick(cands, hint_text))
                    break
        if not found:
            break
        current = found[1].code
        pos += len(found[0])
    if current is None:
        # 江苏省委办公厅: the province name without 省 followed by 省委/省政府 …
        for d in divisions().values():
            if d.level == "province" and name.startswith(d.name[:2], pos) and d.name[:2] != "中国":
                rest = name[pos + 2:pos + 3]
                if rest in ("省", "市") or d.name.startswith(name[pos:pos + 3]):
                    return d.code, pos + len(d.name[:2])
    return current, pos


def _pick(cands: list[Division], hint_text: str) -> Division:
    if len(cands) == 1:
        return cands[0]

    def score(d: Division) -> int:
        prov = divisions().get(d.code[:2] + "0000")
        return hint_text.count(prov.name) if prov else 0

    return max(cands, key=score)
