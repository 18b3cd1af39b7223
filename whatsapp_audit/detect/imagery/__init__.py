"""Crime-scene images: media shared beside talk of a scene, body, victim or injuries."""

from whatsapp_audit.detect.imagery.detector import ImageryDetector

__all__ = ["ImageryDetector"]
