"""Shared by the transaction rules: what transaction block, if any, a statement runs inside."""

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.statements import Statement


def enclosing_transaction(statement: Statement, context: StatementContext) -> str | None:
    """Where the statement runs inside a transaction block, said for a message; None if it does not
    (see transactions.py for the model)."""
    return context.transaction_block
