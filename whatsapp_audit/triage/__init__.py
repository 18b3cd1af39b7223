"""What happens to findings after detection, outside the evidence: reviewers' verdicts (review files),
values set aside (allowlists), and the validation figures the verdicts give (stats, merge)."""
