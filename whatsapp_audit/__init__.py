"""whatsapp-audit: audit exported WhatsApp chats, offline.

Public API (stable): `parse(path)` reads an export into messages; `open_export(path)` streams them;
`scan(path)` runs every detector and returns the findings with their provenance; `scan_case(paths)`
does so for several exports and folders of them, as one case.

The names are imported on first use: `parse` and `inspect` start without loading the detectors
(about 90 ms of the package's import, paid again by every helper process of `parse --jobs`).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from whatsapp_audit.case import scan_case
    from whatsapp_audit.ingest.export import Export, ParsedChat, open_export, parse
    from whatsapp_audit.scan import scan

__all__ = ["Export", "ParsedChat", "__version__", "open_export", "parse", "scan", "scan_case"]

_HOMES = {"scan_case": "whatsapp_audit.case", "Export": "whatsapp_audit.ingest.export",
          "ParsedChat": "whatsapp_audit.ingest.export", "open_export": "whatsapp_audit.ingest.export",
          "parse": "whatsapp_audit.ingest.export", "scan": "whatsapp_audit.scan"}


class _Package(types.ModuleType):
    """This package, its public names imported when first asked for.

    `scan` is both a function of the API and a module: importing the module sets the package's
    attribute of that name, which is ignored here, so `whatsapp_audit.scan` stays the function."""

    def __getattr__(self, name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        super().__setattr__(name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
