"""Operational data: identifiers and police material that should not sit in a personal chat."""

from whatsapp_audit.detect.operational.detector import OperationalDetector

__all__ = ["OperationalDetector"]
