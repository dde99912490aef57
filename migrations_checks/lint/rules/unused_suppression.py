"""unused-suppression: a `-- gates: allow` comment for a rule that does not fire there.

A stale suppression hides nothing today, but it would silently hide the next risky edit of that
statement. Shown in reviews (info) so it gets cleaned up; it never blocks a deploy.
"""

from migrations_checks.lint.rules.rule import Rule

RULE = Rule(
    id="unused-suppression",
    severity="info",
    category="suppression",
    summary="a suppression that suppresses nothing",
    hint="remove the suppression, or move it directly above the statement it is meant for",
    bad='-- gates: allow drop-column -- left over from an edit\nALTER TABLE "users" ADD COLUMN "nickname" text;',
    good='-- gates: allow drop-column -- unused since release 41\nALTER TABLE "users" DROP COLUMN "nickname";',
)
