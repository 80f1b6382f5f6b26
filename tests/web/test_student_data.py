"""One student's data for a FERPA/GDPR request, from the CLI: export everything stored about
them (JSON), then erase it (typed back); no table keeps a row of theirs, everyone else's rows
stay, and actions they took keep happening without their id. Through real launches."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import AuditEvent, Evidence, User
from lti_tool.services.registration_data import paths, rows_of
from tests.live import CLIENT_ID, OTHER_STUDENT, STUDENT, TEACHER
from tests.web.conftest import Ids, launch_as


def owned_counts(user_id: int) -> dict[str, int]:
    """Rows per table hanging from the user's row: one query per table."""
    found = {}
    for name, path in paths("users", cascade_only=True).items():
        query = rows_of(user_id, db.metadata.tables[name], path).subquery()
        found[name] = db.session.scalar(select(func.count()).select_from(query)) or 0
    return found


def test_export_then_erase_one_student(browser, ids: Ids, tool, lms):
    student = launch_as(browser, STUDENT)
    rating = f"/students/{ids.users[STUDENT]}/standards/{ids.standards['A-REI.3']}/self-assessment"
    assert student.post(rating, {"level": "3", "reflection": "Practised."}).status_code == 303
    launch_as(browser, OTHER_STUDENT)
    launch_as(browser, TEACHER)
    runner = tool.test_cli_runner()
    who = ["--issuer", lms.issuer, "--client-id", CLIENT_ID, "--sub", STUDENT]
    with tool.app_context():
        mine = owned_counts(ids.users[STUDENT])
        others = owned_counts(ids.users[OTHER_STUDENT])
        all_evidence = db.session.scalar(select(func.count()).select_from(Evidence))
    assert mine["evidence"] > 0 and mine["launches"] > 0 and mine["users"] == 1

    exported = runner.invoke(args=["student", "export", *who])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.stdout)
    assert {row["student_id"] for row in data["tables"]["evidence"]} == {ids.users[STUDENT]}
    assert len(data["tables"]["evidence"]) == mine["evidence"]
    assert "launches" not in data["tables"]  # protocol state, not data about them
    assert data["acted_as"]["evidence.entered_by_id"][0]["source"] == "self"

    refused = runner.invoke(args=["student", "erase", *who, "--confirm", "someone"])
    assert refused.exit_code != 0 and "Nothing was erased" in refused.output
    erased = runner.invoke(args=["student", "erase", *who, "--confirm", STUDENT])
    assert erased.exit_code == 0, erased.output

    with tool.app_context():
        assert sum(owned_counts(ids.users[STUDENT]).values()) == 0
        assert owned_counts(ids.users[OTHER_STUDENT]) == others
        left = db.session.scalar(select(func.count()).select_from(Evidence))
        assert left == all_evidence - mine["evidence"]
        assert db.session.get(User, ids.users[STUDENT]) is None
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"user {ids.users[STUDENT]}")
        ).all()
        assert sorted(actions) == ["student.erased", "student.exported"]
