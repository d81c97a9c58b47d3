"""The researcher's workspace: signing in, designing and publishing a study,
inviting people, watching responses arrive (part 1), and analysing them
(part 2: the Analysis page, ``analysis.py`` with a module ``analysis_*.py``
per section).

One module per page (listed in :mod:`webapp.researcher.pages`), all behind
:mod:`webapp.researcher.guard`; every change goes through
:mod:`webapp.researcher.actions`, which checks the guard again when it runs.
"""
