"""One module per subcommand of ``autograd-lite``: ``add_arguments(parser)`` and ``run(args)``."""
