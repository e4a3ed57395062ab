"""What an import tells its observer while it runs: the rows read, the rows checked, and the
rows written — the last inside the import's transaction.

An import in a web request has the default observer, which does nothing. A job
(``risks.importexport.jobs``) observes its import to show its progress and to record its
result in the same transaction as the rows, so that a job is never "done" without its rows
nor its rows saved under a job that failed. The observer also says how long reading the
file may take: a request has ``IMPORT_MAX_SECONDS``, a job its task's time limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class ImportObserver:
    """The default observer: reports go nowhere, reading has ``IMPORT_MAX_SECONDS``."""

    #: Seconds the reading of the file may take; None: ``risks.importexport.MAX_SECONDS``.
    seconds: float | None = None

    def read(self, rows: int) -> None:
        """``rows`` data rows of the file have been read."""

    def checked(self, rows: int) -> None:
        """``rows`` data rows have been checked."""

    def saved(self, count: int) -> None:
        """``count`` objects have been written; called inside the import's transaction."""


_observer: ContextVar[ImportObserver | None] = ContextVar("import_observer", default=None)
_NOBODY = ImportObserver()


@contextmanager
def observing(observer: ImportObserver) -> Iterator[ImportObserver]:
    """Imports run inside the block report to ``observer``."""
    token = _observer.set(observer)
    try:
        yield observer
    finally:
        _observer.reset(token)


def current_observer() -> ImportObserver:
    return _observer.get() or _NOBODY
