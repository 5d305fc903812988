"""Run a named query (``queries/``) on either engine and get the same rows back.

The two engines answer in their own types: the property graph gives doubles for money and
plain ints, the RDF store exact decimals and typed literals.  Rows are normalised here so
that a caller (the command line, the API, the parity test) sees one shape whichever engine
answered: a list of dicts with the query's column names in order, money and percentages as
``Decimal`` rounded to 0.01 (元 or %), other numbers as ``int`` or ``float``, text as ``str``,
absent values as ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from fiscal_kg.config import Settings
from queries import NamedQuery, QueryError, load

ENGINES = ("cypher", "sparql")
CENT = Decimal("0.01")

Row = dict[str, Any]


def run(name: str, params: dict[str, Any] | None, *, engine: str = "cypher",
        settings: Settings) -> list[Row]:
    """Run the named query with ``params`` (text or JSON values) on ``engine``.

    Raises QueryError for an unknown query, engine or parameter, and when the engine
    cannot open its store or refuses the query (the message says which).
    """
    query = load(name)
    bound = query.bind(params)
    if engine == "cypher":
        from store.ladybug import StoreError, open_store

        try:
            with open_store(settings.ladybug_path, read_only=True,
                            timeout_ms=settings.query_timeout_ms) as store:
                return run_cypher(query, bound, store)
        except StoreError as e:
            raise QueryError(f"{name} (cypher): {e}") from e
    if engine == "sparql":
        from store.oxigraph import RdfStoreError
        from store.oxigraph import open_store as open_rdf

        try:
            with open_rdf(settings.rdf_path, base=settings.base, read_only=True) as rdf:
                return run_sparql(query, bound, rdf)
        except RdfStoreError as e:
            raise QueryError(f"{name} (sparql): {e}") from e
    raise QueryError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})")


def run_cypher(query: NamedQuery, bound: dict[str, Any], store: Any) -> list[Row]:
    """The query's Cypher on an open ``LadybugStore`` (or anything with ``query(text, params)``)."""
    return normalise(store.query(query.cypher, query.cypher_params(bound)), query)


def run_sparql(query: NamedQuery, bound: dict[str, Any], store: Any) -> list[Row]:
    """The query's SPARQL on an open ``OxigraphStore`` (or anything with ``rows(text)``)."""
    return normalise(store.rows(query.sparql_text(bound)), query)


def normalise(rows: Iterable[Row], query: NamedQuery) -> list[Row]:
    """Rows in the one shape both engines share (see the module docstring)."""
    rounded = set(query.rounded)
    return [{column: (to_cents(value) if column in rounded else plain_number(value))
             for column, value in row.items()} for row in rows]


def to_cents(value: Any) -> Decimal | None:
    """Money or a percentage as a Decimal rounded half-up to 0.01."""
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
    except (InvalidOperation, TypeError, ValueError) as e:
        raise QueryError(f"{value!r} is not a number") from e
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def plain_number(value: Any) -> Any:
    """Decimals (SPARQL xsd:decimal) as floats, like the doubles of the property graph."""
    if isinstance(value, Decimal):
        return float(value)
    return value
