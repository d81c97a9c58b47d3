"""Everything a researcher can change, each checked by the guard when it runs.

Each action is ``action(ctx, slug, ...)`` and returns something true when it
worked: ``ctx`` carries the store and the
tab's sign-in token, ``slug`` the study (None for actions on no study). The
guard (:func:`webapp.researcher.guard.check`) runs first, on the server, at
the moment of the action: a visitor who is not signed in gets
:class:`NotSignedIn`, another researcher's study :class:`UnknownStudy`, a
role too weak :class:`NotAllowed`, and nothing changes. :data:`ACTIONS` lists
them all with the role each needs; a test calls every one of them that way.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage import Store
from studies.drafting import slug_from_title

from .guard import Access, check

#: name -> (action, the role it needs: None = signed in, on no study)
ACTIONS: dict[str, tuple[Callable, str | None]] = {}


@dataclass(frozen=True)
class Ctx:
    store: Store
    token: str | None


def action(need: str | None):
    """Register an action needing role ``need`` on its study (None: any
    signed-in researcher, no study); the wrapped function gets the store and
    the checked :class:`Access` first."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(ctx: Ctx, slug: str | None, *args: Any, **kwargs: Any):
            access = check(ctx.store, ctx.token, slug if need is not None else None, need)
            return fn(ctx.store, access, *args, **kwargs)
        ACTIONS[fn.__name__] = (run, need)
        return run
    return wrap


def _by(access: Access) -> int:
    return access.researcher.id


# -- studies ------------------------------------------------------------------------
@action(None)
def create_study(store: Store, access: Access, slug: str, content: dict) -> str:
    """A new study owned by the researcher; ``slug`` empty: the draft's own
    (from a study file) or one made from the title, with ``-2``, ``-3``...
    added while it is taken. Returns the slug."""
    from storage import StorageError

    wanted = (slug or "").strip()
    base = wanted or str(content.get("slug") or "").strip() or \
        slug_from_title(content.get("title") or "study")
    for n in range(1, 50):
        candidate = base if n == 1 else f"{base[:95]}-{n}"
        try:
            store.create_study(candidate, {**content, "slug": candidate}, owner=_by(access))
            return candidate
        except StorageError as exc:
            if wanted or "taken" not in str(exc):
                raise
    raise StorageError(f"no free short name like {base!r}: choose one")


@action("editor")
def save_draft(store: Store, access: Access, content: dict):
    return store.save_study_draft(access.slug, content, by=_by(access))


@action("editor")
def publish(store: Store, access: Access):
    return store.publish_study_draft(access.slug, by=_by(access))


@action("editor")
def new_version(store: Store, access: Access):
    return store.start_new_version(access.slug, by=_by(access))


@action("editor")
def discard_draft(store: Store, access: Access) -> bool:
    store.discard_study_draft(access.slug, by=_by(access))
    return True


@action("owner")
def delete_study(store: Store, access: Access) -> bool:
    store.delete_unpublished_study(access.slug, by=_by(access))
    return True


@action("editor")
def close_study(store: Store, access: Access, purge: bool = False) -> int:
    """Close to new participants; ``purge`` also deletes unfinished sorts (their count)."""
    store.set_study_status(access.slug, "closed", by=_by(access))
    return store.purge_unfinished(access.slug, by=_by(access)) if purge else 0


@action("editor")
def reopen_study(store: Store, access: Access) -> bool:
    store.set_study_status(access.slug, "open", by=_by(access))
    return True


@action("editor")
def purge_unfinished(store: Store, access: Access) -> int:
    return store.purge_unfinished(access.slug, by=_by(access))


@action("owner")
def share(store: Store, access: Access, email: str) -> bool:
    store.share_study(access.slug, email, by=_by(access))
    return True


@action("editor")
def remove_share(store: Store, access: Access, email: str) -> bool:
    store.remove_share(access.slug, email, by=_by(access))
    return True


# -- invitations ------------------------------------------------------------------------
@action("editor")
def create_invitations(store: Store, access: Access, count: int, label: str | None = None):
    return store.create_invitation_batch(access.slug, count, label=label, by=_by(access))


@action("editor")
def revoke(store: Store, access: Access, tokens: list[str]) -> int:
    for token in tokens:
        store.revoke_invitation(access.slug, token, by=_by(access))
    return len(tokens)


# -- responses ------------------------------------------------------------------------
@action("editor")
def exclude_response(store: Store, access: Access, response_id: int, reason: str) -> bool:
    store.exclude_response(access.slug, response_id, reason, by=_by(access))
    return True


@action("editor")
def include_response(store: Store, access: Access, response_id: int) -> bool:
    store.include_response(access.slug, response_id, by=_by(access))
    return True


@action("editor")
def delete_response(store: Store, access: Access, response_id: int, reason: str = "") -> bool:
    store.delete_response(access.slug, response_id, by=_by(access), reason=reason)
    return True


# -- saved analysis runs (the analysis page) ------------------------------------------
# A run is the researcher's own work on the study's data: saving one needs only
# read access (the demo study's viewers analyse it too); what reaches the public
# (the reported mark, publishing) needs an editor.
def _own_or_editor(store: Store, access: Access, run_id: int):
    from storage import NotAllowed

    run = store.run(access.slug, run_id)
    if not access.can_edit and run.created_by != access.researcher.id:
        raise NotAllowed("Only the run's author or an editor of the study can change it.")
    return run


@action("viewer")
def save_run(store: Store, access: Access, **fields: Any) -> int:
    """Save an analysis run (fields of :meth:`storage.Store.save_run`); its id."""
    return store.save_run(access.slug, created_by=_by(access), **fields)


@action("viewer")
def update_run_interpretation(store: Store, access: Access, run_id: int, interpretation: dict) -> bool:
    _own_or_editor(store, access, run_id)
    store.update_run_interpretation(access.slug, run_id, interpretation)
    return True


@action("viewer")
def delete_run(store: Store, access: Access, run_id: int) -> bool:
    _own_or_editor(store, access, run_id)
    store.delete_run(access.slug, run_id)
    return True


@action("editor")
def mark_reported(store: Store, access: Access, run_id: int) -> bool:
    store.mark_reported(access.slug, run_id)
    return True


@action("editor")
def publish_run(store: Store, access: Access, run_id: int, content: dict):
    """Publish ``content`` (a results report) made from run ``run_id``; the
    :class:`storage.PublishedLink` (its token makes the public address)."""
    store.run(access.slug, run_id)            # a run of this study, or UnknownRun
    return store.publish_results(access.slug, content, run_id=run_id)
