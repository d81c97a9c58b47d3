"""The one door of the researcher's workspace.

Every researcher page starts with :func:`require_researcher` or
:func:`require_study` (a test walks :data:`webapp.researcher.pages.RESEARCHER_PAGES`
and fails for a page that does not answer "sign in" to a visitor who is not
signed in, and "not found" for another researcher's study). Every action
that changes something checks again when it runs, on the server
(:mod:`webapp.researcher.actions` calls :func:`check`), so a hidden button
or a forged request gets nothing either.

Who is signed in: the token this browser tab got when signing in
(session state), else the sign-in cookie sent with the page load; the
database says whether it is still valid (:meth:`storage.Store.session_researcher`).
Access to a study: :meth:`storage.Store.study_role` (owner, editor, or
viewer for a demo study); a study the researcher may not open is "not
found", exactly like one that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from storage import NotAllowed, Researcher, SignInFailed, SignInThrottled, StorageError, UnknownStudy
from storage.sharing import role_at_least
from webapp.participant.session import get_store

from ..client import client_address
from . import cookie

TOKEN = "qp_researcher_token"
SIGNED_OUT = "qp_signed_out"
#: words the tests look for
SIGN_IN_PROMPT = "Please sign in"
NOT_FOUND = "Study not found"


class NotSignedIn(StorageError):
    """The visitor is not signed in (or the session expired)."""

    code = "not_signed_in"

    def __init__(self, message: str = "Please sign in first."):
        super().__init__(message)


@dataclass(frozen=True)
class Access:
    """Who is acting (``researcher``) and, for a study, its ``slug`` and their ``role``."""

    researcher: Researcher
    slug: str | None = None
    role: str | None = None

    @property
    def can_edit(self) -> bool:
        return self.role is not None and role_at_least(self.role, "editor")

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def check(store, token: str | None, slug: str | None = None, need: str | None = None) -> Access:
    """Who ``token`` signs in, and their access to ``slug`` (at least ``need``:
    ``viewer``, ``editor`` or ``owner``). Raises :class:`NotSignedIn`,
    :class:`UnknownStudy` (not theirs, or no such study) or :class:`NotAllowed`."""
    researcher = store.session_researcher(token)
    if researcher is None:
        raise NotSignedIn()
    if slug is None:
        if need is not None:
            raise UnknownStudy("")
        return Access(researcher)
    role = store.study_role(str(slug), researcher.id)
    if need is not None and not role_at_least(role, need):
        raise NotAllowed("The demo study is read-only." if role == "viewer"
                         else "Only the study's owner can do this.")
    return Access(researcher, str(slug), role)


# ---------------------------------------------------------------------------
# the browser tab's session
# ---------------------------------------------------------------------------
def session_token() -> str | None:
    """The sign-in token of this tab (its own, else the browser's cookie)."""
    token = st.session_state.get(TOKEN)
    if token:
        return token
    if st.session_state.get(SIGNED_OUT):
        return None
    return cookie.browser_token()


def current() -> Researcher | None:
    """The researcher signed in on this tab, or None."""
    try:
        return get_store().session_researcher(session_token())
    except StorageError:
        return None


def sign_in(email: str, password: str) -> Researcher:
    """Sign this tab in (and queue the cookie); raises SignInFailed or SignInThrottled."""
    store = get_store()
    token = store.sign_in(email, password, client_address())
    st.session_state[TOKEN] = token
    st.session_state.pop(SIGNED_OUT, None)
    cookie.queue(token)
    return store.session_researcher(token)


def sign_out() -> None:
    """End the session in the database, forget it here and clear the cookie."""
    get_store().sign_out(session_token())
    token = cookie.browser_token()
    if token:
        get_store().sign_out(token)
    for key in list(st.session_state.keys()):
        if str(key).startswith(("qp_", "ws_")) and key != cookie.PENDING:
            del st.session_state[key]
    st.session_state[SIGNED_OUT] = True
    cookie.queue(None)


# ---------------------------------------------------------------------------
# what a page calls first
# ---------------------------------------------------------------------------
def signin_form(key: str = "qp_signin") -> None:
    """The email and password form; signs in and reruns the page on success."""
    with st.form(key, border=True):
        email = st.text_input("Email", key=f"{key}_email", autocomplete="username")
        password = st.text_input("Password", type="password", key=f"{key}_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            sign_in(email, password)
        except (SignInFailed, SignInThrottled) as exc:
            st.error(str(exc))
            return
        except StorageError as exc:
            st.error(str(exc))
            return
        st.rerun()


def require_researcher() -> Access:
    """The signed-in researcher; otherwise the sign-in prompt, and the page stops."""
    try:
        return check(get_store(), session_token())
    except NotSignedIn:
        st.title("Researchers")
        st.info(f"{SIGN_IN_PROMPT} to see this page.")
        if get_store().count_researchers() == 0:
            st.markdown("There is no researcher account yet: make the first one on the "
                        "**Researchers** page (in the menu).")
        else:
            signin_form("qp_inline_signin")
        st.stop()
    raise AssertionError("unreachable")


def require_study(slug: str | None, need: str = "viewer") -> Access:
    """The signed-in researcher's access to ``slug``; otherwise the sign-in
    prompt or "not found", and the page stops. ``need`` is the least role the
    page itself needs (its actions check their own)."""
    access = require_researcher()
    if not slug:
        st.info("Choose a study on **My studies** first.")
        st.stop()
    try:
        return check(get_store(), session_token(), slug, need)
    except (UnknownStudy, NotAllowed):
        st.title(NOT_FOUND)
        st.error(f"{NOT_FOUND}: there is no study {slug[:100]!r} that you can open.")
        st.stop()
    return access     # pragma: no cover
