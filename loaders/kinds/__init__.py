"""Extractors, one module per family of table kinds, each registering itself.

A module decorates its functions with ``@table_extractor("kind", …)`` or
``@narrative_extractor``; importing this package imports every module, so adding a kind
means adding a module (and its titles in ``table_kinds.toml``), nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil

from loaders.kinds.registry import NARRATIVE, TABLES, narrative_extractor, table_extractor

for _m in pkgutil.iter_modules(__path__):
    if _m.name != "registry":
        importlib.import_module(f"{__name__}.{_m.name}")

__all__ = ["NARRATIVE", "TABLES", "narrative_extractor", "table_extractor"]
