import itertools

import pytest
from django.template.loader import render_to_string

from core import charts


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (21, 25), (26, 50), (999, 1000), (1001, 2000)],
)
def test_nice_ceiling_rounds_up_to_a_readable_axis_top(value: int, ceiling: int) -> None:
    assert charts.nice_ceiling(value) == ceiling


def test_bars_scale_to_the_axis_top_and_stay_inside_the_plot() -> None:
    chart = charts.bar_chart("t", [("a", 0), ("b", 5), ("c", 10)])
    plot_bottom = charts.HEIGHT - charts.PAD_BOTTOM
    assert [b.height for b in chart.bars] == [
        0,
        (plot_bottom - charts.PAD_TOP) / 2,
        plot_bottom - charts.PAD_TOP,
    ]
    assert all(b.y + b.height == pytest.approx(plot_bottom) for b in chart.bars)
    assert all(
        b.x >= charts.PAD_LEFT and b.x + b.width <= charts.WIDTH - charts.PAD_RIGHT
        for b in chart.bars
    )
    assert [t.label for t in chart.ticks] == ["0", "2.5", "5", "7.5", "10"]


def test_x_labels_are_spread_out_and_never_crowd_the_last_one() -> None:
    series = [(f"d{i}", i) for i in range(30)]
    labels = [xl.label for xl in charts.bar_chart("t", series).x_labels]
    assert labels[0] == "d0" and len(labels) <= 9
    positions = [int(label[1:]) for label in labels]
    assert min(b - a for a, b in itertools.pairwise(positions)) >= 2


def test_line_chart_points_follow_the_values() -> None:
    chart = charts.line_chart("t", [("a", 1), ("b", 4)])
    (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in chart.line_points.split())
    assert x1 < x2 and y1 > y2  # the higher value is drawn higher up


def test_chart_component_renders_svg_with_a_text_alternative() -> None:
    html = render_to_string(
        "components/chart.html", {"chart": charts.bar_chart("Signups", [("Mon", 3)])}
    )
    assert '<svg viewBox="0 0 640 220" aria-hidden="true"' in html
    assert "<caption>Signups</caption>" in html
    assert "<td>Mon</td><td>3</td>" in html


def test_an_empty_chart_says_there_is_no_data() -> None:
    html = render_to_string("components/chart.html", {"chart": charts.bar_chart("Signups", [])})
    assert "<svg" not in html and "No data for this period" in html


def test_a_narrow_chart_can_drop_every_other_date_label_and_keep_them_apart() -> None:
    """On a phone the stylesheet draws labels about twice as large and hides the minor ones:
    the labels left must still be far apart, and the first must clear the y axis."""
    for days in (7, 30, 90):
        chart = charts.bar_chart("t", [(f"{i} Nov", i) for i in range(days)])
        shown = [xl for xl in chart.x_labels if not xl.minor]
        assert shown[0].anchor == "start" and shown[0].x >= charts.PAD_LEFT
        # "29 Nov" at the phone's 22-unit font is about 75 units wide.
        centres = [xl.x + (40 if xl.anchor == "start" else 0) for xl in shown]
        assert min(b - a for a, b in itertools.pairwise(centres)) >= 100, days
        html = render_to_string("components/chart.html", {"chart": chart})
        assert html.count('class="axis axis-minor"') == len(chart.x_labels) - len(shown)
