"""A student's to-do list: which standards to work on next, and how."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

from lti_tool.mastery.calculation import Calculation
from lti_tool.mastery.evidence import Score, ordered
from lti_tool.mastery.policies import StandardId
from lti_tool.mastery.results import MasteryResult, Status
from lti_tool.mastery.scales import Scale
from lti_tool.mastery.settings import MasterySettings
from lti_tool.translatable import N_, Text

NOT_ASSESSED_STEP = Text(N_("Not yet assessed: ask your teacher when it will be"))

# Standards the student can act on now come first: below mastery, then those
# with some evidence, then those nobody has assessed yet.
_GROUP = {Status.ASSESSED: 0, Status.INSUFFICIENT: 1, Status.NOT_ASSESSED: 2}


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One standard not yet at mastery, with what to do about it."""

    standard: Hashable
    result: MasteryResult
    is_priority: bool
    comment: str | None
    next_step: Text  # English, and what a page translates


def build_todo(
    results: Mapping[StandardId, MasteryResult],
    settings: MasterySettings,
    *,
    priority: Collection[StandardId] = frozenset(),
    comments: Mapping[StandardId, str] | None = None,
    scores: Mapping[StandardId, Sequence[Score]] | None = None,
) -> list[TodoItem]:
    """The standards not at mastery, most actionable first.

    Order: assessed below mastery, then insufficient, then not assessed;
    within each, priority standards first, then the lowest level. `comments`
    holds the latest feedback per standard; `scores`, when given, lets the
    next step name the latest evidence and n-mastery progress.
    """
    comments = comments or {}
    scores = scores or {}
    ranked = []
    for index, (standard, result) in enumerate(results.items()):
        if result.is_mastery or result.status is Status.EXEMPT:
            continue
        comment = comments.get(standard)
        step = _next_step(
            result,
            settings.calculation_for(standard),
            settings.scale,
            scores.get(standard),
            comment,
        )
        item = TodoItem(standard, result, standard in priority, comment, step)
        level_points = result.level.points if result.level else 0.0
        ranked.append(((_GROUP[result.status], not item.is_priority, level_points, index), item))
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked]


def _next_step(
    result: MasteryResult,
    calculation: Calculation,
    scale: Scale,
    scores: Sequence[Score] | None,
    comment: str | None,
) -> Text:
    """One sentence telling the student what to do next on this standard."""
    if result.status is Status.NOT_ASSESSED:
        return NOT_ASSESSED_STEP
    if result.status is Status.INSUFFICIENT:
        return Text(
            N_(
                "Keep going: %(count)s of %(needed)s pieces of evidence needed before a level shows"
            ),
            count=result.evidence_count,
            needed=calculation.min_evidence,
        )
    counted = ordered(scores, scale) if scores else []
    if calculation.method == "n_mastery" and counted:
        needed = int(calculation.params["n"])
        shown = sum(scale.is_mastery(score.points) for score in counted)
        remaining = needed - shown
        if remaining == 1:
            message = N_(
                "Show %(level)s on this standard once more — %(shown)s of %(needed)s needed"
            )
        else:
            message = N_(
                "Show %(level)s on this standard %(remaining)s more times — "
                "%(shown)s of %(needed)s needed"
            )
        return Text(
            message,
            level=scale.mastery_level.label,
            remaining=remaining,
            shown=shown,
            needed=needed,
        )
    if counted:
        level = scale.level_for(counted[-1].points).label
        return Text(_LATEST_STEPS[bool(comment)], level=level)
    if result.level:
        return Text(_CURRENT_STEPS[bool(comment)], level=result.level.label)
    return Text(_NOT_SHOWN_STEPS[bool(comment)])


# The step after a level, by whether the teacher left feedback (False, True).
_LATEST_STEPS = (
    N_("Your latest evidence was %(level)s: ask your teacher what to practise, then try again"),
    N_("Your latest evidence was %(level)s: review the feedback and try again"),
)
_CURRENT_STEPS = (
    N_("Your current level is %(level)s: ask your teacher what to practise, then try again"),
    N_("Your current level is %(level)s: review the feedback and try again"),
)
_NOT_SHOWN_STEPS = (
    N_("Your current level is not shown: ask your teacher what to practise, then try again"),
    N_("Your current level is not shown: review the feedback and try again"),
)
