"""The student's to-do list: order and next steps."""

from __future__ import annotations

import pytest

from lti_tool.mastery import Calculation, MasteryResult, MasterySettings, Score, build_todo
from lti_tool.mastery.presets import FOUR_LEVEL
from lti_tool.mastery.results import NOT_ASSESSED
from tests.mastery.factories import INSUFFICIENT, assessed, scores_from

S = FOUR_LEVEL


def test_order_puts_actionable_then_priority_then_lowest_level_first() -> None:
    results = {
        "not-assessed-priority": NOT_ASSESSED,
        "insufficient": INSUFFICIENT,
        "developing": assessed(2, S),
        "mastered": assessed(3, S),
        "beginning": assessed(1, S),
        "developing-priority": assessed(2, S),
        "not-assessed": NOT_ASSESSED,
        "advanced": assessed(4, S),
    }
    todo = build_todo(
        results,
        MasterySettings(),
        priority={"developing-priority", "not-assessed-priority"},
    )
    assert [item.standard for item in todo] == [
        "developing-priority",
        "beginning",
        "developing",
        "insufficient",
        "not-assessed-priority",
        "not-assessed",
    ]
    assert [item.is_priority for item in todo] == [True, False, False, False, True, False]


# Each case: the step said to the student, then said of them (`about="Ana"`) to a teacher, a
# family or a mentor.
@pytest.mark.parametrize(
    ("settings", "result", "scores", "comment", "to_student", "of_student"),
    [
        (
            MasterySettings(),
            NOT_ASSESSED,
            None,
            None,
            "Not yet assessed: ask your teacher when it will be",
            "Not yet assessed: the teacher decides when it will be",
        ),
        (
            MasterySettings(min_evidence=3),
            MasteryResult(INSUFFICIENT.status, None, None, 1),
            None,
            None,
            "Keep going: 1 of 3 pieces of evidence needed before a level shows",
            "Ana has 1 of the 3 pieces of evidence needed before a level shows",
        ),
        (
            MasterySettings(method="mean"),
            assessed(2.5, S, 2),
            scores_from([3, 2]),
            "Check your units.",
            "Your latest evidence was Developing: review the feedback and try again",
            "Ana's latest evidence was Developing: the teacher's feedback says what to work on",
        ),
        (
            MasterySettings(method="mean"),
            assessed(2.5, S, 2),
            scores_from([2, 3]),
            None,
            "Your latest evidence was Proficient: "
            "ask your teacher what to practise, then try again",
            "Ana's latest evidence was Proficient: the teacher can say what to practise next",
        ),
        (
            MasterySettings(),
            assessed(1, S),
            None,
            "Good start.",
            "Your current level is Beginning: review the feedback and try again",
            "Ana's current level is Beginning: the teacher's feedback says what to work on",
        ),
        (
            MasterySettings(),
            assessed(1, S),
            None,
            None,
            "Your current level is Beginning: ask your teacher what to practise, then try again",
            "Ana's current level is Beginning: the teacher can say what to practise next",
        ),
        (
            MasterySettings(method="n_mastery"),
            assessed(2, S, 3),
            scores_from([3, 1, 4]),
            None,
            "Show Proficient on this standard once more — 2 of 3 needed",
            "Ana needs to show Proficient on this standard once more — 2 of 3",
        ),
        (
            MasterySettings(method="n_mastery"),
            assessed(1, S, 1),
            scores_from([1]),
            None,
            "Show Proficient on this standard 3 more times — 0 of 3 needed",
            "Ana needs to show Proficient on this standard 3 more times — 0 of 3",
        ),
        (
            MasterySettings(overrides={"std": Calculation("n_mastery", {"n": 2})}),
            assessed(2, S, 1),
            scores_from([4, 1], exempt={1}),  # the exempt 1 is not evidence
            None,
            "Show Proficient on this standard once more — 1 of 2 needed",
            "Ana needs to show Proficient on this standard once more — 1 of 2",
        ),
    ],
)
def test_next_step(
    settings: MasterySettings,
    result: MasteryResult,
    scores: list[Score] | None,
    comment: str | None,
    to_student: str,
    of_student: str,
) -> None:
    for about, next_step in ((None, to_student), ("Ana", of_student)):
        (item,) = build_todo(
            {"std": result},
            settings,
            comments={"std": comment} if comment else None,
            scores={"std": scores} if scores else None,
            about=about,
        )
        assert item.next_step == next_step
        assert item.comment == comment
        assert item.result is result


def test_standards_at_mastery_are_left_out() -> None:
    assert build_todo({"a": assessed(3, S), "b": assessed(4, S)}, MasterySettings()) == []
