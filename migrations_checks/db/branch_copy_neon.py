"""Copies of a Neon branch: a child branch, taken now, with its own read-write compute.

Works through `gates.neon.NeonLike` (the `NeonClient` of the Neon API). Neon makes the branch from
the parent's history: nothing here connects to the target.

Refusals: the configured branch must resolve, in the configured project, to a branch (not the id
of something else), and the new branch must really be its child; a copy whose URL is a configured
staging or production database is deleted unused.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping

from gates.dsn import mask
from gates.neon import Branch, NeonError, NeonLike
from gates.servers import same_database
from migrations_checks.db.branch_copy import COPY_PREFIX, STALE_AFTER_S, CopyError, DatabaseCopy, copy_created_at


class NeonBranchCopies:
    """`CopyProvider` over Neon: `create` branches the configured branch at its head."""

    def __init__(
        self,
        client: NeonLike,
        *,
        project_id: str,
        parent: str,
        database: str,
        role: str,
        budget_s: float,
        protected: Mapping[str, str],
    ) -> None:
        self._client = client
        self._project_id = project_id
        self._parent_name = parent
        self._database = database
        self._role = role
        self._budget_s = budget_s
        self._protected = protected

    @property
    def description(self) -> str:
        return f"the Neon branch {self._parent_name} of project {self._project_id}"

    def create(self, name: str) -> DatabaseCopy:
        parent = self._resolve_parent()
        created = self._client.create_branch(name, parent_id=parent.id, parent_timestamp=None)
        branch = created.branch
        try:
            if branch.parent_id != parent.id:
                raise CopyError(
                    f"Neon created {branch.id} with parent {branch.parent_id}, not {parent.id} ({self._parent_name}); "
                    "refusing to use it"
                )
            self._client.wait_for_operations(created.operations, budget_s=self._budget_s)
            url = created.connection_uri or self._client.connection_uri(
                branch.id, database=self._database, role=self._role
            )
            for variable, protected in self._protected.items():
                if same_database(url, protected):
                    raise CopyError(f"the new branch's URL {mask(url)} is the database in {variable}; refusing it")
        except BaseException:
            self._delete_unused(branch.id)
            raise
        return DatabaseCopy(id=branch.id, name=name, url=url, created_at=time.time())

    def delete(self, copy: DatabaseCopy) -> None:
        self._client.delete_branch(copy.id)  # 204/404 (already gone) count as deleted

    def sweep(self, *, now: float, older_than_s: float = STALE_AFTER_S) -> list[str]:
        swept = []
        for branch in self._client.list_branches():
            if not branch.name.startswith(COPY_PREFIX) or copy_created_at(branch.name) is None:
                continue
            if now - branch.created_at.timestamp() > older_than_s:
                self._client.delete_branch(branch.id)
                swept.append(branch.name)
        return swept

    def _delete_unused(self, branch_id: str) -> None:
        """Delete a branch the run cannot use, keeping the error that made it unusable the one shown."""
        with contextlib.suppress(NeonError):  # if Neon refuses, the next run's sweep deletes it after an hour
            self._client.delete_branch(branch_id)

    def _resolve_parent(self) -> Branch:
        try:
            branch = self._client.find_branch(self._parent_name)
        except NeonError as error:
            raise CopyError(
                f"refusing to replay: {self._parent_name!r} is not a branch of Neon project "
                f"{self._project_id} ({error})"
            ) from None
        if not branch.id.startswith("br-"):
            raise CopyError(f"refusing to replay: {self._parent_name!r} resolves to {branch.id}, not a Neon branch")
        return branch
