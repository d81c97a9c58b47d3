"""Study definitions: the Q-set, grid, instructions and questions of one study."""
from .definition import Pile, Question, Statement, StudyDefinition
from .errors import StudyError

__all__ = ["Pile", "Question", "Statement", "StudyDefinition", "StudyError"]
