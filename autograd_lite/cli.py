"""The ``autograd-lite`` command line.

Each subcommand lives in its own module under :mod:`autograd_lite.commands` and
exposes ``add_arguments(parser)`` and ``run(args) -> int``. A user's mistake is
reported in one line on stderr with exit status 2, never as a traceback; so are a
request for more memory than there is, and what the system refuses (``OSError``: a
full disk, a file removed under us), which are no bugs of ours.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from autograd_lite.commands import UserError

# name -> (module under autograd_lite.commands, one-line help)
COMMANDS = {
    "demo": ("demo", "J = 3(a + bc): forward, backward and every derivative"),
    "check": ("check", "autodiff against the course's hand-derived gradients, in a table"),
    "train": ("train", "train a course model on a data set, with a progress bar"),
    "graph": ("graph", "the computation graph of an expression or a program, every derivative"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-lite",
        description="A small reverse-mode autodiff engine for learning deep learning.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(f"autograd_lite.commands.{module_name}")
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except UserError as err:
        _error(args.command, str(err))
        return 2
    except MemoryError as err:  # what the commands' estimates did not foresee
        detail = f": {err}" if str(err) else ""
        _error(args.command, f"out of memory{detail}")
        return 2
    except OSError as err:  # the system refused (a full disk, a file gone): not a bug of ours
        if isinstance(err, BrokenPipeError):
            sys.stderr.close()
            return 0
        where = f" ({err.filename})" if err.filename else ""
        _error(args.command, f"{err.strerror or err}{where}")
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _error(command: str, message: str) -> None:
    """One line on stderr, whatever the message holds (a file name with a newline)."""
    line = message.replace("\r", "\\r").replace("\n", "\\n")
    print(f"autograd-lite {command}: {line}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
