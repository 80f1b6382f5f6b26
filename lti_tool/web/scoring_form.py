"""The scoring sheet as the page shows it, and reading what the teacher typed into it.

The page carries a snapshot of what it shows (names, standards, levels) in one hidden field,
so that when the launch has expired by the time the teacher saves, the page can be shown
again with every typed value without reading anything from the database for a token that no
longer grants access.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from ..services.scoring import COMMENT_LIMIT, Mark, ScoringSheet
from ..services.views.common import ScaleView
from .forms import read_day
from .zones import request_zone

SNAPSHOT_LIMIT = 500_000  # characters; a class of 300 students × 10 standards fits easily


@dataclass(frozen=True)
class LevelChoice:
    value: str  # points as the form sends them ("3", "2.5")
    label: str
    is_mastery: bool
    index: int  # the level's position on the scale (CSS class lv-<index>)


@dataclass(frozen=True)
class SheetView:
    """What the sheet shows, from the database or, after expiry, from the page's snapshot."""

    assessment_id: int
    course_id: int
    title: str
    students: list[tuple[int, str]]
    standards: list[tuple[int, str, str]]  # id, code label, title
    levels: list[LevelChoice]
    exempt: list[int] = field(default_factory=list)  # students exempt: shown, never marked

    @property
    def cells(self) -> list[tuple[int, int]]:
        skip = set(self.exempt)
        return [(s, t) for s, _ in self.students if s not in skip for t, _, _ in self.standards]

    def snapshot(self) -> str:
        return json.dumps(
            {
                "a": self.assessment_id,
                "c": self.course_id,
                "t": self.title,
                "s": self.students,
                "d": self.standards,
                "l": [[lv.value, lv.label, lv.is_mastery, lv.index] for lv in self.levels],
                "x": self.exempt,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


def sheet_view(course_id: int, sheet: ScoringSheet, scale: ScaleView) -> SheetView:
    levels = [
        LevelChoice(f"{level.points:g}", level.label, level.is_mastery, index)
        for index, level in enumerate(scale.levels)
        if level.counts_as_score
    ]
    return SheetView(
        assessment_id=sheet.assessment.id,
        course_id=course_id,
        title=sheet.assessment.title,
        students=[(s.id, s.display_name) for s in sheet.students],
        standards=[(t.id, t.label, t.title or t.statement or "") for t in sheet.standards],
        levels=levels,
        exempt=sorted(sheet.exempt),
    )


def view_from_snapshot(text: str, assessment_id: int) -> SheetView | None:
    """The sheet a page posted back, or None if the snapshot is missing or malformed."""
    if not text or len(text) > SNAPSHOT_LIMIT:
        return None
    try:
        data = json.loads(text)
        view = SheetView(
            assessment_id=int(data["a"]),
            course_id=int(data["c"]),
            title=str(data["t"]),
            students=[(int(i), str(name)) for i, name in data["s"]],
            standards=[(int(i), str(code), str(title)) for i, code, title in data["d"]],
            levels=[
                LevelChoice(str(v), str(label), bool(m), int(n)) for v, label, m, n in data["l"]
            ],
            exempt=[int(i) for i in data.get("x", [])],
        )
    except (ValueError, TypeError, KeyError):
        return None
    return view if view.assessment_id == assessment_id else None


@dataclass
class ScoreForm:
    """What was typed, cell by cell (to show again), and the marks it means once checked."""

    date: str = ""
    levels: dict[tuple[int, int], str] = field(default_factory=dict)
    comments: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    when: datetime | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def level(self, student: int, standard: int) -> str:
        return self.levels.get((student, standard), "")

    def comment(self, student: int, standard: int) -> str:
        return self.comments.get((student, standard), "")

    def error(self, student: int, standard: int) -> str | None:
        return self.errors.get(cell_name("cell", student, standard))


def cell_name(prefix: str, student: int, standard: int) -> str:
    return f"{prefix}-{student}-{standard}"


def typed_values(values: Mapping[str, str], view: SheetView) -> ScoreForm:
    """Every value typed into the sheet, unchecked (what a kept page shows again)."""
    form = ScoreForm(date=values.get("date", "").strip())
    for student, standard in view.cells:
        form.levels[(student, standard)] = values.get(cell_name("level", student, standard), "")
        form.comments[(student, standard)] = values.get(cell_name("comment", student, standard), "")
    return form


def read_score_form(values: Mapping[str, str], view: SheetView, now: datetime) -> ScoreForm:
    """The typed sheet, checked: a level on the course scale, comments only with a level."""
    form = typed_values(values, view)
    form.when, problem = read_day(form.date, now, request_zone())
    if problem:
        form.errors["date"] = problem
    allowed = {level.value: float(level.value) for level in view.levels}
    names = dict(view.students)
    codes = {t: code for t, code, _ in view.standards}
    for (student, standard), typed in form.levels.items():
        comment = form.comments[(student, standard)].strip()
        who = {"name": names[student], "code": codes[standard]}
        name = cell_name("cell", student, standard)
        if len(comment) > COMMENT_LIMIT:
            form.errors[name] = _(
                "%(name)s on %(code)s: keep the comment under %(limit)s characters.",
                limit=COMMENT_LIMIT,
                **who,
            )
        elif typed and typed not in allowed:
            form.errors[name] = _(
                "%(name)s on %(code)s: choose one of the levels of the course's scale.", **who
            )
        elif comment and not typed:
            form.errors[name] = _(
                "%(name)s on %(code)s: choose a level for this comment, or clear it.", **who
            )
        elif typed:
            form.marks.append(Mark(student, standard, allowed[typed], comment or None))
    if form.is_valid and not form.marks:
        form.errors["form"] = _("Choose a level for at least one student before saving.")
    return form


def filled(form: ScoreForm, view: SheetView, value: str) -> ScoreForm:
    """The typed sheet with every cell that has no level set to one ("the rest at Proficient");
    a level already chosen or saved is kept (a fill never overwrites a mark)."""
    if value not in {level.value for level in view.levels}:
        form.errors["fill"] = _("Choose the level to give the rows with no mark.")
        return form
    for cell in view.cells:
        if not form.levels.get(cell):
            form.levels[cell] = value
    return form
