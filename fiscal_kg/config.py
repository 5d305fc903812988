"""Where fiscal-kg keeps its data, and how a user chooses it.

The data directory defaults to ``./data``; ``FISCAL_KG_DATA`` overrides the default and the
``--data DIR`` option overrides both.  Every store lives under it, so one directory is one
knowledge graph that can be copied, backed up or deleted as a whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_ENV = "FISCAL_KG_DATA"
BASE_ENV = "FISCAL_KG_BASE"
DEFAULT_BASE = "http://127.0.0.1:8000"  # the API's own address: entity IRIs resolve there
DEFAULT_DATA_DIR = Path("data")
DEFAULT_QUERY_TIMEOUT_MS = 60_000
LADYBUG_FILE = "graph.lbug"
RDF_DIR = "rdf"


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run of the command line or the API."""

    data_dir: Path
    query_timeout_ms: int = DEFAULT_QUERY_TIMEOUT_MS
    base: str = DEFAULT_BASE  # entity IRIs are {base}/id/{kind}/{key}

    @property
    def ladybug_path(self) -> Path:
        """The embedded property-graph database (one file plus its write-ahead log)."""
        return self.data_dir / LADYBUG_FILE

    @property
    def rdf_path(self) -> Path:
        """The Oxigraph RDF store (a directory), written on every load next to the graph."""
        return self.data_dir / RDF_DIR


def data_dir(option: str | Path | None = None) -> Path:
    """The data directory: the ``--data`` option, else ``$FISCAL_KG_DATA``, else ``./data``."""
    if option:
        return Path(option)
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else DEFAULT_DATA_DIR


def base_iri() -> str:
    """The base of entity IRIs: ``$FISCAL_KG_BASE``, else the API's default address.

    It is fixed when data is loaded (the IRIs are stored), so loading and serving must agree.
    """
    return (os.environ.get(BASE_ENV) or DEFAULT_BASE).rstrip("/")


def settings(option: str | Path | None = None) -> Settings:
    """Settings for a data directory chosen as ``data_dir`` describes."""
    return Settings(data_dir=data_dir(option), base=base_iri())
