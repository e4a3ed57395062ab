from capabilities.models.discipline import Discipline
from capabilities.models.framework import Framework, Requirement

__all__ = ["Discipline", "Framework", "Requirement"]
