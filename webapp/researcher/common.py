"""What the researcher's pages share: the study in the address, links between
pages, running an action with its message, and participant links."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from qmethod.errors import QMethodError
from storage import NotAllowed, StorageError, UnknownStudy
from studies.errors import StudyError
from webapp.participant.session import get_store
from webapp.study_text import inline

from . import guard, pages
from .actions import Ctx

SLUG = "slug"
REMEMBERED = "ws_slug"
FLASH = "ws_flash"
#: the participants' address of the app when it is not the one the researcher uses
PUBLIC_URL = "QP_PUBLIC_URL"
STATUS_TEXT = {"draft": "draft, not published", "open": "open to participants",
               "closed": "closed to new participants"}


def ctx() -> Ctx:
    return Ctx(get_store(), guard.session_token())


def chosen_slug() -> str | None:
    """The study named in the address (``?slug=``), else the last one opened in this tab."""
    slug = (st.query_params.get(SLUG) or "").strip() or st.session_state.get(REMEMBERED)
    return slug or None


def remember(slug: str) -> None:
    st.session_state[REMEMBERED] = slug
    if st.query_params.get(SLUG) != slug:
        st.query_params[SLUG] = slug


def flash(message: str, kind: str = "success") -> None:
    """A message for the next page run (set by callbacks and actions)."""
    st.session_state.setdefault(FLASH, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(FLASH, []):
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(message)


def run(fn: Callable, slug: str | None, *args: Any, done: str | None = None, **kwargs: Any) -> Any:
    """Run an action (:mod:`webapp.researcher.actions`) for this tab; a problem
    becomes a message (never a traceback) and None is returned."""
    try:
        result = fn(ctx(), slug, *args, **kwargs)
    except guard.NotSignedIn:
        flash("Your session has ended: please sign in again.", "error")
        return None
    except UnknownStudy:
        flash(f"{guard.NOT_FOUND}.", "error")
        return None
    except StudyError as exc:
        flash("It cannot be done yet: " + "; ".join(exc.problems[:8]), "error")
        return None
    except (NotAllowed, StorageError, QMethodError) as exc:
        flash(str(exc), "error")
        return None
    if done:
        flash(done)
    return result


def link(name: str, label: str, slug: str | None = None, *, icon: str | None = None,
         extra: dict | None = None) -> None:
    """A link to researcher page ``name`` (keeping the study in the address)."""
    target = pages.st_page(name)
    params = {**({SLUG: slug} if slug else {}), **(extra or {})}
    if target is None:                          # the page drawn outside the app (tests)
        st.markdown(f"*{label}*")
        return
    st.page_link(target, label=label, icon=icon, query_params=params or None)


def go(name: str, slug: str | None = None, **extra: str) -> None:
    """Switch to researcher page ``name`` now."""
    target = pages.st_page(name)
    if target is not None:
        st.switch_page(target, query_params={**({SLUG: slug} if slug else {}), **extra})


def header(title: str, access: guard.Access, *, study=None) -> None:
    """The page's title, who is signed in, and the study's status."""
    st.title(title, anchor=False)
    line = f"Signed in as `{access.researcher.email}`"
    if study is not None:
        line += f" · {inline(study.title)} (`{study.slug}`) · {STATUS_TEXT.get(study.status, study.status)}"
        if study.is_demo:
            line = line.replace(STATUS_TEXT.get(study.status, study.status), "read-only demo")
    st.caption(line)
    show_flash()


def study_page(title: str, page_name: str, need: str = "viewer"):
    """The start of a page about one study: the guard (sign in; "not found" for
    a study that is not the researcher's), the title, and a choice of their
    studies. Returns (access, the study as :class:`storage.WorkspaceStudy`)."""
    access = guard.require_researcher()
    slug = chosen_slug()
    studies = get_store().workspace_studies(access.researcher.id)
    if slug is None:
        if not studies:
            header(title, access)
            st.info("You have no study yet: make one on **My studies**.")
            link("studies", "My studies", icon=":material/folder_open:")
            st.stop()
        slug = studies[0].slug
    access = guard.require_study(slug, need)
    remember(slug)
    study = next(s for s in studies if s.slug == slug)
    header(title, access, study=study)
    slugs = [s.slug for s in studies]
    names = {s.slug: f"{s.title} ({s.slug})" + (" · demo" if s.is_demo else "") for s in studies}
    chosen = st.selectbox("Study", slugs, index=slugs.index(slug), format_func=names.get,
                          key=f"ws_pick_{page_name}_{slug}", label_visibility="collapsed")
    if chosen != slug:
        remember(chosen)
        st.rerun()
    return access, study


def app_url() -> str:
    """The app's root address as participants reach it (``QP_PUBLIC_URL`` if set,
    else the address this page was opened at)."""
    public = os.environ.get(PUBLIC_URL, "").strip()
    if public:
        return public.rstrip("/")
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context
        url = ""
    parts = urlsplit(url)
    if not parts.scheme:
        return "http://localhost:8501"
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base}" if base else "")


def participant_link(slug: str, token: str | None = None) -> str:
    """The address a participant opens: the open link, or an invitation's."""
    return f"{app_url()}/?study={slug}" + (f"&t={token}" if token else "")


def with_progress(text: str, work: Callable[[Callable[[float, str], None]], Any]) -> Any:
    """``work(progress)`` under a progress bar (``progress(fraction, message)``,
    as the engine calls it); an engine error is shown and None returned."""
    bar = st.progress(0.0, text=text)
    try:
        return work(lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))
    except QMethodError as exc:
        st.error(str(exc))
        return None
    finally:
        bar.empty()
