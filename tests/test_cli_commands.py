"""Commands are imported when run: the table names every command module, and `parse` loads no other."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from whatsapp_audit.cli.app import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
COMMAND_MODULES = sorted(p.stem for p in (ROOT / "whatsapp_audit" / "cli" / "commands").glob("*.py") if p.stem != "__init__")


def test_every_command_module_is_listed_under_its_own_name():
    assert sorted(COMMANDS.values()) == COMMAND_MODULES
    for name, module in COMMANDS.items():
        assert importlib.import_module(f"whatsapp_audit.cli.commands.{module}").command.name == name
    assert cli.get_command(None, "no-such-command") is None  # type: ignore[arg-type]


def test_parse_imports_no_other_command(tmp_path):
    export = tmp_path / "chat.txt"
    export.write_text("14/03/2022, 18:05 - Ana Pike: on my way\n", encoding="utf-8")
    probe = (
        "import json, sys\n"
        "from whatsapp_audit.cli.app import main\n"
        f"code = main(['parse', {str(export)!r}])\n"
        "sys.stdout.write(json.dumps([code, sorted(m for m in sys.modules if m.startswith(("
        "'whatsapp_audit.cli.commands.', 'whatsapp_audit.merge', 'whatsapp_audit.redact', 'spacy')))]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    code, loaded = json.loads(out.splitlines()[-1])
    assert code == 0
    assert loaded == ["whatsapp_audit.cli.commands.parse"]
