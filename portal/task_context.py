"""The database context of Celery tasks (``portal.rls``): every task says whom it acts for.

``PortalTask`` is the Celery application's task class. A task declares, in its decorator:

* ``acting_for``: a function of the task's arguments that returns the user it acts for (e.g.
  the user who requested a report) — read in a logged system context, one narrow lookup; the
  task then sees exactly what that user may see, as their request would;
* ``system_reason``: why it acts for the system (scheduled maintenance, watchdogs), logged —
  also used when ``acting_for`` finds no user (a run the schedule requested);
* neither: no context, and on PostgreSQL no row of an organisation-owned table.

The context is taken away when the task ends, also on failure; a task run in-process
(without a broker) gives the request back its own context.
"""

import inspect

from celery import Task

from portal import rls


class PortalTask(Task):
    acting_for = None
    system_reason = ""

    def __call__(self, *args, **kwargs):
        if not rls.is_active():
            return super().__call__(*args, **kwargs)
        resolve = inspect.getattr_static(self, "acting_for", None)
        user = None
        if resolve is not None:
            with rls.system_context(f"task {self.name}: whom it acts for"):
                user = resolve(*args, **kwargs)
        if user is not None:
            with rls.principal_context(user):
                return super().__call__(*args, **kwargs)
        if self.system_reason:
            with rls.system_context(f"task {self.name}: {self.system_reason}"):
                return super().__call__(*args, **kwargs)
        previous = rls.activate(dict(rls.NO_CONTEXT))
        try:
            return super().__call__(*args, **kwargs)
        finally:
            rls.restore(previous)
