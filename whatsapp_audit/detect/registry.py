"""The explicit list of detectors: adding one is one line in `DETECTORS`.

Entries are "module:Class" strings imported on demand, so a detector that needs heavy imports
costs nothing until it is used, and the list stays readable. No package scanning: what runs is
exactly what is listed here, which keeps scans reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from whatsapp_audit.detect.base import Detector

DETECTORS: tuple[str, ...] = (
    "whatsapp_audit.detect.operational:OperationalDetector",
    "whatsapp_audit.detect.imagery:ImageryDetector",
    "whatsapp_audit.detect.discriminatory:DiscriminatoryDetector",
)


def _load(entry: str) -> type[Detector]:
    module_name, _, class_name = entry.partition(":")
    detector: type[Detector] = getattr(import_module(module_name), class_name)
    return detector


def detector_classes(entries: Sequence[str] = DETECTORS) -> tuple[type[Detector], ...]:
    """The registered detector classes, in registry order."""
    return tuple(_load(entry) for entry in entries)


def create_detectors(entries: Sequence[str] = DETECTORS) -> list[Detector]:
    """Fresh, unconfigured instances of every registered detector."""
    return [cls() for cls in detector_classes(entries)]


def detector_names(entries: Sequence[str] = DETECTORS) -> tuple[str, ...]:
    return tuple(cls.name for cls in detector_classes(entries))
