"""One smoke run, stage by stage, with cleanup that runs whatever happens.

Stages: `preflight` (the test user exists; earlier runs' leftovers go, since the real app caps
attempts, active plans and creates per hour), `create` (POST a tagged plan), `enqueue` (its job
row exists), `generation` (poll the status until ready or failed, or the poll budget ends),
`verify` (modules and tasks exist in the database and through the API), `regeneration` (the
regenerator replaces them, see `smoke.regeneration`), `cleanup` (delete this
run's rows and end its Clerk session). A failure names its stage, what was seen and the time
spent; cleanup runs after a pass, a failure, a timeout, Ctrl-C, SIGTERM and SIGHUP alike, on a
fresh connection, with those signals held until it is done and within its own time bound. A run
stopped by pytest-timeout fails with the same stage sentence, not with a traceback.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import httpx
import psycopg

from gates.connect import ConnectBudget, ConnectError
from gates.dsn import mask
from gates.signals import HeldSignals, terminating_like_ctrl_c
from smoke import cleanup
from smoke.api_client import ApiError, PlanApi
from smoke.auth import AuthError, AuthProvider, ClerkSessionTokens, StaticToken
from smoke.db import (
    JobRow,
    database_epoch_s,
    latest_job,
    open_database,
    plan_counts,
    plan_outcome,
    plan_owner,
    user_row_id,
)
from smoke.diagnosis import diagnose, evidence
from smoke.poller import Backoff, PollOutcome, poll
from smoke.regeneration import RegenerationFailure, regenerate
from smoke.settings import SmokeSettings
from smoke.tagging import RunTag

HTTP_TIMEOUT_S = 15.0
CONNECT_BUDGET_S = 20.0  # a Neon compute waking from zero takes a few seconds
ENQUEUE_WAIT_S = 3.0  # the app inserts the job after the plan, not in the same transaction
TRANSIENT_POLL_ERRORS = 3
LEFTOVER_MIN_AGE_S = 600.0  # for plans of runs older than deadlines in tags: longer than any sensible budget
CLEANUP_BUDGET_S = 10.0  # cleanup holds signals, so it bounds itself: connect, delete, revoke
TERMINAL = ("ready", "failed")
CLEANUP_RESERVE_S = 5.0  # of the total budget, kept for cleanup after the last leg
LIMIT_STATUSES = (429, 500)  # the app's plan limits: 429 RATE_LIMITED / ATTEMPTS_CAPPED, the quota a bare 500


class SmokeFailure(Exception):
    """The run failed; the message names the stage, what was seen and the elapsed time."""

    def __init__(self, stage: str, detail: str, elapsed_s: float) -> None:
        self.stage = stage
        self.detail = detail
        self.elapsed_s = elapsed_s
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"smoke failed at stage {self.stage} after {self.elapsed_s:.1f} s: {self.detail}"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SmokeResult:
    run_id: str
    plan_id: str
    claimed_s: float  # from the create request until a poll saw the job claimed
    completed_s: float  # ... until a poll saw it ready
    verified_s: float  # ... until the database and the API showed modules and tasks
    polls: int
    poll_cpu_s: float
    modules: int
    tasks: int
    job: JobRow
    regenerated_s: float = 0.0  # from the regenerate request until its job was seen finished and verified

    def timing_line(self) -> str:
        worker = ""
        if self.job.started_at and self.job.completed_at:
            queued = (self.job.started_at - self.job.created_at).total_seconds()
            ran = (self.job.completed_at - self.job.started_at).total_seconds()
            worker = f"; database clock: queued {queued:.2f} s, ran {ran:.2f} s"
        return (
            f"smoke timing: claimed {self.claimed_s:.2f} s, completed {self.completed_s:.2f} s, "
            f"verified {self.verified_s:.2f} s, {self.polls} polls{worker}; regenerated {self.regenerated_s:.2f} s "
            f"(run {self.run_id})"
        )


def run_smoke(
    settings: SmokeSettings,
    *,
    connect_budget: ConnectBudget,
    report: Callable[[str], None] = print,
    rng: random.Random | None = None,
) -> SmokeResult:
    """Run the smoke test once; raises SmokeFailure naming the stage that failed. The database is
    reached within `CONNECT_BUDGET_S`, drawing on what `connect_budget` already spent on its server."""
    return _Run(settings, report, rng or random.Random(), connect_budget.with_seconds(CONNECT_BUDGET_S)).execute()


class _Run:
    def __init__(
        self, settings: SmokeSettings, report: Callable[[str], None], rng: random.Random, connect_budget: ConnectBudget
    ) -> None:
        self.settings = settings
        self.connect_budget = connect_budget
        self.report = report
        self.rng = rng
        self.tag = RunTag.new()
        self.start = time.monotonic()
        self.user_id: UUID | None = None
        self.plan_id: str | None = None  # once the app answered the create
        self.stage = "preflight"
        self.last_seen = "nothing yet"  # for the sentence of a run stopped from outside
        self._db: psycopg.Connection | None = None  # the run's session: its heartbeat until cleanup ends

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def fail(self, stage: str, detail: str) -> SmokeFailure:
        return SmokeFailure(stage, detail, self.elapsed())

    def execute(self) -> SmokeResult:
        with terminating_like_ctrl_c(), httpx.Client(timeout=HTTP_TIMEOUT_S) as client:
            auth = self._auth(client)
            try:
                result = self._stages(PlanApi(self.settings.api_url, auth, client))
            except SmokeFailure as failure:
                problem = self._cleanup(auth)
                if problem:
                    failure.detail += f"; cleanup also failed: {problem}"
                raise
            except (Exception, KeyboardInterrupt, SystemExit):  # a bug, Ctrl-C, SIGTERM, SIGHUP: cleanup still runs
                problem = self._cleanup(auth)
                if problem:
                    self.report(f"smoke cleanup failed: {problem}")
                raise
            except BaseException as stop:  # pytest-timeout's alarm: the whole-run budget is spent
                raise self._stopped(stop, self._cleanup(auth)) from None
            try:
                problem = self._cleanup(auth)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as stop:  # the alarm came during cleanup, held until it ended
                self.stage = "cleanup"
                raise self._stopped(stop, None) from None
        if problem:
            raise self.fail("cleanup", problem)
        return result

    def _stopped(self, stop: BaseException, cleanup_problem: str | None) -> SmokeFailure:
        cleaned = f"cleanup failed: {cleanup_problem}" if cleanup_problem else "cleanup done"
        return self.fail(self.stage, f"stopped by {stop}; last seen: {self.last_seen}; {cleaned}")

    def _auth(self, client: httpx.Client) -> AuthProvider:
        auth = self.settings.auth
        return auth if isinstance(auth, StaticToken) else ClerkSessionTokens(auth, client)

    def _stages(self, api: PlanApi) -> SmokeResult:
        try:
            self._db = db = self._database()
            self._preflight(db)
            created = time.monotonic()
            self.stage = "create"
            plan_id = self._create(api, db)
            self.stage = "enqueue"
            self._wait_for_job(db, plan_id)
            self.stage = "generation"
            claimed, completed, outcome = self._generation(api, db, plan_id, created)
            self.stage = "verify"
            modules, tasks, job = self._verify(api, db, plan_id, outcome.last)
            verified = time.monotonic() - created
            self.stage = "regeneration"
            regenerated_s = self._regenerate(api, db, plan_id)
        except psycopg.Error as error:  # e.g. the connection dropped or a query hit statement_timeout
            raise self.fail(self.stage, f"database error: {type(error).__name__}: {error}") from None
        return SmokeResult(
            run_id=self.tag.run_id,
            plan_id=plan_id,
            claimed_s=claimed,
            completed_s=completed,
            verified_s=verified,
            polls=outcome.polls,
            poll_cpu_s=outcome.cpu_s,
            modules=modules,
            tasks=tasks,
            job=job,
            regenerated_s=regenerated_s,
        )

    def _database(self) -> psycopg.Connection:
        try:
            return open_database(
                self.settings.database_url, budget=self.connect_budget, session_name=self.tag.session_name
            )
        except (ConnectError, psycopg.Error) as error:
            raise self.fail(
                self.stage, f"cannot use the database {mask(self.settings.database_url)}: {error}"
            ) from None

    def _sessions_visible(self) -> bool:
        """Whether a run's session shows it alive: not through Neon's pooler, where an idle client
        holds no server session (the deadline in the tag still tells)."""
        return "-pooler." not in str(self.settings.database_url)

    def _preflight(self, db: psycopg.Connection) -> None:
        self.user_id = user_row_id(db, self.settings.test_user)
        if self.user_id is None:
            raise self.fail(
                "preflight",
                f"the test user {self.settings.test_user} has no users row in {mask(self.settings.database_url)}; "
                "the app refuses plans without one (create it as docs/smoke.md shows)",
            )
        # This run is certainly over by then: pytest-timeout stops it at the budget, cleanup bounds itself.
        remaining = self.settings.total_budget_s - self.elapsed()
        self.tag = self.tag.until(int(database_epoch_s(db) + remaining + CLEANUP_BUDGET_S) + 1)
        # A plan of a run older than deadlines in tags may be a concurrent run's with a longer budget.
        older_than = max(self.settings.total_budget_s, LEFTOVER_MIN_AGE_S)
        removed = cleanup.remove_leftovers(
            db, self.user_id, sessions_visible=self._sessions_visible(), untimed_older_than_s=older_than
        )
        if removed:
            self.report(f"smoke preflight: removed {removed} leftover smoke plan(s) of runs that are over")
        self.last_seen = "the preflight passed"

    def _create(self, api: PlanApi, db: psycopg.Connection) -> str:
        try:
            body = api.create_plan(self.tag.plan_payload())
        except AuthError as error:
            raise self.fail("create", str(error)) from None
        except ApiError as error:
            raise self.fail("create", f"{error}{self._limits_hint(db, error)}") from None
        plan_id = body.get("id")
        if not isinstance(plan_id, str):
            raise self.fail("create", f"the 201 answer has no plan id: {sorted(body)}")
        self.plan_id = plan_id
        self.last_seen = f"the app created plan {plan_id}"
        owner = plan_owner(db, plan_id)
        if owner != self.user_id:
            # e.g. DEV_CLERK_USER_ID set on a non-production app: the token's user is not the one used.
            raise self.fail(
                "create",
                f"the app created plan {plan_id} for users row {owner}, not for "
                f"{self.settings.test_user} ({self.user_id}): it does not act as the test user",
            )
        return plan_id

    def _limits_hint(self, db: psycopg.Connection, error: ApiError) -> str:
        """Why the app's limits may have refused the create: the suite's own plans, if any remain."""
        if error.status not in LIMIT_STATUSES or self.user_id is None:
            return ""
        remaining = cleanup.remaining_plans(db, self.user_id)
        if not remaining:
            return ""
        return (
            f"; the test user still has {remaining} smoke plan(s) of runs still going or ended less than their "
            "budget ago: the suite's own leftovers are the likely cause, as the app caps active plans, attempts "
            "and creates per hour (429 or a bare 500)"
        )

    def _wait_for_job(self, db: psycopg.Connection, plan_id: str) -> None:
        deadline = time.monotonic() + ENQUEUE_WAIT_S
        while latest_job(db, plan_id) is None:
            if time.monotonic() > deadline:
                raise self.fail(
                    "enqueue",
                    f"no job_queue row for plan {plan_id} {ENQUEUE_WAIT_S:g} s after "
                    "the API created it: the app created the plan but did not enqueue it",
                )
            time.sleep(0.05)

    def _generation(
        self, api: PlanApi, db: psycopg.Connection, plan_id: str, created: float
    ) -> tuple[float, float, PollOutcome[str | None]]:
        seen_claimed: list[float] = []
        errors: list[ApiError] = []

        def observe(remaining_s: float) -> str | None:
            try:
                # A silent app must not hold a poll far past the budget (a second's grace per phase).
                status = api.plan_status(plan_id, timeout_s=min(HTTP_TIMEOUT_S, max(remaining_s, 1.0))).get("status")
            except AuthError as error:
                raise self.fail("generation", str(error)) from None
            except ApiError as error:
                errors.append(error)
                if not error.transient or len(errors) > TRANSIENT_POLL_ERRORS:
                    raise self.fail("generation", f"polling the status: {error}") from None
                return None
            errors.clear()
            if not isinstance(status, str):
                return None  # an answer without a status shows nothing: not claimed, not finished
            self.last_seen = f"status {status!r} for plan {plan_id}"
            if status != "pending" and not seen_claimed:
                seen_claimed.append(time.monotonic() - created)
            return status

        outcome = poll(
            observe,
            lambda status: status in TERMINAL,
            budget_s=self.settings.poll_budget_s,
            backoff=Backoff(),
            rng=self.rng,
        )
        completed = time.monotonic() - created
        if not outcome.done:
            raise self.fail(
                "generation",
                f"plan {plan_id} not ready within {self.settings.poll_budget_s:g} s of polling "
                f"({outcome.polls} polls, last status {outcome.last}): {diagnose(latest_job(db, plan_id))}",
            )
        job = latest_job(db, plan_id)
        if outcome.last == "failed" and (job is None or job.status != "completed"):
            raise self.fail("generation", f"the app reports plan {plan_id} failed: {diagnose(job)}")
        return (seen_claimed[0] if seen_claimed else completed), completed, outcome

    def _verify(
        self, api: PlanApi, db: psycopg.Connection, plan_id: str, final_status: str | None
    ) -> tuple[int, int, JobRow]:
        modules, tasks = plan_counts(db, plan_id)
        try:
            detail = api.plan_detail(plan_id)
        except (ApiError, AuthError) as error:
            raise self.fail("verify", str(error)) from None
        modules_field = detail.get("modules")
        listed = modules_field if isinstance(modules_field, list) else []
        api_modules = len(listed)
        api_tasks = sum(len(module.get("tasks") or []) for module in listed if isinstance(module, dict))
        job = latest_job(db, plan_id)
        if min(modules, tasks, api_modules, api_tasks) == 0 or job is None:
            raise self.fail(
                "verify",
                f"plan {plan_id} has {modules} modules and {tasks} tasks in the database and {api_modules} "
                f"modules and {api_tasks} tasks through the API (status {detail.get('status')}); expected "
                f"more than 0 of each; job: {evidence(job) if job else 'none'}",
            )
        # The rest of a finished generation (contract §7): all of it, or the deploy is broken.
        plan_status, successes = plan_outcome(db, plan_id)
        problems = [
            f"the status answer said {final_status!r}" if final_status != "ready" else "",
            f"the detail answer says {detail.get('status')!r}" if detail.get("status") != "ready" else "",
            f"the job is {job.status}" if job.status != "completed" else "",
            f"the job recorded {job.result_counts[0]} modules and {job.result_counts[1]} tasks"
            if job.result_counts != (modules, tasks)
            else "",
            "no successful generation attempt is recorded" if not successes else "",
            f"the plan's generation_status is {plan_status!r}" if plan_status != "ready" else "",
        ]
        if any(problems):
            raise self.fail(
                "verify",
                f"plan {plan_id} has {modules} modules and {tasks} tasks, but "
                f"{'; '.join(problem for problem in problems if problem)}; job: {evidence(job)}",
            )
        return modules, tasks, job

    def _regenerate(self, api: PlanApi, db: psycopg.Connection, plan_id: str) -> float:
        started = time.monotonic()
        left = self.settings.total_budget_s - self.elapsed() - CLEANUP_RESERVE_S
        try:
            regenerate(api, db, plan_id, budget_s=max(1.0, min(self.settings.poll_budget_s, left)), rng=self.rng)
        except RegenerationFailure as error:
            raise self.fail("regeneration", str(error)) from None
        return time.monotonic() - started

    def _cleanup(self, auth: AuthProvider) -> str | None:
        """Delete this run's plans on a fresh connection and sign out, with signals held until both
        are done (each bounded); the problems, if any. The run's own session closes last."""
        with HeldSignals():
            try:
                problems = [problem for problem in (self._delete_plans(), auth.close()) if problem]
            finally:
                if self._db is not None:
                    self._db.close()
        return "; ".join(problems) or None

    def _delete_plans(self) -> str | None:
        if self.user_id is None:
            return None  # nothing can have been created before the user was found
        try:
            with open_database(
                self.settings.database_url,
                budget=self.connect_budget.with_seconds(CLEANUP_BUDGET_S / 2),
                session_name=self.tag.session_name,
                statement_timeout_s=CLEANUP_BUDGET_S / 4,
            ) as db:
                removed = cleanup.remove_run(db, self.user_id, self.tag, self.plan_id)
        except (ConnectError, psycopg.Error) as error:
            return f"could not delete run {self.tag.run_id}'s plans from {mask(self.settings.database_url)}: {error}"
        if self.plan_id is not None and not removed:
            return f"plan {self.plan_id} of run {self.tag.run_id} was not found to delete"
        return None
