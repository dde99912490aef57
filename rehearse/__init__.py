"""`gates rehearse`: the whole staging deploy pipeline, end to end, on this machine with no account.

The rehearsal starts an embedded Postgres as the local "staging" database, runs release v1 of the
stand-in app on it, then walks the pipeline of `deploy-staging.yml` stage by stage, moving to
release v2 through the same gate code the workflows run. Every process, database and file it made
is gone when it ends, whether it passed, failed or was interrupted.
"""
