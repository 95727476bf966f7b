"""One module per subcommand of ``autograd-lite``: ``add_arguments(parser)`` and ``run(args)``."""

__all__ = ["UserError"]


class UserError(Exception):
    """A mistake in what the user asked for; printed as one line, exit status 2.

    Defined here, not in :mod:`autograd_lite.cli`, so that the commands, which raise it,
    do not import the command line that imports them.
    """
