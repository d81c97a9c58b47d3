"""Study definitions: the Q-set, grid, instructions and questions of one study.

* :mod:`studies.definition` - the dataclasses (the shared contract);
* :mod:`studies.loader` - one YAML file per study in ``statements/``;
* :mod:`studies.languages` - the participant pages' languages (``locales/``),
  for checking a study's ``language`` and ``messages``;
* :mod:`studies.ideal_types` - ideal-type sorts of tagged perspectives;
* :mod:`studies.fit` - whether a participant's Q-sort fits the grid (as data);
* :mod:`studies.demo` - clearly labelled synthetic demo participants;
* :mod:`studies.seed` - publishing the co-production study and a demo copy
  through a store's generic API.
"""
from .definition import QUESTION_KINDS, Pile, Question, Statement, StudyDefinition
from .demo import demo_definition, simulate_participants
from .errors import StudyError
from .ideal_types import (
                          alternative_ideal_type_sort,
                          ideal_type_profile,
                          ideal_type_sort,
                          ideal_type_sorts,
                          perspectives,
)
from .loader import dump_study, list_studies, load_study, parse_study, study_to_yaml

__all__ = [
    "Pile", "Question", "Statement", "StudyDefinition", "StudyError", "QUESTION_KINDS",
    "load_study", "dump_study", "list_studies", "parse_study", "study_to_yaml",
    "ideal_type_sort", "alternative_ideal_type_sort", "ideal_type_sorts", "ideal_type_profile",
    "perspectives", "simulate_participants", "demo_definition",
]
