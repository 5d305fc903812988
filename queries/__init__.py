"""The named query library: one Cypher file and one SPARQL file per query, same rows from both.

Each query ``NAME`` is the pair ``NAME.cypher`` (the Cypher subset shared by the embedded engine
and Neo4j 5) and ``NAME.rq`` (SPARQL 1.1 over the ontology's RDF properties).  Both files open
with the same header, written as comments (``//`` in Cypher, ``#`` in SPARQL), so that a reader
of either file knows what it answers and how to call it::

    // name: compare_subject
    // description: One functional subject across regions and years …
    //   (an indented line continues the field above it)
    // param: subject string 2010301 — functional subject code
    // param: year int 0 — fiscal year; 0 for every year
    // example: subject=2010301
    // money: yuan
    // percent: rate
    // counting: how the query avoids adding the same money twice

``param`` lines give name, type (``string``, ``int`` or ``decimal``), default (``""`` for the
empty text) and a description.  ``example`` is a parameter set that returns rows on the
bundled samples.  ``money`` and ``percent`` name the columns rounded to two decimals (0.01 元,
0.01 %).  Parameters are referenced as ``$name`` in both languages: Cypher passes them to the
engine; for SPARQL, where ``$name`` is an ordinary variable, each ``$name`` is replaced by
its typed literal before the query runs (``sparql_text``), because SPARQL has no parameters
and a pre-bound variable reaches neither into sub-queries nor into ``LIMIT``.
The header is parsed here, the queries are run by ``fiscal_kg.query``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

QUERY_DIR = Path(__file__).parent
TYPES = ("string", "int", "decimal")
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"

_FIELD = re.compile(r"^([a-z_]+):\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s+(\w+)\s+(\"\"|\S+)\s*(?:(?:—|--|-)\s*(.*))?$")
_DOLLAR = re.compile(r"\$([A-Za-z_]\w*)")


class QueryError(ValueError):
    """A query that does not exist, a bad header, or parameters that do not fit the query."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: its type decides how text from the command line is read."""

    name: str
    type: str
    default: Any
    description: str

    def convert(self, value: Any) -> Any:
        """``value`` (text from ``-p k=v``, or a JSON value) in this parameter's type."""
        try:
            if self.type == "int":
                if isinstance(value, bool) or (isinstance(value, float)
                                               and not value.is_integer()):
                    raise ValueError(value)
                return int(str(value).strip()) if not isinstance(value, float) else int(value)
            if self.type == "decimal":
                if isinstance(value, bool):
                    raise ValueError(value)
                return Decimal(str(value).strip())
        except (ValueError, InvalidOperation) as e:
            raise QueryError(f"parameter {self.name}: {value!r} is not {self.type_phrase}") from e
        if isinstance(value, dict | list):
            raise QueryError(f"parameter {self.name}: {value!r} is not text")
        return "" if value is None else str(value)

    @property
    def type_phrase(self) -> str:
        return {"int": "a whole number", "decimal": "a number", "string": "text"}[self.type]

    def as_dict(self) -> dict[str, Any]:
        default = self.default
        if isinstance(default, Decimal):
            default = float(default)
        return {"name": self.name, "type": self.type, "default": default,
                "description": self.description}


@dataclass(frozen=True)
class Header:
    """What the comment block at the top of a query file says (the same in both files)."""

    name: str
    description: str
    params: tuple[Param, ...]
    example: dict[str, str]
    money: tuple[str, ...] = ()
    percent: tuple[str, ...] = ()
    counting: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A named query: its header and the text of both files."""

    header: Header
    cypher: str
    sparql: str

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def description(self) -> str:
        return self.header.description

    @property
    def params(self) -> tuple[Param, ...]:
        return self.header.params

    @property
    def rounded(self) -> tuple[str, ...]:
        """Columns rounded to two decimals: money (元) and percentages."""
        return self.header.money + self.header.percent

    def bind(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every declared parameter with its typed value: given ones converted, others default."""
        given = dict(given or {})
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise QueryError(f"{self.name}: unknown parameter(s) {', '.join(unknown)} "
                             f"(parameters: {known})")
        return {p.name: p.convert(given[p.name]) if p.name in given else p.default
                for p in self.params}

    def cypher_params(self, bound: dict[str, Any]) -> dict[str, Any]:
        """Values as the property-graph engines take them (decimals as floats)."""
        return {k: float(v) if isinstance(v, Decimal) else v for k, v in bound.items()}

    def sparql_text(self, bound: dict[str, Any]) -> str:
        """The SPARQL text with every declared ``$name`` replaced by its typed literal."""
        def literal(match: re.Match[str]) -> str:
            name = match.group(1)
            return sparql_literal(bound[name]) if name in bound else match.group(0)

        return _DOLLAR.sub(literal, self.sparql)

    def as_dict(self) -> dict[str, Any]:
        """The entry of ``fiscal-kg query --list --json``."""
        return {"name": self.name, "description": self.description,
                "parameters": [p.as_dict() for p in self.params],
                "example": dict(self.header.example)}


def sparql_literal(value: Any) -> str:
    """A Python value as a SPARQL literal (text escaped, numbers typed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return f'"{Decimal(str(value))}"^^<{XSD_DECIMAL}>'
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"),
                         ("\t", "\\t")):
        text = text.replace(raw, escaped)
    return f'"{text}"'


# ------------------------------------------------------------------------------------------
# Header parsing
# ------------------------------------------------------------------------------------------


def comment_block(text: str, marker: str) -> list[str]:
    """The comment lines at the top of a file, without their marker."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith(marker):
            break
        body = stripped[len(marker):]
        lines.append(body[1:] if body.startswith(" ") else body)
    return lines


def parse_header(text: str, marker: str, where: str = "query") -> Header:
    """Parse the header of a ``.cypher`` (marker ``//``) or ``.rq`` (marker ``#``) file."""
    fields: list[tuple[str, str]] = []
    for line in comment_block(text, marker):
        if not line.strip():
            continue
        if line[:1].isspace():
            if not fields:
                raise QueryError(f"{where}: continuation line before any field: {line!r}")
            key, value = fields[-1]
            fields[-1] = (key, f"{value} {line.strip()}".strip())
            continue
        m = _FIELD.match(line)
        if not m:
            raise QueryError(f"{where}: header line is not 'key: value': {line!r}")
        fields.append((m.group(1), m.group(2).strip()))
    values: dict[str, str] = {}
    params: list[Param] = []
    for key, value in fields:
        if key == "param":
            params.append(_parse_param(value, where))
        elif key in values:
            raise QueryError(f"{where}: header field {key!r} given twice")
        else:
            values[key] = value
    unknown = set(values) - {"name", "description", "example", "money", "percent", "counting"}
    if unknown:
        raise QueryError(f"{where}: unknown header field(s) {sorted(unknown)}")
    for required in ("name", "description"):
        if not values.get(required):
            raise QueryError(f"{where}: header has no {required!r}")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryError(f"{where}: a parameter is declared twice")
    example = _parse_example(values.get("example", ""), where)
    undeclared = set(example) - set(names)
    if undeclared:
        raise QueryError(f"{where}: example names undeclared parameter(s) {sorted(undeclared)}")
    return Header(name=values["name"], description=values["description"],
                  params=tuple(params), example=example,
                  money=_columns(values.get("money", "")),
                  percent=_columns(values.get("percent", "")),
                  counting=values.get("counting", ""))


def _parse_param(value: str, where: str) -> Param:
    m = _PARAM.match(value)
    if not m:
        raise QueryError(f"{where}: param line must be 'name type default — description': "
                         f"{value!r}")
    name, type_, default, description = m.groups()
    if type_ not in TYPES:
        raise QueryError(f"{where}: parameter {name}: type {type_!r} is not one of {TYPES}")
    raw = "" if default == '""' else default
    param = Param(name=name, type=type_, default=None, description=(description or "").strip())
    return Param(name=name, type=type_, default=param.convert(raw),
                 description=param.description)


def _parse_example(value: str, where: str) -> dict[str, str]:
    example: dict[str, str] = {}
    try:
        words = shlex.split(value)
    except ValueError as e:
        raise QueryError(f"{where}: example {value!r}: {e}") from e
    for word in words:
        key, sep, raw = word.partition("=")
        if not sep or not key:
            raise QueryError(f"{where}: example item {word!r} is not k=v")
        example[key] = raw
    return example


def _columns(value: str) -> tuple[str, ...]:
    return tuple(c for c in re.split(r"[,\s]+", value) if c)


# ------------------------------------------------------------------------------------------
# The library
# ------------------------------------------------------------------------------------------


def query_names(directory: Path = QUERY_DIR) -> list[str]:
    """Names of the queries that have both files, sorted."""
    cypher = {p.stem for p in directory.glob("*.cypher")}
    sparql = {p.stem for p in directory.glob("*.rq")}
    return sorted(cypher & sparql)


def load(name: str, directory: Path = QUERY_DIR) -> NamedQuery:
    """One named query; QueryError if it does not exist or its two headers disagree."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
        raise QueryError(f"{name!r} is not a query name")
    cypher_path, sparql_path = directory / f"{name}.cypher", directory / f"{name}.rq"
    if not cypher_path.is_file() or not sparql_path.is_file():
        known = ", ".join(query_names(directory))
        raise QueryError(f"no query named {name!r} (queries: {known})")
    stamps = (cypher_path.stat().st_mtime_ns, sparql_path.stat().st_mtime_ns)
    return _load(cypher_path, sparql_path, stamps)


@lru_cache(maxsize=256)
def _load(cypher_path: Path, sparql_path: Path, _stamps: tuple[int, int]) -> NamedQuery:
    """Parse a query's two files (cached while neither file changes)."""
    cypher = cypher_path.read_text(encoding="utf-8")
    sparql = sparql_path.read_text(encoding="utf-8")
    header = parse_header(cypher, "//", cypher_path.name)
    sparql_header = parse_header(sparql, "#", sparql_path.name)
    if header.name != cypher_path.stem:
        raise QueryError(f"{cypher_path.name}: header names it {header.name!r}")
    if header != sparql_header:
        raise QueryError(f"{cypher_path.stem}: the headers of the .cypher and .rq files differ")
    return NamedQuery(header=header, cypher=cypher, sparql=sparql)


def all_queries(directory: Path = QUERY_DIR) -> list[NamedQuery]:
    """Every named query, sorted by name."""
    return [load(name, directory) for name in query_names(directory)]
