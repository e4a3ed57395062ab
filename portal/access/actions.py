from enum import StrEnum


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"

    @classmethod
    def for_http_method(cls, method: str) -> "Action":
        return {
            "GET": cls.VIEW,
            "HEAD": cls.VIEW,
            "OPTIONS": cls.VIEW,
            "POST": cls.ADD,
            "PUT": cls.CHANGE,
            "PATCH": cls.CHANGE,
            "DELETE": cls.DELETE,
        }[method.upper()]
