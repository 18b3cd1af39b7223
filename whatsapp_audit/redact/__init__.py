"""Disclosure copies: an export with its people pseudonymised and operational values masked.

`redact_export(path, output, key=load_key(...))` writes the copy and returns its log;
`Redactor` applies the same redaction to any text (the reports of `scan --redact`).
"""

from __future__ import annotations

from whatsapp_audit.redact.copy import Redaction, RedactionCheckError, redact_export
from whatsapp_audit.redact.key import CaseKey, load_key, save_key
from whatsapp_audit.redact.redactor import Redactor

__all__ = ["CaseKey", "Redaction", "RedactionCheckError", "Redactor", "load_key", "redact_export", "save_key"]
