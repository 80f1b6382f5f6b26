"""Framework import (CLI and service), DAG storage, adoption and tenancy."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lti_tool.errors import ImportRejected, NotFound
from lti_tool.extensions import db
from lti_tool.importers import parse_any
from lti_tool.models import CourseStandard, Framework, Standard, StandardEdge
from lti_tool.services import frameworks
from tests.conftest import SHARED_DATA

from .conftest import draft, standard_ids

STANDARDS = SHARED_DATA / "standards"

# (file, format, items, roots, depth): counts from shared/data/README.md and the files.
REAL_FILES = [
    ("case/ccss-math-2010.json", "case", 746, 3, 6),
    ("case/opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json", "case", 16, 2, 3),
    ("case/Ordering.json", "case", 28, 1, 5),
    ("case/Utf8TestFramework.json", "case", 1, 1, 1),
    ("case/MarkdownFramework.json", "case", 2, 2, 1),
    ("case/SequenceNumberFramework.json", "case", 2, 2, 1),
    ("canvas/test_outcomes_1.csv", "canvas", 3, 1, 3),
    ("canvas/test_outcomes_no_groups.csv", "canvas", 1, 1, 1),
    ("canvas/wwcc-javascript-beginner-outcomes_import.csv", "canvas", 5, 5, 1),
    ("moodle/moodle-core-example.csv", "moodle", 64, 2, 4),
    (
        "moodle/2018-429_ISTE_Standards_for_Educators_ISTE_Educators_2018_20180906_1342_comma_separated.csv",
        "moodle",
        31,
        7,
        2,
    ),
    ("moodle/Simple_Sample_unordered.csv", "moodle", 4, 1, 4),
    ("durable-skills/transversalSkillsCollection_en.csv", "esco", 107, 85, 3),
]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("path", "fmt", "items", "roots", "depth"), REAL_FILES)
def test_cli_imports_real_file(app, runner, make_platform, path, fmt, items, roots, depth):
    make_platform()
    db.session.commit()
    result = runner.invoke(args=["framework", "import", str(STANDARDS / path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["items"] == items
    assert (summary["roots"], summary["depth"]) == (roots, depth)
    assert count(Standard) == items
    framework = db.session.scalar(select(Framework))
    assert framework.source_format == fmt and summary["framework"] == framework.name


def test_cli_adopts_in_course_with_explicit_format(runner, make_course):
    course = make_course(context_id="algebra")
    db.session.commit()
    path = STANDARDS / "moodle/moodle-core-example.csv"
    args = ["framework", "import", str(path), "--format", "moodle"]
    args += ["--platform", course.platform.issuer, "--course", "algebra", "--json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"framework": "OECD", "items": 64, "roots": 2, "depth": 4}
    assert count(CourseStandard) == 64
    assert len(frameworks.course_tree(course).roots) == 2


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("canvas/test_outcomes_with_errors.csv", "must not start with '!'"),
        ("case/EmptyExternalFramework.json", "nothing to import"),
    ],
)
def test_cli_rejected_file_saves_nothing(runner, make_platform, path, message):
    make_platform()
    db.session.commit()
    result = runner.invoke(args=["framework", "import", str(STANDARDS / path), "--json"])
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""
    assert (count(Framework), count(Standard), count(StandardEdge)) == (0, 0, 0)


def test_cli_needs_a_platform_choice(runner, make_platform):
    make_platform(client_id="one")
    make_platform(client_id="two")
    db.session.commit()
    path = str(STANDARDS / "case/Ordering.json")
    result = runner.invoke(args=["framework", "import", path])
    assert result.exit_code == 1 and "--platform" in result.stderr
    result = runner.invoke(
        args=["framework", "import", path, "--platform", "https://lms.example.edu"]
    )
    assert result.exit_code == 1 and "--client-id" in result.stderr
    args = ["--platform", "https://lms.example.edu", "--client-id", "two", "--json"]
    result = runner.invoke(args=["framework", "import", path, *args])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Framework)).platform.client_id == "two"


def test_cli_without_any_platform(runner):
    path = str(STANDARDS / "case/Ordering.json")
    result = runner.invoke(args=["framework", "import", path])
    assert result.exit_code == 1 and "No platform is registered" in result.stderr


def test_dag_node_with_two_parents_is_stored_once(make_platform):
    platform = make_platform()
    path = STANDARDS / "canvas/test_outcomes_1.csv"
    framework = frameworks.save_framework(
        parse_any(path.read_bytes(), path.name), platform=platform
    )
    stored = {s.key: s.id for s in framework.standards}
    assert sorted(stored) == ["a", "b", "c"]
    edges = db.session.execute(select(StandardEdge.parent_id, StandardEdge.child_id)).all()
    assert sorted(edges) == sorted(
        [(stored["a"], stored["b"]), (stored["a"], stored["c"]), (stored["b"], stored["c"])]
    )


def test_invalid_draft_is_refused_whole(make_platform):
    platform = make_platform()
    bad = draft({"A": ["B"], "B": ["A"]})
    with pytest.raises(ImportRejected, match="cycle"):
        frameworks.save_framework(bad, platform=platform)
    assert count(Standard) == 0


def test_adopting_a_subtree_adopts_its_descendants(make_course):
    course = make_course()
    spec = {"D1": ["S1", "S2"], "S1": ["T1", "T2"], "D2": ["S3"]}
    framework = frameworks.save_framework(draft(spec), platform=course.platform)
    ids = {s.code: s.id for s in framework.standards}
    assert frameworks.adopt(course, [ids["S1"]]) == 3
    tree = frameworks.course_tree(course)
    assert sorted(standard_ids(course)) == ["S1", "T1", "T2"]
    assert tree.roots == [ids["S1"]] and tree.children[ids["S1"]] == [ids["T1"], ids["T2"]]
    assert frameworks.adopt(course, framework) == 4  # the rest; nothing twice
    assert frameworks.course_tree(course).preorder() == [
        ids[c] for c in ("D1", "S1", "T1", "T2", "S2", "D2", "S3")
    ]


def test_priority_and_i_can(make_course, make_framework):
    course = make_course()
    make_framework(course)
    ids = standard_ids(course)
    assert frameworks.set_priority(course, [ids["S1"]]) == 1
    assert frameworks.course_tree(course).priority == {ids["S1"]}
    assert frameworks.edit_i_can(course, ids["S2"], "  I can add.  ").i_can == "I can add."


def test_a_course_never_sees_another_platforms_library(make_course, make_platform):
    course_a = make_course()
    platform_b = make_platform(issuer="https://other.example.org")
    foreign = frameworks.save_framework(draft({"X": ["Y"]}), platform=platform_b)
    with pytest.raises(NotFound):
        frameworks.adopt(course_a, foreign)
    with pytest.raises(NotFound):
        frameworks.adopt(course_a, [s.id for s in foreign.standards])
    with pytest.raises(NotFound):
        frameworks.edit_i_can(course_a, foreign.standards[0].id, "I can")
    assert frameworks.course_tree(course_a).standards == {}
    own = frameworks.save_framework(draft({"X": ["Y"]}), platform=course_a.platform)
    frameworks.adopt(course_a, own)
    assert set(frameworks.course_tree(course_a).standards) == {s.id for s in own.standards}


def test_course_local_framework_is_invisible_to_other_courses(make_course):
    course = make_course()
    other = make_course(platform=course.platform)
    local = frameworks.save_framework(draft({"L": ["M"]}), platform=course.platform, course=course)
    assert len(frameworks.course_tree(course).standards) == 2
    with pytest.raises(NotFound):
        frameworks.adopt(other, local)
