"""`python -m whatsapp_audit` runs the CLI."""

from whatsapp_audit.cli.app import run

run()
