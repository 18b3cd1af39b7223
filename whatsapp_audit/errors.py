"""Errors the user can act on, each with its exit code.

Messages name the file and the problem and say how to fix it; they never contain message text or
participants' names, because errors end up in logs and terminals that are not evidence-handled.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes of every command."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INPUT = 3
    VERIFY_FAILED = 4
    INTERNAL = 5
    INTERRUPTED = 130


class WhatsAuditError(Exception):
    """Base of every error that is reported as one line and an exit code, never a traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UsageError(WhatsAuditError):
    exit_code = ExitCode.USAGE


class PatternError(WhatsAuditError):
    """A pattern file or rule is invalid; the message names the file, line and rule."""

    exit_code = ExitCode.USAGE

    def __init__(self, source: str, line: int | None, rule: str | None, problem: str) -> None:
        where = source if line is None else f"{source}:{line}"
        what = f" rule {rule}:" if rule else ""
        super().__init__(f"{where}:{what} {problem}")
        self.source, self.line, self.rule, self.problem = source, line, rule, problem


class InputError(WhatsAuditError):
    """The export cannot be read: missing, unreadable, not a chat, or unsafe."""

    exit_code = ExitCode.INPUT


class IntegrityError(WhatsAuditError):
    exit_code = ExitCode.VERIFY_FAILED
