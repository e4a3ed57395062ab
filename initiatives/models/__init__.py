from initiatives.models.deliverable import Deliverable
from initiatives.models.implementation import (
    ImplementationRecord,
    RegionalImplementation,
    StatusReminder,
)
from initiatives.models.initiative import Initiative
from initiatives.models.milestone import Milestone
from initiatives.models.status_update import LifecycleStatus, Rag, StatusUpdate
from initiatives.models.strategy import StrategicObjective, Strategy
from initiatives.models.working_group import (
    WorkingGroup,
    WorkingGroupMember,
    WorkingGroupTopics,
    topic_lines,
)

__all__ = [
    "Deliverable",
    "ImplementationRecord",
    "Initiative",
    "LifecycleStatus",
    "Milestone",
    "Rag",
    "RegionalImplementation",
    "StatusReminder",
    "StatusUpdate",
    "StrategicObjective",
    "Strategy",
    "WorkingGroup",
    "WorkingGroupMember",
    "WorkingGroupTopics",
    "topic_lines",
]
