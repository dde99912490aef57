"""`gates review`: the migration lint of one pull request, reported where its reviewers look."""
