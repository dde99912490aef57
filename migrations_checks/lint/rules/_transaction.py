"""Shared by the transaction rules: what transaction block, if any, a statement runs inside."""

from migrations_checks.lint.context import StatementContext
from migrations_checks.lint.statements import Statement


def enclosing_transaction(statement: Statement, context: StatementContext) -> str | None:
    """Where the statement runs inside a transaction block, said for a message; None if it does not.

    A DO block's body always runs within one statement's transaction, whatever the runner does, and
    so do the statements between a BEGIN and a COMMIT written in the file.
    """
    if statement.do_block is not None:
        return "a DO block"
    if context.options.transactional:
        return "the migration transaction"
    return "the transaction block the file opens with BEGIN" if context.in_explicit_transaction else None
