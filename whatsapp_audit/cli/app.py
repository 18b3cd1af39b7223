"""The `whatsapp-audit` command group and the one place errors become exit codes.

Every command lives in `cli/commands/<name>.py` and is registered here explicitly. `main` turns a
`WhatsAuditError` into one line on stderr and its exit code, Ctrl-C into 130, and anything else into
exit 5 without a traceback (unless WA_AUDIT_DEBUG is set), so chat text never leaks via a trace.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from whatsapp_audit import __version__, collector
from whatsapp_audit.errors import ExitCode, WhatsAuditError

EXIT_CODES_HELP = """\b
Exit codes:
  0    completed, no findings at or above --fail-on
  1    completed, findings at or above --fail-on
  2    usage or configuration error (including an invalid pattern file)
  3    input error: unreadable, unsupported or unsafe export
  4    verify failed: a hash no longer matches
  5    internal error
  130  interrupted
"""


# Command name -> module under cli/commands/ (each defines `command`). Imported when the command is
# run (or listed by --help), so `parse` never pays for the imports of `scan`, `redact` or `merge`.
COMMANDS = {
    "parse": "parse", "inspect": "inspect", "scan": "scan", "check": "check", "verify": "verify",
    "redact": "redact", "merge": "merge", "review": "review", "rules": "rules", "patterns": "patterns",
}


class _LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        with collector.paused():  # the command's modules: classes and functions kept to the end
            command: click.Command = importlib.import_module(f"whatsapp_audit.cli.commands.{module}").command
        return command


@click.group(cls=_LazyGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="whatsapp-audit")
def cli() -> None:
    """Audit exported WhatsApp chats for operational data, crime-scene images and
    discriminatory language. Offline: nothing leaves this machine, and the export is never changed.
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; used by the console script and `python -m`."""
    try:
        typed = ["whatsapp-audit", *(sys.argv[1:] if argv is None else argv)]
        result = cli.main(args=argv, prog_name="whatsapp-audit", standalone_mode=False, obj={"argv": typed})
    except WhatsAuditError as error:
        click.echo(f"whatsapp-audit: error: {error}", err=True)
        return int(error.exit_code)
    except click.exceptions.Abort:
        click.echo("whatsapp-audit: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("whatsapp-audit: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.USAGE) if error.exit_code == 2 else int(error.exit_code)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as error:
        if os.environ.get("WA_AUDIT_DEBUG"):
            raise
        click.echo(
            f"whatsapp-audit: internal error ({type(error).__name__}); "
            "set WA_AUDIT_DEBUG=1 to see the traceback",
            err=True,
        )
        return int(ExitCode.INTERNAL)
    # Commands return their exit code (click hands back the return value, or Exit's code).
    return result if isinstance(result, int) else int(ExitCode.OK)


def run() -> None:
    """Console-script entry point: this process is one run (`collector.keep_for_the_run`)."""
    collector.keep_for_the_run()
    sys.exit(main())
