"""`createLearningPlanSchema` (contract §1.3): what `POST /api/v1/plans` accepts.

Unknown keys are dropped, as zod drops them. `weeklyHours` must be a JSON integer (a string or a
boolean is rejected); dates must parse and are kept as calendar dates, as the `date` column keeps
them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from standin.api.errors import AppError, validation_error

SKILL_LEVELS = ("beginner", "intermediate", "advanced")
LEARNING_STYLES = ("reading", "video", "practice", "mixed")
VISIBILITIES = ("private", "public")
ORIGINS = ("ai", "manual", "template")

Fail = Callable[[str, str], None]


@dataclass(frozen=True)
class CreatePlan:
    topic: str
    skill_level: str
    weekly_hours: int
    learning_style: str
    notes: str | None = None
    start_date: date | None = None
    deadline_date: date | None = None
    visibility: str = "private"

    def job_payload(self) -> dict[str, Any]:
        """The job's payload, with the keys and nulls the real app writes."""
        return {
            "topic": self.topic,
            "notes": self.notes,
            "skillLevel": self.skill_level,
            "weeklyHours": self.weekly_hours,
            "learningStyle": self.learning_style,
            "startDate": self.start_date.isoformat() if self.start_date else None,
            "deadlineDate": self.deadline_date.isoformat() if self.deadline_date else None,
        }


def parse_create(raw: bytes) -> CreatePlan:
    """The validated body, or the app's 400 with zod-style field errors."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise validation_error({})
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    topic = body.get("topic")
    if not isinstance(topic, str):
        fail("topic", "Topic is required.")
    elif not 3 <= len(topic.strip()) <= 200:
        fail("topic", "Topic must be between 3 and 200 characters.")
    _choice(body, "skillLevel", SKILL_LEVELS, fail, required=True)
    _choice(body, "learningStyle", LEARNING_STYLES, fail, required=True)
    _choice(body, "visibility", VISIBILITIES, fail, required=False)
    _choice(body, "origin", ORIGINS, fail, required=False)
    hours = body.get("weeklyHours")
    if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= 80:
        fail("weeklyHours", "Weekly hours must be an integer from 0 to 80.")
    notes = body.get("notes")
    if notes is not None and (not isinstance(notes, str) or len(notes) > 2000):
        fail("notes", "Notes must be a string of at most 2000 characters.")
    dates = {key: _date(body.get(key), key, fail) for key in ("startDate", "deadlineDate")}
    if errors:
        raise validation_error(errors)
    return CreatePlan(
        topic=str(topic).strip(),
        skill_level=body["skillLevel"],
        weekly_hours=int(hours),  # type: ignore[arg-type]
        learning_style=body["learningStyle"],
        notes=notes,
        start_date=dates["startDate"],
        deadline_date=dates["deadlineDate"],
        visibility=body.get("visibility") or "private",
    )


def _choice(body: dict[str, Any], key: str, choices: tuple[str, ...], fail: Fail, *, required: bool) -> None:
    value = body.get(key)
    if value is None and not required:
        return
    if value not in choices:
        fail(key, f"Expected one of: {', '.join(choices)}.")


def _date(value: Any, key: str, fail: Fail) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            pass
    fail(key, "Invalid date.")
    return None


def parse_uuid(value: str) -> str:
    """A plan id from the path; anything but a UUID is the app's 400."""
    try:
        return str(UUID(value))
    except ValueError:
        raise AppError(400, "Invalid plan id format.", "VALIDATION_ERROR") from None
