"""The quotation-consent question: may a participant's written answers be quoted?

A study declares it as a post-sort question with the id ``quote_consent`` of
kind ``choice``; its FIRST option is the "yes" answer, every other option (or
no answer at all) means no. Nothing else about the question is fixed, so a
study words it in its own language::

    - id: quote_consent
      text: May we quote your written answers, without anything that identifies you?
      kind: choice
      options: [Yes, you may quote them, "No, please do not quote me"]

Results pages quote a comment only if its author gave that first option AND
the researcher picked it (:mod:`analysis.report`). A study without the
question has no quotable comments. The study checks refuse a ``quote_consent``
that is not a post-sort choice question.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: the id a study gives its quotation-consent question
QUOTE_CONSENT_ID = "quote_consent"


def quote_consent_question(defn) -> Any | None:
    """The study's quotation-consent question (a :class:`studies.Question`), or None."""
    for q in getattr(defn, "postsort_questions", ()):
        if q.id == QUOTE_CONSENT_ID:
            return q
    return None


def consents_to_quotation(defn, answers: Mapping[str, Any] | None) -> bool:
    """Whether ``answers`` (a response's ``{question id: answer}``) give consent
    to be quoted: the answer to ``quote_consent`` is exactly its first option."""
    q = quote_consent_question(defn)
    if q is None or q.kind != "choice" or not q.options or not answers:
        return False
    answer = answers.get(QUOTE_CONSENT_ID)
    return isinstance(answer, str) and answer == q.options[0]

