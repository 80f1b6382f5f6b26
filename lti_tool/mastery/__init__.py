"""The mastery domain: scales, calculation methods, roll-ups, grade policies.

Standard library only, so it can be tested and reused without the web app.
"""

from __future__ import annotations

from lti_tool.mastery.calculation import Calculation, Calculator, compute, compute_many
from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.evidence import Score, ordered
from lti_tool.mastery.gradebook import (
    compute_course,
    compute_points,
    results_by_student,
    summarise_course,
)
from lti_tool.mastery.methods import METHODS, Method, Parameter, get_method
from lti_tool.mastery.policies import DEFAULT_TABLE, POLICIES, SummaryGrade, apply_policy
from lti_tool.mastery.presets import DEFAULT_SCALE, PRESETS
from lti_tool.mastery.results import MasteryResult, Status
from lti_tool.mastery.rollup import ROLLUPS, RollupPlan, rollup_tree
from lti_tool.mastery.scales import Level, Scale
from lti_tool.mastery.settings import MasterySettings
from lti_tool.mastery.todo import TodoItem, build_todo

__all__ = [
    "DEFAULT_SCALE",
    "DEFAULT_TABLE",
    "METHODS",
    "POLICIES",
    "PRESETS",
    "ROLLUPS",
    "Calculation",
    "Calculator",
    "Level",
    "MasteryError",
    "MasteryResult",
    "MasterySettings",
    "Method",
    "Parameter",
    "RollupPlan",
    "Score",
    "Scale",
    "Status",
    "SummaryGrade",
    "TodoItem",
    "apply_policy",
    "build_todo",
    "compute",
    "compute_course",
    "compute_many",
    "compute_points",
    "get_method",
    "ordered",
    "results_by_student",
    "rollup_tree",
    "summarise_course",
]
