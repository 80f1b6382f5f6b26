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
    about: str | None = None,
) -> list[TodoItem]:
    """The standards not at mastery, most actionable first.

    Order: assessed below mastery, then insufficient, then not assessed;
    within each, priority standards first, then the lowest level. `comments`
    holds the latest feedback per standard; `scores`, when given, lets the
    next step name the latest evidence and n-mastery progress. `about` is the student's name
    when someone else reads the list: the steps then speak of the student, not to them.
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
            about,
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
    about: str | None,
) -> Text:
    """One sentence saying what to do next on this standard: to the student, or, when `about`
    names them, to whoever else reads it (a teacher, a family, a mentor)."""
    voice = 0 if about is None else 1
    name = {"name": about} if about is not None else {}
    if result.status is Status.NOT_ASSESSED:
        return NOT_ASSESSED_STEP if about is None else Text(_NOT_ASSESSED_ABOUT)
    if result.status is Status.INSUFFICIENT:
        return Text(
            _INSUFFICIENT_STEPS[voice],
            count=result.evidence_count,
            needed=calculation.min_evidence,
            **name,
        )
    counted = ordered(scores, scale) if scores else []
    if calculation.method == "n_mastery" and counted:
        needed = int(calculation.params["n"])
        shown = sum(scale.is_mastery(score.points) for score in counted)
        remaining = needed - shown
        steps = _ONCE_MORE_STEPS if remaining == 1 else _MORE_TIMES_STEPS
        return Text(
            steps[voice],
            level=scale.mastery_level.label,
            remaining=remaining,
            shown=shown,
            needed=needed,
            **name,
        )
    if counted:
        level = scale.level_for(counted[-1].points).label
        return Text(_LATEST_STEPS[voice][bool(comment)], level=level, **name)
    if result.level:
        return Text(_CURRENT_STEPS[voice][bool(comment)], level=result.level.label, **name)
    return Text(_NOT_SHOWN_STEPS[voice][bool(comment)], **name)


# Each step as said to the student, then as said of them (%(name)s) to a teacher, a family or
# a mentor; the steps after a level also differ by whether the teacher left feedback.
_NOT_ASSESSED_ABOUT = N_("Not yet assessed: the teacher decides when it will be")
_INSUFFICIENT_STEPS = (
    N_("Keep going: %(count)s of %(needed)s pieces of evidence needed before a level shows"),
    N_("%(name)s has %(count)s of the %(needed)s pieces of evidence needed before a level shows"),
)
_ONCE_MORE_STEPS = (
    N_("Show %(level)s on this standard once more — %(shown)s of %(needed)s needed"),
    N_("%(name)s needs to show %(level)s on this standard once more — %(shown)s of %(needed)s"),
)
_MORE_TIMES_STEPS = (
    N_("Show %(level)s on this standard %(remaining)s more times — %(shown)s of %(needed)s needed"),
    N_(
        "%(name)s needs to show %(level)s on this standard %(remaining)s more times — "
        "%(shown)s of %(needed)s"
    ),
)
_LATEST_STEPS = (
    (
        N_("Your latest evidence was %(level)s: ask your teacher what to practise, then try again"),
        N_("Your latest evidence was %(level)s: review the feedback and try again"),
    ),
    (
        N_("%(name)s's latest evidence was %(level)s: the teacher can say what to practise next"),
        N_("%(name)s's latest evidence was %(level)s: the teacher's feedback says what to work on"),
    ),
)
_CURRENT_STEPS = (
    (
        N_("Your current level is %(level)s: ask your teacher what to practise, then try again"),
        N_("Your current level is %(level)s: review the feedback and try again"),
    ),
    (
        N_("%(name)s's current level is %(level)s: the teacher can say what to practise next"),
        N_("%(name)s's current level is %(level)s: the teacher's feedback says what to work on"),
    ),
)
_NOT_SHOWN_STEPS = (
    (
        N_("Your current level is not shown: ask your teacher what to practise, then try again"),
        N_("Your current level is not shown: review the feedback and try again"),
    ),
    (
        N_("%(name)s's current level is not shown: the teacher can say what to practise next"),
        N_("%(name)s's current level is not shown: the teacher's feedback says what to work on"),
    ),
)
