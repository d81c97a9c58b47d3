"""The demo analysis page: simulated data, clearly labelled, analysed and
matched to the three perspectives (run with Streamlit's AppTest, no browser)."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

SCRIPT = """
from webapp.results import demo
demo.page()
"""


@pytest.fixture
def demo_app(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "demo.sqlite3"))
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    return at


def _figure(element) -> dict:
    assert type(element.proto).__name__ == "PlotlyChart"
    return json.loads(element.proto.spec)


def _array(value):
    """A Plotly JSON array: a list, or numpy's typed-array encoding."""
    if isinstance(value, dict) and "bdata" in value:
        shape = [int(s) for s in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.asarray(value)


def test_demo_page_shows_labelled_simulated_viewpoints(demo_app):
    at = demo_app.run()
    assert not at.exception, at.exception
    assert "Simulated participants, not real people" in at.warning[0].value
    assert "40 synthetic" in at.warning[0].value
    assert "hypothesis for the researcher to confirm" in at.info[0].value
    assert "9,999 times (seed 0)" in at.info[0].value
    lines = [m.value for m in at.markdown if m.value.startswith("- **f")]
    assert len(lines) == 3
    for perspective in ("clarification", "elucidation", "provocation"):
        assert sum(f"matches **{perspective}**" in line for line in lines) == 1
    # The evidence: a Plotly heatmap of the statistics, the adjusted p on hover.
    charts = {c.key: c for c in at.get("plotly_chart")}
    heat = _figure(charts["viewpoint-heatmap"])["data"][0]
    assert heat["type"] == "heatmap"
    assert heat["x"] == ["clarification", "elucidation", "provocation"] and heat["y"] == ["f1", "f2", "f3"]
    z = _array(heat["z"])
    assert z.shape == (3, 3) and (z.max(axis=1) > 3).all()
    assert all("adjusted p" in cell for row in heat["hovertext"] for cell in row)
    factors = [e for e in at.expander if e.label.startswith("f")]
    assert len(factors) == 3
    aids = [e for e in at.expander if e.label.startswith("How many factors?")]
    assert aids and "suggest" in aids[0].label
    assert _figure(aids[0].children[0])["data"][0]["name"] == "data"
    # The composite sort of each factor is a Plotly chart first in its expander, with texts on hover.
    for e in factors:
        trace = _figure(e.children[0])["data"][0]
        assert len(trace["customdata"]) == 36 and "<br>" in trace["hovertext"][0]
    assert {"zscores", "loadings", "ideal-types", "scree"} <= set(charts)
    # More factors: the 4th factor gets its own line of evidence too.
    at.slider[0].set_value(4).run()
    assert not at.exception
    assert len([e for e in at.expander if e.label.startswith("f")]) == 4
    f4 = [m.value for m in at.markdown if m.value.startswith("- **f4**")]
    assert f4 and any(word in f4[0] for word in ("matches", "hybrid", "rejects", "no perspective",
                                                   "no defining sort"))
