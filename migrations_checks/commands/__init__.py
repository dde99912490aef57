"""One module per `migrations-checks` subcommand: `configure(parser)`, `run(args) -> int`."""
