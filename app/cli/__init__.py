"""The ``zhaiyao`` command: a thin shell over the library. Library errors become one-line messages here."""

from __future__ import annotations

import sys

import click
from zhaiyao.config import Settings, load_settings
from zhaiyao.errors import ZhaiyaoError


class _Group(click.Group):
    """Turns library errors into ``error: <message>`` and their exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from zhaiyao.cli import output

        try:
            try:
                result = super().invoke(ctx)
            except SystemExit:
                output.flush_stdout()
                raise
            output.flush_stdout()
            return result
        except ZhaiyaoError as exc:
            self._fail(exc, exc.exit_code)
        except click.ClickException as exc:
            # Usage errors too are one `error:` line (click's own form is a usage block and "Error:").
            message = exc.format_message()
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                message += f" (see: {exc.ctx.command_path} -h)"
            self._fail(click.ClickException(message), exc.exit_code)
        except OSError as exc:
            failure = output.stream_failure(exc)
            if failure is None:
                raise
            self._fail(failure, failure.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; finished work is kept", err=True)
            sys.exit(130)
        except _Terminated:
            click.echo("terminated; finished work is kept", err=True)
            sys.exit(128 + 15)
        return None

    @staticmethod
    def _fail(exc: Exception, code: int) -> None:
        from zhaiyao.cli import output

        if isinstance(exc, output.OutputError):
            output.silence_stdout()
        output.echo_error(exc)
        sys.exit(code)


class _Terminated(BaseException):
    """SIGTERM (``kill``, a service manager, a closed CI job), raised where the process is, so the run's
    ``finally`` blocks mark it interrupted as Ctrl-C does, instead of leaving it 'running'."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zhaiyao")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Zhaiyao (摘要): Chinese news pages into clean articles and short, faithful summaries."""
    import signal
    import threading

    from zhaiyao.summarise.options import GenerationOptions

    # Only the main thread may set a handler; a command may install its own (view).
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
        signal.SIG_DFL,
        _on_sigterm,
    ):
        signal.signal(signal.SIGTERM, _on_sigterm)
    ctx.obj = load_settings()
    # zhaiyao.toml's [generation] and ZHAIYAO_GENERATION are checked as --option is, before any work
    # (they were otherwise read only when a model loads, and never with the extractive backend).
    GenerationOptions.build((), ctx.obj.generation, "[generation] / ZHAIYAO_GENERATION")


def settings_from(ctx: click.Context) -> Settings:
    return ctx.find_root().obj


def _register() -> None:
    # Each command lives in a module of its own (``app/cli/*_cmd.py``, exporting COMMANDS); they are
    # collected here so `main` stays the one entry point and adding a command touches one file.
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.endswith("_cmd"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for command in module.COMMANDS:
                main.add_command(command)


_register()
