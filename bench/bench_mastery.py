"""Time whole-course mastery computation for every calculation method.

A deterministic course of 300 students x 120 standards (~72,000 scores) on
the four-level scale; prints a markdown table of median times over 5 runs:
from Score objects sorted here, and from points the database already ordered
(what the services do).
Run: .venv/bin/python bench/bench_mastery.py
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from lti_tool.mastery import (
    METHODS,
    PRESETS,
    MasterySettings,
    Score,
    compute_course,
    compute_many,
    ordered,
)
from lti_tool.mastery.gradebook import compute_points, summarise_course

STUDENTS = 300
STANDARDS = 120
RUNS = 5
TARGET_SECONDS = 0.2


def make_course(seed: int = 42) -> dict[tuple[int, int], list[Score]]:
    """(student, standard) -> scores, 0 to 4 per cell, in shuffled entry order."""
    rng = random.Random(seed)
    start = datetime(2025, 9, 1, tzinfo=UTC)
    levels = [level.points for level in PRESETS["four_level"].scoring_levels]
    cells: dict[tuple[int, int], list[Score]] = {}
    entry_id = 0
    for student in range(STUDENTS):
        for standard in range(STANDARDS):
            scores = []
            for _ in range(rng.randint(0, 4)):
                entry_id += 1
                when = start + timedelta(days=rng.randint(0, 120), hours=rng.randint(8, 15))
                scores.append(Score(rng.choice(levels), when, entry_id, rng.random() < 0.02))
            rng.shuffle(scores)
            cells[(student, standard)] = scores
    return cells


def median_seconds(run: object) -> float:
    """Median wall time of `run()` over RUNS runs."""
    times = []
    for _ in range(RUNS):
        gc.collect()  # start each run from the same heap state, as timeit does
        began = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    cells = make_course()
    scale = PRESETS["four_level"]
    points = {
        key: [score.points for score in ordered(found, scale)] for key, found in cells.items()
    }
    total = sum(len(scores) for scores in cells.values())
    print(f"{STUDENTS} students x {STANDARDS} standards, {total} scores, median of {RUNS} runs\n")
    print("| method | Scores (ms) | ordered points (ms) | under 200 ms |")
    print("|---|---:|---:|:---:|")
    for name in METHODS:
        seconds = median_seconds(lambda name=name: compute_many(cells, scale, name))
        settings = MasterySettings(method=name)
        fast = median_seconds(lambda settings=settings: compute_points(points, settings))
        ok = "yes" if max(seconds, fast) < TARGET_SECONDS else "NO"
        print(f"| {name} | {seconds * 1000:.1f} | {fast * 1000:.1f} | {ok} |")
    settings = MasterySettings(method="n_mastery", min_evidence=2)
    seconds = median_seconds(lambda: compute_course(cells, settings))
    fast = median_seconds(lambda: compute_points(points, settings))
    ok = "yes" if max(seconds, fast) < TARGET_SECONDS else "NO"
    print(
        f"| compute_course (n_mastery, min 2) | {seconds * 1000:.1f} | {fast * 1000:.1f} | {ok} |"
    )
    results = compute_points(points, settings)
    seconds = median_seconds(lambda: summarise_course(results, settings))
    ok = "yes" if seconds < TARGET_SECONDS else "NO"
    print(f"| summary grades, every student | — | {seconds * 1000:.1f} | {ok} |")


if __name__ == "__main__":
    main()
