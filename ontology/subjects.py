"""The classification code lists (SKOS concept schemes): code ↔ name.

Documents print most subjects with their codes; some rows and most narrative only give a
name (一、一般公共服务支出; 一般公共服务（类）…行政运行（项）).  These lists let a loader
resolve such a name to its code.  They live in ``ontology/subjects/*.tsv`` so a newcomer
can extend them without touching code.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_DIR = Path(__file__).with_name("subjects")
_CHINESE_ORDINAL = re.compile(
    r"^[一二三四五六七八九十百]+、|^\d+[.、]|^[（(][一二三四五六七八九十\d]+[)）]")


@cache
def code_list(scheme: str) -> dict[str, str]:
    """code → name for ``functional`` or ``economic``."""
    out: dict[str, str] = {}
    for line in (_DIR / f"{scheme}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, name = line.split("\t", 1)
            out[code.strip()] = name.strip()
    return out


def normalise_name(name: str) -> str:
    """Names compare without ordinals (一、), spaces, (类)/(款)/(项) and bracket style."""
    n = re.sub(r"\s+", "", name)
    n = _CHINESE_ORDINAL.sub("", n)
    n = re.sub(r"[（(](类|款|项)[)）]", "", n)
    return n.replace("(", "（").replace(")", "）")


def code_for(scheme: str, name: str, parent: str | None = None) -> str | None:
    """The code of a subject named ``name`` (under ``parent`` when given), if unambiguous.

    A 类 name may be printed without its 支出 suffix (一般公共服务（类）), so that form
    matches too.
    """
    wanted = normalise_name(name)
    hits = []
    for code, n in code_list(scheme).items():
        if parent is not None and not (code.startswith(parent) and len(code) == len(parent) + 2):
            continue
        nn = normalise_name(n)
        if wanted in (nn, nn.removesuffix("支出")) or nn == wanted + "支出":
            hits.append(code)
    return hits[0] if len(hits) == 1 else None
