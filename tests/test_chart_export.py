"""Charts as PNG and SVG (analysis.chart_export) in the Debian Chromium."""
import xml.etree.ElementTree as ET

import pytest
from refdata import reference_path

import qmethod as qm
from analysis import figures
from analysis.chart_export import figure_image, figure_images
from analysis.report_pdf import pdf_engine

pytestmark = pytest.mark.skipif(pdf_engine() is None, reason="needs the chromium browser")

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def result():
    return qm.analyze(qm.io.read_any(reference_path("datasets", "lipset", "sorts.csv")), 3)


def test_svg_draws_the_labels_not_the_hover_texts(result):
    fa = result.factor_arrays["f1"]
    labels = {sid: f"S{k}" for k, sid in enumerate(fa.index, 1)}
    # a label that would end the page's script element if it were not escaped
    labels[fa.index[0]] = "</script>x"
    fig = figures.composite_sort(fa, result.grid, texts=result.statements, labels=labels)
    svg = figure_image(fig, "svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    drawn = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert set(labels.values()) - {"</script>x"} <= drawn
    assert any(t.endswith("x") for t in drawn)
    for text in result.statements:
        assert text not in svg.decode("utf-8")        # hover texts are not in a static image
    assert int(float(root.get("height"))) == int(fig.layout.height)


def test_png_and_a_heatmap(result):
    png = figure_image(figures.correlation_heatmap(result.factor_correlations, 0.3), "png",
                       width=400, height=300, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == 400 and int.from_bytes(png[20:24], "big") == 300
    with pytest.raises(ValueError, match="unknown image format 'gif'"):
        figure_image(figures.correlation_heatmap(result.factor_correlations, 0.3), "gif")


def test_several_figures_in_one_page_keep_their_names_and_sizes(result):
    figs = {f: figures.composite_sort(result.factor_arrays[f], result.grid, texts=result.statements,
                                      labels={s: f"{f}-{k}" for k, s in enumerate(result.zscores.index)})
            for f in result.factor_names}
    images = figure_images(figs, "svg")
    assert list(images) == result.factor_names
    for f, svg in images.items():
        drawn = {"".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")}
        assert f"{f}-0" in drawn and not any(t.startswith("f") and not t.startswith(f) for t in drawn
                                             if "-" in t)
    pngs = figure_images(figs, "png", scale=1)
    assert all(p.startswith(b"\x89PNG") for p in pngs.values())
    assert figure_images({}, "png") == {}
