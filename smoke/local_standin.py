"""The local smoke's inputs from a running stand-in, so `standin up` then `pytest -m smoke` just works.

For the `local` environment, an input not set in the environment comes from the stand-in running
in the current folder or in the folder of `gates.toml` (`standin.inputs`); what is set wins. When
no stand-in runs there, a missing input's sentence ends with the command that starts one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gates.config import Environment
from standin.inputs import NoRunningStandin, running_standin_inputs


def smoke_environ(environment: Environment, folders: list[Path]) -> tuple[Mapping[str, str], str]:
    """The variables the smoke reads, and the hint to add to a missing input's sentence."""
    if not environment.is_local:
        return os.environ, ""
    try:
        return {**running_standin_inputs(folders), **os.environ}, ""
    except NoRunningStandin as absent:
        return os.environ, f"; or, for the local stand-in: {absent}"
