"""invalid-suppression: a `-- gates: allow` comment without a reason or naming an unknown rule.

Every exception to a rule must say why it is safe, so the review shows the reasoning next to the
risk; and a misspelt rule id would silently suppress nothing. The engine reports these while it
reads suppressions; this module holds the rule's id and documentation.
"""

from migrations_checks.lint.rules.rule import Rule

RULE = Rule(
    id="invalid-suppression",
    severity="error",
    category="suppression",
    summary="a suppression must name known rules and give a reason",
    hint="write `-- gates: allow <rule-id> -- <why this is safe>` on the line directly above the statement",
    bad='-- gates: allow drop-column\nALTER TABLE "users" DROP COLUMN "nickname";',
    good="-- gates: allow drop-column -- column unused since release 41, see PR 210\n"
    'ALTER TABLE "users" DROP COLUMN "nickname";',
)
