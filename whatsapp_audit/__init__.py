"""whatsapp-audit: audit exported WhatsApp chats, offline.

Public API (stable): `parse(path)` reads an export into messages; `open_export(path)` streams them;
`scan(path)` runs every detector and returns the findings with their provenance; `scan_case(paths)`
does so for several exports and folders of them, as one case.
"""

from __future__ import annotations

__version__ = "0.1.0"

# Imported after __version__: modules below read it while this package is still importing.
from whatsapp_audit.case import scan_case
from whatsapp_audit.ingest.export import Export, ParsedChat, open_export, parse
from whatsapp_audit.scan import scan

__all__ = ["Export", "ParsedChat", "__version__", "open_export", "parse", "scan", "scan_case"]
