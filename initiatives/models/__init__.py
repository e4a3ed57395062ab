from initiatives.models.initiative import Initiative
from initiatives.models.strategy import StrategicObjective, Strategy

__all__ = ["Initiative", "StrategicObjective", "Strategy"]
