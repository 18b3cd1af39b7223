"""The case details an investigator gives (`--case-ref`, `--exhibit-ref`, `--examiner`, `--purpose`).

Every report format carries them, under the same names as the evidence pack's manifest, so a page
printed from the HTML, a CSV opened in a spreadsheet and the JSON all say which case they belong to.
They are the investigator's words, not chat text, but they are still escaped like any other text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

LABELS = {"case_ref": "Case reference", "exhibit_ref": "Exhibit reference", "examiner": "Examiner",
          "purpose": "Purpose"}
SHORT_LABELS = {"case_ref": "Case ref", "exhibit_ref": "Exhibit ref", "examiner": "Examiner", "purpose": "Purpose"}


@dataclass(frozen=True)
class CaseDetails:
    case_ref: str = ""
    exhibit_ref: str = ""
    examiner: str = ""
    purpose: str = ""

    @classmethod
    def of(cls, values: dict[str, str] | CaseDetails | None) -> CaseDetails:
        if isinstance(values, CaseDetails):
            return values
        return cls(**{key: (values or {}).get(key) or "" for key in LABELS})

    def record(self) -> dict[str, str]:
        """The JSON `case` object (and the manifest's): every key, "" when not given."""
        return asdict(self)

    def given(self, short: bool = False) -> list[tuple[str, str]]:
        """(label, value) of each detail given, in a fixed order, for human reports."""
        labels = SHORT_LABELS if short else LABELS
        return [(labels[key], value) for key, value in asdict(self).items() if value]

    def __bool__(self) -> bool:
        return any(asdict(self).values())

    def running_header(self) -> str:
        """The line printed at the top of every page: "Case CASE-0042/24 · Exhibit RQ/1" (or "")."""
        parts = [f"Case {self.case_ref}" if self.case_ref else "", f"Exhibit {self.exhibit_ref}" if self.exhibit_ref else ""]
        return " · ".join(part for part in parts if part)
