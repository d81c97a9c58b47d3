"""The Store: the one object the web layer and the command lines use to reach
the database. It is made of one part per job:

============================  ====================================================
:mod:`storage.studies`        publish (versions), read, list, open/close, purge
:mod:`storage.sessions`       invitations, the open link, sessions, consent, drafts
:mod:`storage.responses`      submit, simulated responses, read responses
:mod:`storage.accounts`       researchers' accounts, passwords, sign-in sessions,
                              throttling of failed sign-ins
:mod:`storage.sharing`        who may open a study (owner, shares, demo studies)
:mod:`storage.drafts`         designing a study: its draft, publishing it
:mod:`storage.invitations`    batches of links, each link's state, revoking
:mod:`storage.monitoring`     a study's responses and sessions for monitoring
:mod:`storage.events`         the log of researchers' actions on a study
:mod:`storage.runs`           analysis runs
:mod:`storage.publications`   published results pages (snapshots behind links)
:mod:`storage.staleness`      runs and results pages built on a deleted or
                              withdrawn response (stale marks)
============================  ====================================================

on :class:`storage.base.StoreBase` (engine, transactions, study lookups). The
check of a submission is :mod:`storage.submission` (no database).

Every method is one short database transaction; nothing relies on locks held
in this process, so any number of app replicas can share one PostgreSQL
database (an embedded SQLite file serves one machine). What makes it correct:

* a token is single use: ``responses.token_id`` is unique, so a double click,
  a retry or two replicas submitting the same token store ONE response; the
  loser of a race gets the winner's response back (``created=False``);
* a participant's study version is pinned when they first open their link
  (``participant_tokens.pinned_version_id``) and kept by their session, so the
  Q-set never changes under someone who started; a changed study becomes a
  new version for the next participants;
* placements are checked on the server against the pinned version's grid and
  statements, whatever the browser sent;
* before consent nothing is stored about a participant but their token row.

Participants' session states: ``new`` (link opened, no consent yet: nothing
stored), ``consented``, ``in_progress`` (a draft was saved), ``submitted``.
A study that is closed refuses new participants; those who consented before
it closed may still finish and submit.
"""
from __future__ import annotations

from .accounts import AccountStore
from .drafts import DraftStore
from .events import EventStore
from .invitations import InvitationStore
from .monitoring import MonitoringStore
from .publications import PublicationStore
from .responses import ResponseStore
from .runs import RunStore
from .sessions import SessionStore
from .sharing import SharingStore
from .staleness import StalenessStore
from .studies import StudyStore


class Store(DraftStore, StudyStore, ResponseStore, InvitationStore, SessionStore, AccountStore,
            SharingStore, MonitoringStore, EventStore, RunStore, PublicationStore,
            StalenessStore):
    """Access to the platform's database; see the module docstring.

    Open one with ``Store.from_url(url)`` (``None``: ``DATABASE_URL`` or the
    embedded SQLite file); the schema is migrated on opening.
    """
