# Types of the optional C accelerator built from _native.c (see whatsapp_audit/native.py).
from collections.abc import Callable
from typing import Any

class Scanner:
    def __init__(
        self, message_cls: type, shape: str, style: tuple[str, bool, int, bool, str, int], order: str,
        counted: tuple[int, int], vocabulary: Any, split_author: Callable[..., Any], classify: Callable[..., Any],
        special_match: Callable[[str], Any], special_openings: bytes | None, whole_body: dict[str, Any], omitted_last_words: tuple[str, ...],
        header_like: Callable[[str], int], unparsed_cls: type, kinds: dict[Any, int], authors: dict[str, int],
        unrecognised: list[int], unparsed: list[Any], kind_text: Any, kind_system: Any, before_first: str,
        impossible: str, line_offset: int,
    ) -> None: ...
    def feed(self, block: str, /) -> list[Any]: ...
    def finish(self) -> list[Any]: ...
    def counts(self) -> tuple[int, int, int, int, int, int, int, Any, Any, Any, Any]: ...

def encode_jsonl(messages: list[Any], names: dict[str, tuple[str, str]], author_name: Callable[[str], Any], /) -> bytes | None: ...
