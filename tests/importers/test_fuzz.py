"""Whatever arrives, importers raise nothing but ImportFailed."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_tool.importers import ImportFailed, parse_any
from lti_tool.importers.canvas import parse_canvas
from lti_tool.importers.case import parse_case
from lti_tool.importers.esco import parse_esco
from lti_tool.importers.evidence_csv import (
    evidence_format,
    parse_evidence_long,
    parse_evidence_wide,
)
from lti_tool.importers.moodle import parse_moodle
from lti_tool.importers.ourcsv import TEMPLATE_CSV, parse_ourcsv
from tests.importers.conftest import GRADEBOOKS, STANDARDS

PARSERS: dict[str, Callable[..., object]] = {
    "case": parse_case,
    "canvas": parse_canvas,
    "moodle": parse_moodle,
    "esco": parse_esco,
    "csv": parse_ourcsv,
    "any": parse_any,
    "evidence_long": parse_evidence_long,
    "evidence_wide": parse_evidence_wide,
    "evidence_format": evidence_format,
}
# Small real files, so mutations stay fast; ccss is covered by the real-file tests.
SEEDS = {
    "case": STANDARDS / "case/opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json",
    "canvas": STANDARDS / "canvas/test_outcomes_1.csv",
    "moodle": STANDARDS / "moodle/moodle-core-example.csv",
    "esco": STANDARDS / "durable-skills/transversalSkillsCollection_en.csv",
    "evidence_long": GRADEBOOKS / "mastery-attempts-sample.csv",
    "evidence_wide": GRADEBOOKS / "eld-gradebook-extract.csv",
}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_import_failed(parse: Callable[..., object], data: bytes | str) -> None:
    try:
        parse(data)
    except ImportFailed as error:
        assert error.problems
        assert str(error)


def _mutate(text: str, rng: random.Random, how: str) -> str:
    lines = text.splitlines(keepends=True)
    if how == "truncate":
        return text[: rng.randrange(len(text) + 1)]
    if how == "shuffle":
        rng.shuffle(lines)
        return "".join(lines)
    if how == "delete_field":
        return "".join(_drop_cell(line, rng) for line in lines)
    index = rng.randrange(len(text) + 1)  # insert a structural character
    return (
        text[:index] + rng.choice(['"', ",", "\n", "{", "}", "<", "\x00", "\ufeff"]) + text[index:]
    )


def _drop_cell(line: str, rng: random.Random) -> str:
    separator = '", "' if '": ' in line else ","
    cells = line.split(separator)
    if len(cells) > 1:
        del cells[rng.randrange(len(cells))]
    return separator.join(cells)


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_random_input(name: str, data: bytes | str) -> None:
    _only_import_failed(PARSERS[name], data)


@pytest.mark.parametrize("name", sorted(SEEDS))
@FUZZ
@given(
    seed=st.integers(0, 2**32),
    how=st.sampled_from(["truncate", "shuffle", "delete_field", "insert"]),
    rounds=st.integers(1, 3),
)
def test_mutated_real_files(name: str, seed: int, how: str, rounds: int) -> None:
    rng = random.Random(seed)
    text = SEEDS[name].read_text(encoding="utf-8")
    for _ in range(rounds):
        text = _mutate(text, rng, how)
    _only_import_failed(PARSERS[name], text)
    _only_import_failed(parse_any, text)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.text(max_size=4), st.text(max_size=4), st.text(max_size=4), st.text(max_size=3)
        ),
        max_size=12,
    )
)
def test_random_template_rows(rows: list[tuple[str, str, str, str]]) -> None:
    lines = [TEMPLATE_CSV.splitlines()[0]]
    lines += [f'"{c}","{t}",,,"{p}","{y}"'.replace('""', '"') for c, t, p, y in rows]
    _only_import_failed(parse_ourcsv, "\n".join(lines))
