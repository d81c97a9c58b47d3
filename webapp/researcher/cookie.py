"""The sign-in cookie, set and cleared from the browser.

Streamlit cannot set a cookie from Python, so a tiny custom component (v2,
no build step) does it in the page's own document: ``document.cookie`` with
``path=/``, ``SameSite=Strict`` and ``Secure`` on https. The cookie holds only
the random session token (:meth:`storage.Store.sign_in`); it cannot be
HttpOnly, so the session itself (who, until when) lives in the database,
where signing out ends it whatever the browser keeps. On the next page load
:attr:`st.context.cookies` hands it back.

A change is queued with :func:`queue` and sent by :func:`sync`, which
``app.py`` calls on every run until the browser confirms it (so it survives
a page switch right after signing in).
"""
from __future__ import annotations

import secrets
from functools import lru_cache

import streamlit as st

from storage.accounts import SESSION_MAX

NAME = "qp_session"
PENDING = "qp_cookie_pending"
KEY = "qp_cookie_sync"

_JS = """
// Sets or clears the sign-in cookie; reports back with the change's nonce.
export default function syncCookie(component) {
  const { data, setTriggerValue } = component;
  if (!data || !data.name) return undefined;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const value = data.value ? encodeURIComponent(data.value) : "";
  const age = data.value ? data.max_age : 0;
  document.cookie = `${data.name}=${value}; path=/; SameSite=Strict; max-age=${age}${secure}`;
  setTriggerValue("done", data.nonce);
  return undefined;
}
"""


@lru_cache(maxsize=1)
def _component():
    return st.components.v2.component("qp_signin_cookie", js=_JS)


def queue(token: str | None) -> None:
    """Set the cookie to ``token`` on the next :func:`sync` (None clears it)."""
    st.session_state[PENDING] = {"value": token or "", "nonce": secrets.token_hex(8)}


def sync() -> None:
    """Send a queued cookie change to the browser (renders nothing visible)."""
    pending = st.session_state.get(PENDING)
    if not pending:
        return

    def done():
        got = (st.session_state.get(KEY) or {}).get("done")
        current = st.session_state.get(PENDING)
        if current and got == current["nonce"]:
            st.session_state.pop(PENDING, None)

    _component()(key=KEY, data={"name": NAME, "value": pending["value"], "nonce": pending["nonce"],
                                "max_age": int(SESSION_MAX.total_seconds())},
                 on_done_change=done, height=0)


def browser_token() -> str | None:
    """The token the browser sent with this page load, if any."""
    try:
        value = st.context.cookies.get(NAME)
    except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
        return None
    return str(value) if value else None
