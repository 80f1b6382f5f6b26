"""Format details: ordering, DAG parents, scales, methods, quirks, error reports."""

from __future__ import annotations

import pytest

from lti_tool.importers import ImportFailed
from lti_tool.importers.canvas import parse_canvas
from lti_tool.importers.case import parse_case
from lti_tool.importers.moodle import parse_moodle
from lti_tool.importers.ourcsv import TEMPLATE_CSV, parse_ourcsv
from lti_tool.mastery.framework import CalculationDraft, FrameworkDraft, LevelDraft
from tests.importers.conftest import STANDARDS


def _case(name: str) -> FrameworkDraft:
    return parse_case((STANDARDS / "case" / name).read_bytes(), filename=name)


def test_case_sequence_numbers_win_over_array_order() -> None:
    assert [root.code for root in _case("SequenceNumberFramework.json").roots()] == [
        "SNT.2",
        "SNT.1",
    ]


def test_case_list_enumeration_orders_when_sequence_numbers_are_all_zero() -> None:
    draft = _case("ccss-math-2010.json")
    content = next(r for r in draft.roots() if r.title == "Standards for Math Content")
    grades = [child.title for child in draft.children_of(content.key)]
    assert grades[:3] == ["Kindergarten", "Grade 1", "Grade 2"]


def test_case_keeps_non_bmp_characters() -> None:
    draft = _case("Utf8TestFramework.json")
    assert draft.name == "UTF8 𝑑 Test"
    assert draft.items[0].statement == "Item 𝑑 1"


def test_case_keeps_markdown_latex_and_crlf() -> None:
    table = next(i for i in _case("MarkdownFramework.json").items if i.code == "MD.Table")
    assert "| Column 1 | Column 2 |\r\n" in table.statement
    assert "$x = {-b \\pm" in table.statement
    assert table.statement_html is None


def test_case_strips_html_into_plain_statement_and_keeps_source() -> None:
    draft = _case("ccss-math-2010.json")
    with_html = [item for item in draft.items if item.statement_html]
    assert len(with_html) == 102
    assert all("<em>" not in item.statement for item in with_html)
    assert sum(item.code is None for item in draft.items) == 82
    assert sum(item.node_type is None for item in draft.items) == 3


def test_case_other_associations_become_external_refs() -> None:
    draft = _case("opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json")
    relations = {ref.relation for item in draft.items for ref in item.external_refs}
    assert relations == {"exactMatchOf", "precedes", "exemplar", "isRelatedTo"}


def test_case_reports_every_problem_with_its_item() -> None:
    bad = (
        '{"CFDocument": {"identifier": "d"}, "CFItems": [{"identifier": "a", "fullStatement": "A"},'
        ' {"identifier": "a", "fullStatement": "A"}, {"fullStatement": "x"}, 7]}'
    )
    with pytest.raises(ImportFailed) as caught:
        parse_case(bad)
    fields = [(p.line_or_id, p.field) for p in caught.value.problems]
    assert fields == [
        ("item a", "identifier"),
        ("CFItems[3]", "identifier"),
        ("CFItems[4]", "CFItem"),
    ]


def test_case_names_a_cycle() -> None:
    package = """{"CFDocument": {"identifier": "d"},
      "CFItems": [{"identifier": "a", "fullStatement": "A"},
                  {"identifier": "b", "fullStatement": "B"}],
      "CFAssociations": [
        {"associationType": "isChildOf", "originNodeURI": {"identifier": "a"},
         "destinationNodeURI": {"identifier": "b"}},
        {"associationType": "isChildOf", "originNodeURI": {"identifier": "b"},
         "destinationNodeURI": {"identifier": "a"}}]}"""
    with pytest.raises(ImportFailed, match="cycle: "):
        parse_case(package)


def test_canvas_two_parents_make_one_node_with_two_edges() -> None:
    draft = parse_canvas((STANDARDS / "canvas/test_outcomes_1.csv").read_bytes())
    assert [item.key for item in draft.items].count("c") == 1
    assert {parent.key for parent in draft.parents_of("c")} == {"a", "b"}


def test_canvas_ratings_and_method_map_to_drafts() -> None:
    draft = parse_canvas((STANDARDS / "canvas/test_outcomes_1.csv").read_bytes())
    assert draft.calculation == CalculationDraft("decaying_average", (("latest_weight", 40),))
    assert [level.label for level in draft.scale.levels] == ["Betterest", "Better", "Good"]


def test_canvas_mastery_points_mark_mastery_levels() -> None:
    name = "canvas/wwcc-javascript-beginner-outcomes_import.csv"
    draft = parse_canvas((STANDARDS / name).read_bytes())
    assert draft.scale is not None
    assert draft.scale.levels[:3] == (
        LevelDraft("Excelling", 5.0, True),
        LevelDraft("Achieving", 4.0, True),
        LevelDraft("Developing", 3.0, False),
    )


HEADER = "vendor_guid,object_type,title,calculation_method,calculation_int,parent_guids\n"


@pytest.mark.parametrize(
    ("method", "number", "expected"),
    [
        ("decaying_average", "65", CalculationDraft("decaying_average", (("latest_weight", 65),))),
        ("weighted_average", "40", CalculationDraft("decaying_average", (("latest_weight", 40),))),
        (
            "standard_decaying_average",
            "65",
            CalculationDraft("standard_decaying_average", (("latest_weight", 65),)),
        ),
        ("n_mastery", "3", CalculationDraft("n_mastery", (("n", 3),))),
        ("latest", "", CalculationDraft("most_recent")),
        ("highest", "", CalculationDraft("highest")),
        ("average", "", CalculationDraft("mean")),
        ("", "", None),
    ],
)
def test_canvas_calculation_methods(
    method: str, number: str, expected: CalculationDraft | None
) -> None:
    draft = parse_canvas(HEADER + f"x,outcome,X,{method},{number},\n")
    assert draft.calculation == expected


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("x,outcome,X,n_mastery,11,", "calculation_int", "from 1 to 10"),
        ("x,outcome,X,standard_decaying_average,40,", "calculation_int", "from 50 to 99"),
        ("x,outcome,X,median,,", "calculation_method", "unknown method"),
        ("x,outcome,X,,,nowhere", "parent_guids", "unknown parent 'nowhere'"),
        ("x,thing,X,,,", "object_type", "group or outcome"),
        ("x y,outcome,X,,,", "vendor_guid", "one word"),
    ],
)
def test_canvas_row_problems(row: str, field: str, reason: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_canvas(HEADER + row)
    (problem,) = caught.value.problems
    assert (problem.line_or_id, problem.field) == ("line 2", field)
    assert reason in problem.reason


def test_canvas_collects_every_problem() -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_canvas(HEADER + "a,outcome,A,,,zz\nb,outcome,,,,\na,group,A2,,,\n")
    assert str(caught.value).startswith("3 problems: line 2")


def test_moodle_children_before_parents_resolve() -> None:
    draft = parse_moodle((STANDARDS / "moodle/Simple_Sample_unordered.csv").read_bytes())
    chain, key = [], "1"
    while key:
        chain.append(key)
        children = draft.children_of(key)
        key = children[0].key if children else ""
    assert chain == ["1", "1.1", "1.1.1", "1.1.1.1"]
    assert [draft.get(k).node_type for k in chain] == ["domain", "value", "concept", "outcome"]


def test_moodle_scale_and_cross_references() -> None:
    draft = parse_moodle((STANDARDS / "moodle/moodle-core-example.csv").read_bytes())
    assert draft.identifier == "OECD-CORE"
    assert draft.scale is not None
    assert [(lv.label, lv.is_mastery) for lv in draft.scale.levels] == [
        ("Competent", True),
        ("Not yet competent", False),
    ]
    assert len(draft.get("level-1").external_refs) > 30
    assert "\r" not in draft.get("level-2").statement


def test_moodle_unknown_parent_is_an_error() -> None:
    header = '"Parent ID number","ID number","Short name",Description,"Is framework"\n'
    with pytest.raises(ImportFailed, match="line 3, field 'parent': unknown parent 'zz'"):
        parse_moodle(header + ",F,Framework,,1\nzz,a,A,,\n")


def test_our_template_round_trips() -> None:
    draft = parse_ourcsv(TEMPLATE_CSV, framework="Grade 4 maths")
    assert draft.name == "Grade 4 maths"
    assert [child.code for child in draft.children_of("MATH.NUM")] == ["MATH.NUM.1", "MATH.NUM.2"]
    assert draft.get("MATH.NUM.1").is_priority


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nothing to import"),
        ("code,title\n", "nothing to import"),
        ("title\nA\n", "missing column(s): code"),
        ("code,title\nA,\n", "line 2, field 'title': missing"),
        ("code,title,parent_code\nA,a,B\n", "unknown parent code 'B'"),
        ("code,title\nA,a\nA,b\n", "line 3, field 'code': duplicate code 'A'"),
        ("code,title,parent_code\nA,a,B\nB,b,A\n", "cycle"),
        ("code,title,priority\nA,a,maybe\n", "field 'priority'"),
        (b"code,title\n\xff\n", "not UTF-8"),
    ],
)
def test_our_csv_problems(text: str | bytes, message: str) -> None:
    with pytest.raises(ImportFailed, match="^.*" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_ourcsv(text)


def test_our_csv_accepts_bom_and_crlf() -> None:
    draft = parse_ourcsv("\ufeffcode,title\r\nA,a\r\nB,b".encode())
    assert [item.key for item in draft.items] == ["A", "B"]
