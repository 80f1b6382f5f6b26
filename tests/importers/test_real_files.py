"""Every file in shared/data/standards gives the counts read off the file."""

from __future__ import annotations

import pytest

from lti_tool.importers import ImportFailed, detect_format, parse_any
from tests.importers.conftest import STANDARDS

# (path, format, items, roots, depth). Counts from shared/data/README.md where it
# gives them; otherwise read off the file by hand, as each comment says.
EXPECTED = [
    # README: 746 CFItems, 3 roots (children of the CFDocument), depth 6.
    ("case/ccss-math-2010.json", "case", 746, 3, 6),
    # README: 16 items, depth 3; 2 isChildOf links point at the CFDocument -> 2 roots.
    ("case/opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json", "case", 16, 2, 3),
    # README: 28 items, depth 5; one isChildOf points at the CFDocument -> 1 root.
    ("case/Ordering.json", "case", 28, 1, 5),
    # Two items, both children of the CFDocument.
    ("case/MarkdownFramework.json", "case", 2, 2, 1),
    ("case/SequenceNumberFramework.json", "case", 2, 2, 1),
    # One item, child of the CFDocument.
    ("case/Utf8TestFramework.json", "case", 1, 1, 1),
    # Groups count as nodes: a, b, c; a > b > c and a > c, so depth 3, one root.
    ("canvas/test_outcomes_1.csv", "canvas", 3, 1, 3),
    ("canvas/test_outcomes_no_groups.csv", "canvas", 1, 1, 1),
    # Five outcomes, no parent_guids: five roots.
    ("canvas/wwcc-javascript-beginner-outcomes_import.csv", "canvas", 5, 5, 1),
    # README: 64 competencies (framework row not counted), roots levels + competencies.
    ("moodle/moodle-core-example.csv", "moodle", 64, 2, 4),
    # README: 31 competencies, depth 2; 7 rows with a blank parent (ISTE-Educators-1..7).
    (
        "moodle/2018-429_ISTE_Standards_for_Educators_ISTE_Educators_2018_20180906_1342"
        "_comma_separated.csv",
        "moodle",
        31,
        7,
        2,
    ),
    # 4 competencies 1 > 1.1 > 1.1.1 > 1.1.1.1 (taxonomy domain,value,concept,outcome);
    # the framework row is the last row ("Is framework" = 1), not counted.
    ("moodle/Simple_Sample_unordered.csv", "moodle", 4, 1, 4),
    # README: 107 skills. Only 22 parent links stay inside the file: 85 skills have
    # no parent in the file (roots); the longest inside chain is 3 levels.
    ("durable-skills/transversalSkillsCollection_en.csv", "esco", 107, 85, 3),
]

REJECTED = [
    ("canvas/test_outcomes_with_errors.csv", "must not start with '!'"),
    ("case/EmptyExternalFramework.json", "nothing to import"),
    # The JSON schemas sit beside the packages; they are not packages.
    ("case/case-v1p0-cfpackage-schema.json", "not a CASE CFPackage"),
    ("case/case-v1p1-cfpackage.json", "not a CASE CFPackage"),
]


def test_every_shared_file_is_covered() -> None:
    listed = {path for path, *_ in EXPECTED} | {path for path, _ in REJECTED}
    on_disk = {
        str(path.relative_to(STANDARDS))
        for path in STANDARDS.rglob("*")
        if path.suffix in (".csv", ".json")
    }
    assert on_disk == listed


@pytest.mark.parametrize(("path", "fmt", "items", "roots", "depth"), EXPECTED)
def test_counts(path: str, fmt: str, items: int, roots: int, depth: int) -> None:
    data = (STANDARDS / path).read_bytes()
    assert detect_format(data, path) == fmt
    draft = parse_any(data, filename=path)
    assert (draft.item_count, len(draft.roots()), draft.depth()) == (items, roots, depth)
    assert draft.validate() == []


@pytest.mark.parametrize(("path", "message"), REJECTED)
def test_rejected_with_clear_message(path: str, message: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_any((STANDARDS / path).read_bytes(), filename=path)
    assert message in str(caught.value)
    assert caught.value.problems
