"""One module per `migrations-checks` subcommand: `HELP`, `configure(parser)`, `run(args) -> int`."""
