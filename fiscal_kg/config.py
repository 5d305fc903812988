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
DEFAULT_DATA_DIR = Path("data")
DEFAULT_QUERY_TIMEOUT_MS = 60_000
LADYBUG_FILE = "graph.lbug"


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run of the command line or the API."""

    data_dir: Path
    query_timeout_ms: int = DEFAULT_QUERY_TIMEOUT_MS

    @property
    def ladybug_path(self) -> Path:
        """The embedded property-graph database (one file plus its write-ahead log)."""
        return self.data_dir / LADYBUG_FILE
def data_dir(option: str | Path | None = None) -> Path:
    """The data directory: the ``--data`` option, else ``$FISCAL_KG_DATA``, else ``./data``."""
    if option:
        return Path(option)
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else DEFAULT_DATA_DIR


def settings(option: str | Path | None = None) -> Settings:
    """Settings for a data directory chosen as ``data_dir`` describes."""
    return Settings(data_dir=data_dir(option))
