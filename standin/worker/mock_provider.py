"""A mock AI provider shaped like the real app's (`src/lib/ai/providers/mock.ts`).

It waits a configurable delay, standing in for the model call, then returns 3 to 5 modules of 3
to 5 tasks with the real mock's titles and minute ranges. The output depends only on the plan's
inputs, so two runs of the same plan write the same rows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

PROVIDER = "mock"
MODEL = "mock-generator-v1"
USAGE = {"promptTokens": 100, "completionTokens": 500, "totalTokens": 600}

_MODULE_PHRASES = {
    "beginner": ("Getting Started", "Fundamentals", "Basic Concepts", "Introduction to Key Topics", "Essential Skills"),
    "intermediate": (
        "Core Techniques",
        "Applied Patterns",
        "Working with Tools",
        "Common Pitfalls",
        "Building Projects",
    ),
    "advanced": ("Deep Dive", "Architecture and Design", "Performance", "Edge Cases", "Expert Practice"),
}
_TASK_PHRASES = {
    "reading": ("Read about", "Study", "Review notes on"),
    "video": ("Watch a walkthrough of", "Watch a lecture on", "Follow a video on"),
    "practice": ("Practise", "Build an exercise on", "Solve problems in"),
    "mixed": ("Explore", "Learn and practise", "Review"),
}


@dataclass(frozen=True)
class GeneratedTask:
    title: str
    description: str
    estimated_minutes: int


@dataclass(frozen=True)
class GeneratedModule:
    title: str
    description: str
    estimated_minutes: int
    tasks: tuple[GeneratedTask, ...]


def generate(
    topic: str,
    skill_level: str,
    learning_style: str,
    *,
    delay_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[GeneratedModule, ...]:
    """Wait `delay_s`, then return the plan's modules and tasks."""
    sleep(delay_s)
    rng = random.Random(f"{topic}|{skill_level}|{learning_style}")
    module_phrases = _MODULE_PHRASES.get(skill_level, _MODULE_PHRASES["beginner"])
    task_phrases = _TASK_PHRASES.get(learning_style, _TASK_PHRASES["mixed"])
    modules = []
    for index in range(rng.randint(3, 5)):
        tasks = tuple(
            GeneratedTask(
                title=f"{rng.choice(task_phrases)} {topic}",
                description=f"Step {number} of part {index + 1}.",
                estimated_minutes=_clamp(rng.randint(30, 90), 5, 120),
            )
            for number in range(1, rng.randint(3, 5) + 1)
        )
        minutes = max(sum(task.estimated_minutes for task in tasks), rng.randint(120, 240))
        modules.append(
            GeneratedModule(
                title=f"{module_phrases[index % len(module_phrases)]}: {topic}",
                description=f"Part {index + 1} of a plan on {topic}.",
                estimated_minutes=_clamp(minutes, 15, 480),
                tasks=tasks,
            )
        )
    return tuple(modules)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
