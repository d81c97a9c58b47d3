"""The demo analysis page: simulated data, clearly labelled, analysed and
matched to the three perspectives (run with Streamlit's AppTest, no browser)."""
from __future__ import annotations

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


def test_demo_page_shows_labelled_simulated_viewpoints(demo_app):
    at = demo_app.run()
    assert not at.exception, at.exception
    assert "Simulated participants, not real people" in at.warning[0].value
    assert "40 synthetic" in at.warning[0].value
    lines = " ".join(m.value for m in at.markdown)
    for perspective in ("clarification", "elucidation", "provocation"):
        assert f"resembles {perspective}" in lines
    assert "0.33" in lines                       # the significance threshold for 36 statements
    factors = [e for e in at.expander if e.label.startswith("f")]
    assert len(factors) == 3
    aids = [e for e in at.expander if e.label.startswith("How many factors?")]
    assert aids and "suggest" in aids[0].label
    # The composite sort of each factor is drawn (an image first in its expander).
    assert all(type(e.children[0]).__name__ == "Image" for e in factors)
    # More factors: the 4th factor gets its own line of evidence too.
    at.slider[0].set_value(4).run()
    assert not at.exception
    assert len([e for e in at.expander if e.label.startswith("f")]) == 4
    f4 = [m.value for m in at.markdown if m.value.startswith("- f4:")]
    assert f4 and ("possible new viewpoint" in f4[0] or "no Q-sort defines it" in f4[0]
                   or "resembles" in f4[0])
