"""A small server-rendered SVG timeline of one cell's evidence (no script, no inline style)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..services.views.common import EvidenceItem, ScaleView
from .zones import local_date

# Units of the viewBox: the chart is drawn at about this size (mastery.css), so its 14-unit text
# stays near 14 px; on a phone, where the box is some 300 px wide, still over 10 px.
WIDTH, HEIGHT = 400, 176
LEFT, RIGHT, TOP, BOTTOM = 110, 16, 12, 34
DATE_DROP = 22  # the dates' baseline below the lowest level: clear of its dots (radius 6)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    day: str
    level_index: int | None


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str
    is_mastery: bool
    is_threshold: bool


@dataclass(frozen=True)
class Chart:
    """Coordinates ready for the template: one point per counted piece of evidence."""

    width: int
    height: int
    left: int
    right_edge: int
    baseline: float
    points: list[ChartPoint]
    gridlines: list[Gridline]
    path: str
    first_day: str
    last_day: str
    summary: str


def evidence_chart(items: Sequence[EvidenceItem], scale: ScaleView) -> Chart | None:
    """The live, counted evidence over time on the scale's scoring levels; None if there is none."""
    domain = scale.scale
    counted = [
        item
        for item in items
        if item.is_live
        and not item.is_exempt
        and not item.is_self
        and item.points not in domain.non_score_points
    ]
    if not counted:
        return None
    low, high = domain.min_points, domain.max_points
    plot_h = HEIGHT - TOP - BOTTOM

    def y_of(points: float) -> float:
        share = (min(max(points, low), high) - low) / (high - low)
        return round(TOP + plot_h * (1 - share), 1)

    xs = _x_positions([item.demonstrated_at.timestamp() for item in counted])
    points = [
        ChartPoint(x, y_of(item.points), item.level_label, _day(item), item.level_index)
        for x, item in zip(xs, counted, strict=True)
    ]
    gridlines = _gridlines(scale, y_of)
    path = " ".join(f"{'M' if n == 0 else 'L'} {p.x} {p.y}" for n, p in enumerate(points))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        baseline=HEIGHT - BOTTOM + DATE_DROP,
        points=points,
        gridlines=gridlines,
        path=path,
        first_day=points[0].day,
        last_day=points[-1].day,
        summary=", ".join(f"{p.day}: {p.label}" for p in points),
    )


def _gridlines(scale: ScaleView, y_of: Callable[[float], float]) -> list[Gridline]:
    """One line per scoring level; the mastery threshold is drawn dashed."""
    domain = scale.scale
    return [
        Gridline(
            y_of(level.points),
            level.label[:16],
            level.is_mastery,
            level.points == domain.mastery_threshold,
        )
        for level in domain.scoring_levels
    ]


def _x_positions(stamps: list[float]) -> list[float]:
    """Proportional to time; evenly spread when everything happened at once."""
    width = WIDTH - LEFT - RIGHT - 16
    start = LEFT + 8
    if len(stamps) == 1:
        return [start + width / 2]
    span = stamps[-1] - stamps[0]
    if span <= 0:
        return [round(start + width * n / (len(stamps) - 1), 1) for n in range(len(stamps))]
    return [round(start + width * (stamp - stamps[0]) / span, 1) for stamp in stamps]


def _day(item: EvidenceItem) -> str:
    return local_date(item.demonstrated_at)
