"""Subcommands of `gates` that belong to no gate package (`gates init`)."""
