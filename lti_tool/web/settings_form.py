"""Reading the course settings form: every field checked against the domain's own limits, each
problem named next to its field, and the proposal as `change_settings` takes it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from ..mastery import METHODS, POLICIES, ROLLUPS, MasteryError, MasterySettings
from ..mastery.calculation import MAX_MIN_EVIDENCE
from ..mastery.methods import Parameter
from ..mastery.policies import validate_table
from ..models import CourseSettings, Scale
from .previews import digest, stored_settings

ROLLUP_LABELS = {
    "mean_of_children": lazy_gettext("Average of the standards under it"),
    "minimum_of_children": lazy_gettext("Lowest of the standards under it"),
    "all_children_at_mastery": lazy_gettext("At mastery only when every standard under it is"),
    "share_at_mastery": lazy_gettext("Share of the standards under it at mastery"),
}
POLICY_HELP = {
    "level_conversion": lazy_gettext(
        "The average of the student's current levels, converted to a percent "
        "through the table below (linear between rows)."
    ),
    "share_at_mastery": lazy_gettext("The share of assessed standards at mastery, as a percent."),
    "credit_no_credit": lazy_gettext(
        "Full marks when every assessed standard is at mastery, else zero."
    ),
}
BLANK_TABLE_ROWS = 2


@dataclass
class SettingsForm:
    """What was typed (to show again), each problem by field, and the proposal once checked."""

    values: dict[str, str] = field(default_factory=dict)
    table: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    scale: Scale | None = None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def table_rows(self) -> list[tuple[str, str]]:
        return [*self.table, *[("", "")] * BLANK_TABLE_ROWS]


def param_field(method: str, parameter: Parameter) -> str:
    return f"param-{method}-{parameter.name}"


def form_from_settings(row: CourseSettings, current: MasterySettings) -> SettingsForm:
    """The form filled with the course's settings (defaults filled in)."""
    values = {
        "scale": str(row.scale_id),
        "method": current.method,
        "min_evidence": str(current.min_evidence),
        "rollup": current.rollup,
        "policy": current.policy,
        "maximum": f"{current.maximum:g}",
    }
    for method in METHODS.values():
        for parameter in method.parameters:
            value = current.params.get(parameter.name, parameter.default)
            if method.name != current.method:
                value = parameter.default
            values[param_field(method.name, parameter)] = f"{value:g}"
    if current.policy_params.get("priority_only"):
        values[f"priority_only-{current.policy}"] = "1"
    table = current.policy_params.get("table") or POLICIES["level_conversion"].defaults["table"]
    pairs = sorted((float(level), float(percent)) for level, percent in table.items())
    return SettingsForm(values=values, table=[(f"{a:g}", f"{b:g}") for a, b in pairs])


def read_settings_form(values: Mapping[str, str], scales: Mapping[int, Scale]) -> SettingsForm:
    """The submitted settings, each field checked; `changes` holds the proposal when valid."""
    form = SettingsForm(values={k: v.strip() for k, v in values.items() if isinstance(v, str)})
    form.scale = _scale(form, scales)
    method = _choice(form, "method", METHODS, _("Choose one of the calculation methods."))
    rollup = _choice(form, "rollup", ROLLUPS, _("Choose one of the roll-ups."))
    policy = _choice(form, "policy", POLICIES, _("Choose one of the summary grade policies."))
    params = _params(form, method) if method else {}
    min_evidence = _number(
        form, "min_evidence", 1, MAX_MIN_EVIDENCE, is_integer=True, what=_("Minimum evidence")
    )
    maximum = _maximum(form)
    policy_params = _policy_params(form, policy) if policy else {}
    if form.is_valid:
        form.changes = {
            "method": method,
            "params": params,
            "min_evidence": int(min_evidence),  # type: ignore[arg-type]  (checked)
            "rollup": rollup,
            "policy": policy,
            "policy_params": policy_params,
            "maximum": maximum,
        }
    else:  # keep the typed table rows to show again
        form.table = _typed_table(values)
    return form


def _scale(form: SettingsForm, scales: Mapping[int, Scale]) -> Scale | None:
    text = form.value("scale")
    scale = scales.get(int(text)) if text.isdigit() else None
    if scale is None:
        form.errors["scale"] = _("Choose one of the scales.")
    return scale


def _choice(form: SettingsForm, name: str, choices: Mapping[str, Any], message: str) -> str:
    value = form.value(name)
    if value not in choices:
        form.errors[name] = message
        return ""
    return value


def _params(form: SettingsForm, method: str) -> dict[str, float]:
    found = {}
    for parameter in METHODS[method].parameters:
        name = param_field(method, parameter)
        value = _number(
            form,
            name,
            parameter.minimum,
            parameter.maximum,
            is_integer=parameter.is_integer,
            what=parameter.label,
        )
        if value is not None:
            found[parameter.name] = value
    return found


def _number(
    form: SettingsForm, name: str, low: float, high: float, *, is_integer: bool, what: str
) -> float | None:
    """A number within [low, high] (a whole one if `is_integer`), else an error on the field."""
    text = form.value(name)
    limits = {"what": what, "low": f"{low:g}", "high": f"{high:g}"}
    if is_integer:
        message = _("%(what)s: enter a whole number from %(low)s to %(high)s.", **limits)
    else:
        message = _("%(what)s: enter a number from %(low)s to %(high)s.", **limits)
    try:
        value = float(text)
    except ValueError:
        form.errors[name] = message
        return None
    if not (math.isfinite(value) and low <= value <= high) or (
        is_integer and not value.is_integer()
    ):
        form.errors[name] = message
        return None
    return int(value) if is_integer else value


def _maximum(form: SettingsForm) -> float | None:
    text = form.value("maximum")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= 100_000):
        form.errors["maximum"] = _("Grade out of: enter a positive number, for example 100.")
        return None
    return value


def _typed_table(values: Mapping[str, str]) -> list[tuple[str, str]]:
    rows = []
    for index in range(100):
        level = values.get(f"table-level-{index}")
        percent = values.get(f"table-percent-{index}")
        if level is None and percent is None:
            break
        if (level or "").strip() or (percent or "").strip():
            rows.append(((level or "").strip(), (percent or "").strip()))
    return rows


def _policy_params(form: SettingsForm, policy: str) -> dict[str, Any]:
    defaults = POLICIES[policy].defaults
    if "table" in defaults:
        rows = _typed_table(form.values)
        form.table = rows
        try:
            pairs = validate_table({level: percent for level, percent in rows})
        except MasteryError as error:
            form.errors["table"] = _("Conversion table: %(problem)s", problem=_sentence(str(error)))
            return {}
        if len(pairs) != len(rows):
            form.errors["table"] = _("Conversion table: the same level appears twice.")
            return {}
        return {"table": {f"{level:g}": percent for level, percent in pairs}}
    found = {}
    if "priority_only" in defaults:
        found["priority_only"] = form.value(f"priority_only-{policy}") == "1"
    return found


def _sentence(text: str) -> str:
    """The domain's message as the end of a sentence after "Conversion table: "."""
    text = text.strip().rstrip(".")
    if text.lower().startswith("conversion table "):
        text = text[len("conversion table ") :]
    return (text[:1].lower() + text[1:] + ".") if text else _("check its rows.")


def fingerprint(row: CourseSettings, form: SettingsForm) -> str:
    """A digest of the stored settings and the proposal: saving needs the one the preview had."""
    return digest(stored_settings(row), [form.scale.id if form.scale else None, form.changes])
