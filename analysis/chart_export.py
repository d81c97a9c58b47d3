"""Charts as PNG and SVG files: a Plotly figure drawn by plotly.js's own
``Plotly.toImage`` in headless Chromium.

Why not Plotly's exporter, kaleido: kaleido 1.x does run with Debian's
chromium (``BROWSER_PATH=/usr/bin/chromium``), but by default its page loads
plotly.js and MathJax from CDNs, so an offline server waits for them (11 s
for a first image, about 3 s for each later one in a trial here); it would
add four packages and start a second browser beside the one the PDF export
keeps. Here the figure's JSON and plotly.js (the vendored bundle when it
draws the figure's traces, else the plotly package's full one) go into one
local page, opened in the browser :mod:`analysis.report_pdf` keeps per
process, and ``Plotly.toImage`` returns the image: nothing is fetched, and
the figure is the very one the page shows (hover texts are not part of a
static image; the labels drawn on the chart are).

The browser is the one :func:`analysis.report_pdf.pdf_engine` finds
(``QP_CHROMIUM`` or Debian's ``chromium``); without it
:class:`~analysis.report_pdf.PdfUnavailable` says why in one line.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from urllib.parse import unquote

import plotly.graph_objects as go

from .report_html import BASIC_TRACES, plotly_js
from .report_pdf import PdfUnavailable, page_value

FORMATS = ("png", "svg")
#: size when the figure's layout gives none (pixels)
DEFAULT_SIZE = (900, 560)

__all__ = ["FORMATS", "figure_image", "figure_images", "PdfUnavailable"]


def _script(figs) -> str:
    traces = {t.type or "scatter" for fig in figs for t in fig.data}
    if traces <= BASIC_TRACES:
        return plotly_js()
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


def _page(figs: list[go.Figure]) -> str:
    # "</" inside the JSON (a statement text) must not end the script element
    specs = ",".join(fig.to_json() for fig in figs).replace("</", "<\\/")
    js = _script(figs).replace("</script", "<\\/script")
    return ("<!doctype html><html><head><meta charset=\"utf-8\"></head><body>"
            f"<script>{js}</script><script>window.FIGURES = [{specs}];</script></body></html>")


def _decode(url: str, fmt: str) -> bytes:
    head, _, body = str(url).partition(",")
    if fmt == "png":
        if not head.endswith(";base64"):
            raise PdfUnavailable("The image could not be made: the browser did not return a PNG.")
        return base64.b64decode(body)
    return base64.b64decode(body) if head.endswith(";base64") else unquote(body).encode("utf-8")


def figure_images(figs: Mapping[str, go.Figure], fmt: str, *, width: int | None = None,
                  height: int | None = None, scale: float = 2.0,
                  timeout: float = 60.0) -> dict[str, bytes]:
    """Several figures as ``fmt`` ('png' or 'svg') bytes, by the same keys:
    one page and one load of plotly.js for all of them (each figure alone
    would load it again, about a second a time).

    width, height : pixels (default: each layout's, else 900 x 560)
    scale : PNG pixel density (2: sharp on high-resolution screens and in print)
    """
    fmt = str(fmt).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {fmt!r}; one of {', '.join(FORMATS)}")
    names, figs = list(figs), list(figs.values())
    if not figs:
        return {}
    opts = [{"format": fmt, "width": int(width or f.layout.width or DEFAULT_SIZE[0]),
             "height": int(height or f.layout.height or DEFAULT_SIZE[1]),
             "scale": scale if fmt == "png" else 1} for f in figs]
    urls = page_value(_page(figs), f"(async () => {{ const opts = {json.dumps(opts)}; const out = []; "
                      "for (let i = 0; i < FIGURES.length; i++) "
                      "out.push(await Plotly.toImage(FIGURES[i], opts[i])); return out; })()",
                      timeout=timeout, what="image")
    if not isinstance(urls, list) or len(urls) != len(figs):
        raise PdfUnavailable("The image could not be made: the browser returned no images.")
    return {name: _decode(url, fmt) for name, url in zip(names, urls)}


def figure_image(fig: go.Figure, fmt: str, *, width: int | None = None, height: int | None = None,
                 scale: float = 2.0, timeout: float = 60.0) -> bytes:
    """The figure as ``fmt`` ('png' or 'svg') bytes (see :func:`figure_images`)."""
    return figure_images({"figure": fig}, fmt, width=width, height=height, scale=scale,
                         timeout=timeout)["figure"]
