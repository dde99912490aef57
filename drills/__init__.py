"""Rollback drills: each rollback performed for real, verified, undone, and timed.

`framework` runs a drill's steps with timings and always runs its restore and cleanup actions
(on failure, Ctrl-C and SIGTERM too); `report` renders drill reports as Markdown and JSON; one
module per platform holds its drill; `gate_drill_*` are the pytest gates; `cli` is `gates drill`.
"""
