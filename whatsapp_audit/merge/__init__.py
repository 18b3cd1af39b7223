"""Several exports of one chat (several members' phones) as one timeline.

`merge_exports([path, path, ...])` aligns them and says, per export, which messages it lacks within
the period it covers, which it shows as deleted, what falls before its first or after its last
message (joined late, the export cap, left early), and where its words differ (edits).
"""

from __future__ import annotations

from whatsapp_audit.merge.model import Author, Copy, Gaps, MergedExport, MergedMessage, MergeResult
from whatsapp_audit.merge.run import merge_exports

__all__ = ["Author", "Copy", "Gaps", "MergeResult", "MergedExport", "MergedMessage", "merge_exports"]
