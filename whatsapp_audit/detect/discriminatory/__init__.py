"""Discriminatory language: abuse of a protected characteristic."""

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector

__all__ = ["DiscriminatoryDetector"]
