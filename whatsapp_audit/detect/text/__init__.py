"""Text utilities shared by the detectors: normalising against obfuscation, grapheme clusters,
time-limited regexes and keyword tries."""
