"""Streamlit's XSRF protection stays on: the project's configuration (and its
deploy scripts) never turn it off, and the running app refuses a file upload
(``PUT /_stcore/upload_file/<session>/<file>``, the one state-changing HTTP
request Streamlit serves) that lacks the XSRF cookie and header, or whose
header does not match the cookie, with 403. With the matching pair, the same
request gets past the XSRF check (it then fails on the made-up session, 400),
which shows that the 403 is the XSRF check's (Streamlit 1.67,
``web/server/starlette/starlette_routes.py``: ``_check_xsrf`` runs first)."""
from __future__ import annotations

import http.client
import subprocess
import sys
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from qsweb import ROOT

pytestmark = pytest.mark.browser

XSRF_COOKIE = "_streamlit_xsrf"
BODY = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
        b"Content-Type: text/csv\r\n\r\nid,text\r\n--b--\r\n")


def test_the_configuration_keeps_xsrf_protection_on():
    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('server.enableXsrfProtection'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout.strip().splitlines()[-1]
    assert out == "True"
    # nothing the project ships turns it off (config, deploy scripts, services)
    for path in [*(ROOT / ".streamlit").glob("*.toml"), *(ROOT / "deploy").rglob("*"),
                 ROOT / "app.py"]:
        if path.is_file():
            text = path.read_text(errors="replace").lower()
            assert "enablexsrfprotection" not in text and "xsrf" not in text, path


def put_upload(base: str, headers: dict[str, str]) -> int:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("PUT", "/_stcore/upload_file/made-up-session/made-up-file", body=BODY,
                     headers={"Content-Type": "multipart/form-data; boundary=b", **headers})
        return conn.getresponse().status
    finally:
        conn.close()


def xsrf_cookie(base: str) -> str:
    # set where the page gets it: the health check its script calls first
    with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as r:
        jar = SimpleCookie()
        for header in r.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    assert XSRF_COOKIE in jar, "the app sets no XSRF cookie"
    return jar[XSRF_COOKIE].value


def test_an_upload_without_the_xsrf_token_is_refused(app_url):
    token = xsrf_cookie(app_url)
    cookie = f"{XSRF_COOKIE}={token}"
    assert put_upload(app_url, {}) == 403                                   # neither
    assert put_upload(app_url, {"Cookie": cookie}) == 403                   # no header
    assert put_upload(app_url, {"X-Xsrftoken": token}) == 403               # no cookie
    other = xsrf_cookie(app_url)                                            # another visitor's
    assert other != token
    assert put_upload(app_url, {"Cookie": cookie, "X-Xsrftoken": other}) == 403
    # the matching pair passes the XSRF check, and the made-up session is refused next
    assert put_upload(app_url, {"Cookie": cookie, "X-Xsrftoken": token}) == 400
