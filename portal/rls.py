"""Row-level security: PostgreSQL's own wall between the regions, under the permission layer.

``restrict(user, action)`` (``portal.access``) filters the queries the portal makes; the
database filters them again, so that a query that misses the filter — a form's choices, a
serializer, an export, a task — still returns no row of another region. This module holds
both halves (docs/operations.md, "Row-level security"):

* the SQL the migrations install: functions that read the acting principal from the session
  (``FUNCTIONS``), and for each organisation-owned table ``ENABLE`` and ``FORCE ROW LEVEL
  SECURITY`` with policies that state the access policies' visibility and refuse writes into
  another organisation (``organisation_policies``, ``child_policies``);
* the session's context: ``principal_context(user)`` for a request or a task acting for a
  user, ``system_context(reason)`` for maintenance (logged), each restored on exit. A session
  without a context sees no row and writes none.

``protected_models()`` finds the tables from the models, so that a new organisation-owned
model without policies is caught by ``manage.py rls_check``. On other databases (the SQLite
demo) the context is a no-op and the migrations install nothing: one layer only.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, migrations
from django.db.backends.signals import connection_created
from django.db.models import Model

from portal.access.policies import OrganisationOwned, ParentPolicy
from portal.access.principal import principal_for
from portal.access.roles import REGION_ROLES, Role

log = logging.getLogger(__name__)

#: The session settings that carry the principal (``portal.<name>``).
SETTINGS = ("system", "sector_admin", "user_id", *(f"orgs_{role}" for role in Role.values))
#: No principal: every setting empty — no rows.
NO_CONTEXT: dict[str, str] = dict.fromkeys(SETTINGS, "")
#: Every role a membership can hold: writes go to the organisations the principal belongs to.
MEMBER_ROLES = tuple(Role.values)

#: Models whose table has an organisation but needs no policy, and why. Everything else that
#: belongs to an organisation (by its access policy or a foreign key to it) must have one.
EXEMPT = {
    "portal.Membership": "the principal itself is read from it, before any context exists",
    "portal.DashboardVisit": "a user's own bookkeeping: when they last saw a dashboard",
    "initiatives.Initiative": "sector data every signed-in user reads (the lead region)",
    "risks.Asset_shared_with": (
        "ids only; the policies of assets and risks read it, so it cannot have one itself"
    ),
}

#: Tables that name no organisation in a column but hold organisation-confidential rows, and
#: why: each must be protected like the organisation-owned ones.
ALSO_PROTECTED = {
    "auditlog.LogEntry": (
        "the audit trail: each entry records the organisation of the object it names "
        "(additional_data), a read the organisation whose material was read"
    ),
}

_ATTRIBUTE = "_portal_rls_context"

# ---------------------------------------------------------------------------------------------
# SQL installed by migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION portal_rls_orgs(roles text[]) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY INVOKER AS $$
    SELECT coalesce(array_agg(DISTINCT org), '{}'::bigint[])
    FROM unnest(roles) AS role,
         unnest(coalesce(nullif(current_setting('portal.orgs_' || role, true), ''), '{}')
                ::bigint[]) AS org
$$;
CREATE OR REPLACE FUNCTION portal_rls_everything() RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER AS $$
    SELECT coalesce(current_setting('portal.system', true), '') = 'on'
        OR coalesce(current_setting('portal.sector_admin', true), '') = 'on'
$$;
CREATE OR REPLACE FUNCTION portal_rls_user() RETURNS bigint
LANGUAGE sql STABLE SECURITY INVOKER AS $$
    SELECT nullif(current_setting('portal.user_id', true), '')::bigint
$$;
"""
#: ``portal_rls_orgs`` in PL/pgSQL: the same organisations (perhaps named twice, which neither
#: ``= ANY`` nor ``cardinality`` minds), read from the settings without a query to plan — a
#: SQL function's body is planned again in every query that calls it, once per policy.
FUNCTIONS_FAST = """
CREATE OR REPLACE FUNCTION portal_rls_orgs(roles text[]) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
DECLARE
    organisations bigint[] := '{}';
    role text;
BEGIN
    FOREACH role IN ARRAY roles LOOP
        organisations := organisations || coalesce(
            nullif(current_setting('portal.orgs_' || role, true), ''), '{}')::bigint[];
    END LOOP;
    RETURN organisations;
END
$$;
"""
#: ``FUNCTIONS_FAST`` once the direktion became a region role (``portal`` migration 0015): the
#: policies installed before it name the region's roles as they were then,
#: ``{ciso,risk_owner,viewer}``, which meant "every region role" — so a list holding all three
#: gives the direktion's organisations too. Lists that name fewer (the viewers' reads of the
#: audit trail, the CISOs alone) stay as they are; a policy written since names the direktion
#: itself (``REGION_ROLES``), which the function then reads once more, harmlessly.
FUNCTIONS_REGION_ROLES = """
CREATE OR REPLACE FUNCTION portal_rls_orgs(roles text[]) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
DECLARE
    organisations bigint[] := '{}';
    role text;
BEGIN
    IF roles @> '{ciso,risk_owner,viewer}'::text[] THEN
        roles := roles || '{direktion}'::text[];
    END IF;
    FOREACH role IN ARRAY roles LOOP
        organisations := organisations || coalesce(
            nullif(current_setting('portal.orgs_' || role, true), ''), '{}')::bigint[];
    END LOOP;
    RETURN organisations;
END
$$;
"""
FUNCTIONS_REVERSE = """
DROP FUNCTION IF EXISTS portal_rls_orgs(text[]);
DROP FUNCTION IF EXISTS portal_rls_everything();
DROP FUNCTION IF EXISTS portal_rls_user();
"""

#: The policies each protected table has, one per command.
POLICIES = ("portal_read", "portal_insert", "portal_update", "portal_delete")


def _orgs(roles: Sequence[str]) -> str:
    # A scalar subquery: evaluated once per query (an InitPlan), not once per row.
    names = ",".join(str(role) for role in roles)
    # (The cast makes ``= ANY (…)`` take it as an array, not as a subquery's rows.)
    return f"((SELECT portal_rls_orgs('{{{names}}}'::text[]))::bigint[])"


def _holds_any(roles: Sequence[str]) -> str:
    return f"cardinality({_orgs(roles)}) > 0"


_EVERYTHING = "(SELECT portal_rls_everything())"


def write_rule(column: str, *, sector_edit_roles: Sequence[str] = ()) -> str:
    """Writes stay inside the principal's own organisations (which role may change what is
    the permission layer's finer decision)."""
    parts = [_EVERYTHING, f"{column} = ANY ({_orgs(MEMBER_ROLES)})"]
    if sector_edit_roles:
        parts.append(_holds_any(sector_edit_roles))
    return " OR ".join(parts)


def read_rule(
    column: str,
    *,
    read_roles: Sequence[str] = REGION_ROLES,
    sector_read_roles: Sequence[str] = (),
    sector_read_filter: str | None = None,
    shared: str | None = None,
    public_read: bool = False,
    role_reads: Sequence[tuple[Sequence[str], str]] = (),
) -> str:
    """``OrganisationOwned``'s view filter in SQL. ``shared`` is an ``EXISTS`` with a
    ``{readable}`` placeholder for the organisations the read roles give. ``role_reads``:
    ``(roles, condition)`` pairs — the roles held anywhere read the rows the condition
    holds for: the policy's ``named_reads``, each named action's rule written as the roles
    it names (``test_the_database_and_restrict_agree`` holds the two together)."""
    readable = _orgs(read_roles)
    parts = [_EVERYTHING]
    if public_read:
        parts.append("(SELECT portal_rls_user()) IS NOT NULL")
    if sector_read_roles and sector_read_filter is None:
        parts.append(_holds_any(sector_read_roles))
    parts.append(f"{column} = ANY ({readable})")
    if sector_read_roles and sector_read_filter is not None:
        parts.append(f"({_holds_any(sector_read_roles)} AND ({sector_read_filter}))")
    for roles, condition in role_reads:
        parts.append(f"({_holds_any(roles)} AND ({condition}))")
    if shared:
        parts.append(shared.format(readable=readable))
    return " OR ".join(parts)


def _policies_sql(table: str, read: str, write: str) -> str:
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY portal_read ON {table} FOR SELECT USING ({read});
CREATE POLICY portal_insert ON {table} FOR INSERT WITH CHECK ({write});
CREATE POLICY portal_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write});
CREATE POLICY portal_delete ON {table} FOR DELETE USING ({write});
"""


def drop_policies_sql(table: str) -> str:
    drops = "".join(f"DROP POLICY IF EXISTS {name} ON {table};\n" for name in POLICIES)
    return f"{drops}ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;\n" + (
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;\n"
    )


def organisation_policies(
    table: str,
    *,
    column: str = "organisation_id",
    sector_edit_roles: Sequence[str] = (),
    **read: object,
) -> "PostgreSQLOnly":
    """The operation that protects an ``OrganisationOwned`` table (``read``: ``read_rule``'s
    keywords, written out in the migration as the model's access policy states them)."""
    return PostgreSQLOnly(
        _policies_sql(
            table,
            read_rule(column, **read),  # type: ignore[arg-type]
            write_rule(column, sector_edit_roles=sector_edit_roles),
        ),
        drop_policies_sql(table),
    )


def child_policies(
    table: str,
    *,
    column: str,
    parent_table: str,
    parent_column: str = "organisation_id",
    own_column: str | None = None,
    read_roles: Sequence[str] = REGION_ROLES,
    elsewhere: str | None = None,
    parent_shown: str | None = None,
) -> "PostgreSQLOnly":
    """The operation that protects a ``ParentPolicy`` table: a row is seen with its parent
    (the parent's own policy decides) and written only inside the principal's organisations.

    ``own_column``: the child's copy of its parent's organisation, which the database keeps
    equal to it (``parent_organisation_sql``). The rows of the organisations whose ``read_roles``
    the principal holds (those the parent's policy shows for the organisation alone) are then
    seen without a look at the parent, which is left to the rows seen through it (a shared
    system's risks): the same rows, but the planner can test the organisation first, and a
    query's own test of that column (leakproof) runs before the policy.

    ``elsewhere`` (with ``own_column``): a condition, with a ``{readable}`` placeholder, that
    holds whenever the parent's policy shows the principal a row outside those organisations
    (e.g. that a system is shared with them at all) — evaluated once per query, so that
    without it no row looks at its parent.

    ``parent_shown`` (with ``own_column``): the parent policy's own rule for a parent outside
    those organisations, said of the child's parent column (a ``{readable}`` placeholder), to
    test instead of the parent row under its policy — the same rows, but no query on the
    child plans the parent's policy too. ``test_the_database_and_restrict_agree`` holds the
    two to the permission layer."""
    parent = f"SELECT 1 FROM {parent_table} parent WHERE parent.id = {table}.{column}"  # noqa: S608
    read = f"EXISTS ({parent})"
    if own_column is not None:
        if parent_shown is not None:
            read = parent_shown
        readable = _orgs(read_roles)
        if elsewhere is not None:
            read = f"({elsewhere} AND {read})"
        read = read.format(readable=readable)
        read = f"{_EVERYTHING} OR {table}.{own_column} = ANY ({readable}) OR {read}"
    write = f"EXISTS ({parent} AND ({write_rule('parent.' + parent_column)}))"
    return PostgreSQLOnly(_policies_sql(table, read, write), drop_policies_sql(table))


def copies_parent_organisation(model: type[Model]) -> bool:
    """Whether ``model`` keeps a copy of its parent's organisation (``ParentPolicy``'s
    ``organisation``), which its policy reads and the database must keep right."""
    policy = getattr(model, "access_policy", None)
    return isinstance(policy, ParentPolicy) and policy.organisation is not None


def parent_organisation_constraint(table: str) -> str:
    """The name of the constraint that keeps ``table``'s copy of its parent's organisation
    right (``rls_check`` looks for it)."""
    return f"{table}_organisation_follows_parent"


def parent_organisation_sql(
    table: str,
    *,
    column: str,
    parent_table: str,
    own_column: str = "organisation_id",
    parent_column: str = "organisation_id",
) -> "PostgreSQLOnly":
    """The operation that makes the database keep a child's copy of its parent's organisation
    right: a foreign key on (parent, organisation) to the parent's (id, organisation) — a row
    naming another organisation than its parent's is refused, and a parent that moves takes
    its children along (``ON UPDATE CASCADE``; the database's referential actions are not
    subject to the policies). Deferred to the commit, as Django's own foreign keys are."""
    key = f"{parent_table}_id_organisation_key"
    name = parent_organisation_constraint(table)
    forwards = f"""
ALTER TABLE {parent_table} ADD CONSTRAINT {key} UNIQUE (id, {parent_column});
ALTER TABLE {table} ADD CONSTRAINT {name}
    FOREIGN KEY ({column}, {own_column}) REFERENCES {parent_table} (id, {parent_column})
    ON UPDATE CASCADE ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED;
"""
    backwards = f"""
ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};
ALTER TABLE {parent_table} DROP CONSTRAINT IF EXISTS {key};
"""
    return PostgreSQLOnly(forwards, backwards)


#: The organisation an audit entry records (``portal.audit``: every entry of an audited object,
#: every read), or NULL: the sector's data, or an entry written before organisations were
#: recorded (which has no ``organisation`` key at all).
AUDIT_FUNCTIONS = """
CREATE OR REPLACE FUNCTION portal_audit_organisation(data jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(data -> 'organisation') = 'number'
                THEN (data ->> 'organisation')::numeric::bigint END
$$;
CREATE OR REPLACE FUNCTION portal_audit_records_organisation(data jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_typeof(data) = 'object' AND data ? 'organisation', false)
$$;
"""
AUDIT_FUNCTIONS_REVERSE = """
DROP FUNCTION IF EXISTS portal_audit_object_readable(integer, bigint);
DROP FUNCTION IF EXISTS portal_audit_organisation(jsonb);
DROP FUNCTION IF EXISTS portal_audit_records_organisation(jsonb);
"""


def _object_readable_function(
    objects: dict[tuple[str, str], str], not_sector_data: Sequence[tuple[str, str]]
) -> str:
    """``portal_audit_object_readable(content type, id)``: whether the session may read the
    object an entry names — its table's own policies decide (``SECURITY INVOKER``); NULL for
    the sector's data. PL/pgSQL, so that its tables are read (and their grants needed) only
    when a policy gets that far: the system context and the pruning role never do."""
    cases = "".join(
        f"        WHEN '{app_label}.{model}' THEN\n"  # noqa: S608 (constants only)
        f"            RETURN EXISTS (SELECT 1 FROM {table} o WHERE o.id = p_id);\n"
        for (app_label, model), table in sorted(objects.items())
    )
    cases += "".join(
        f"        WHEN '{app_label}.{model}' THEN RETURN false;\n"
        for app_label, model in sorted(not_sector_data)
    )
    return f"""
CREATE OR REPLACE FUNCTION portal_audit_object_readable(p_type integer, p_id bigint)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
DECLARE
    label text;
BEGIN
    SELECT ct.app_label || '.' || ct.model INTO label FROM django_content_type ct
     WHERE ct.id = p_type;
    CASE label
{cases}        ELSE RETURN NULL;
    END CASE;
END
$$;
"""  # noqa: S608 (the migration's constants only)


def audit_trail_policies(
    table: str, *, objects: dict[tuple[str, str], str], not_sector_data: Sequence[tuple[str, str]]
) -> "PostgreSQLOnly":
    """The operation that protects the audit trail (``auditlog_logentry``).

    Reading, as the portal does: a read ("accessed", action 3) by the readers (viewer role) of
    the organisation whose material it was (``AuditRead``'s policy); a change by the members
    of the organisation it records (their region's trail), by every signed-in user when it
    records none (the sector's data) unless it names an object of ``objects`` that the
    session may not read, and by whoever may read the object it names now —
    ``objects``, the organisation-owned tables by content type, whose own policies decide
    (another region's shared systems, what the sector shares). An entry written before
    organisations were recorded is read through its object (one that is deleted: only by the
    sector administrators), or as the sector's data unless its content type is in ``objects``
    or ``not_sector_data``. The system context and the sector administrator read everything.

    Writing (an INSERT's ``RETURNING`` must also pass the reading rule): an entry recording
    one of the principal's own organisations, or none (the sector's data) by a signed-in
    principal. Reads are recorded by the system (``portal.audit.reads``): a region's reader
    of another region's shared material does not write into that region's trail. Only the
    system context reaches an entry to update or delete it, and there the append-only
    triggers decide: no UPDATE, and a DELETE only by ``portal_audit_pruner``."""
    read = _audit_read(table)
    write = _audit_write(table)
    sql = f"""{AUDIT_FUNCTIONS}{_object_readable_function(objects, not_sector_data)}
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY portal_read ON {table} FOR SELECT USING ({read});
CREATE POLICY portal_insert ON {table} FOR INSERT WITH CHECK ({write});
CREATE POLICY portal_update ON {table} FOR UPDATE USING ({_EVERYTHING})
    WITH CHECK ({_EVERYTHING});
CREATE POLICY portal_delete ON {table} FOR DELETE USING ({_EVERYTHING});
"""
    return PostgreSQLOnly(sql, drop_policies_sql(table) + AUDIT_FUNCTIONS_REVERSE)


def _audit_read(table: str, *, sector_data_through_its_object: bool = True) -> str:
    """The trail's reading rule (``audit_trail_policies``). A change of the sector's data (no
    organisation recorded) is read by every signed-in user unless it names an object of a
    table with policies of its own that the session may not read (``sector_data_through_
    its_object``; a sector edition that only TSI reads, like the sector's risk picture) —
    before ``portal.0017`` every signed-in user read those entries too."""
    org = f"portal_audit_organisation({table}.additional_data)"
    recorded = f"portal_audit_records_organisation({table}.additional_data)"
    signed_in = "(SELECT portal_rls_user()) IS NOT NULL"
    object_readable = f"portal_audit_object_readable({table}.content_type_id, {table}.object_id)"
    sector_data = f"{recorded} AND {org} IS NULL AND {signed_in}"
    if sector_data_through_its_object:
        sector_data += f" AND coalesce({object_readable}, true)"
    return f"""{_EVERYTHING}
        OR ({table}.action = 3 AND {org} = ANY ({_orgs([Role.VIEWER])}))
        OR ({table}.action <> 3 AND (
            {org} = ANY ({_orgs(MEMBER_ROLES)})
            OR ({sector_data})
            OR coalesce({object_readable}, NOT {recorded} AND {signed_in})
        ))"""


def audit_trail_read_policy(table: str) -> "PostgreSQLOnly":
    """The operation that reads the sector's data in the trail through its object
    (``_audit_read``) on a database whose trail policies were made before."""
    policy = "CREATE POLICY portal_read ON {table} FOR SELECT USING ({read});"
    drop = f"DROP POLICY IF EXISTS portal_read ON {table};\n"
    return PostgreSQLOnly(
        drop + policy.format(table=table, read=_audit_read(table)),
        drop
        + policy.format(table=table, read=_audit_read(table, sector_data_through_its_object=False)),
    )


def _audit_write(table: str) -> str:
    org = f"portal_audit_organisation({table}.additional_data)"
    recorded = f"portal_audit_records_organisation({table}.additional_data)"
    signed_in = "(SELECT portal_rls_user()) IS NOT NULL"
    return f"""{_EVERYTHING}
        OR {org} = ANY ({_orgs(MEMBER_ROLES)})
        OR ({recorded} AND {org} IS NULL AND {signed_in})"""


def audit_acting_insert_policy(table: str) -> "PostgreSQLOnly":
    """The operation that lets the trail take the entry of a change made for one of the
    principal's organisations to an object of another organisation that the principal reads —
    a joint risk's change by a region sharing the system, recorded with that region
    (``additional_data["acting_organisation"]``) — besides what ``audit_trail_policies``
    takes. Which changes such a region may make is the object's own update policy's
    decision; an entry can only name a region of the principal's own."""
    acting = (
        f"(jsonb_typeof({table}.additional_data -> 'acting_organisation') = 'number'"
        f" AND ({table}.additional_data ->> 'acting_organisation')::numeric::bigint"
        f" = ANY ({_orgs(MEMBER_ROLES)})"
        f" AND coalesce(portal_audit_object_readable({table}.content_type_id,"
        f" {table}.object_id), false))"
    )
    write = _audit_write(table)
    forwards = f"""
DROP POLICY IF EXISTS portal_insert ON {table};
CREATE POLICY portal_insert ON {table} FOR INSERT WITH CHECK ({write} OR {acting});
"""
    backwards = f"""
DROP POLICY IF EXISTS portal_insert ON {table};
CREATE POLICY portal_insert ON {table} FOR INSERT WITH CHECK ({write});
"""
    return PostgreSQLOnly(forwards, backwards)


def joint_update_policy(
    table: str, *, column: str = "organisation_id", joint: str
) -> "PostgreSQLOnly":
    """The operation that lets the regions sharing a jointly assessed object change it
    (``OrganisationOwned``'s ``joint_field``): the update policy of ``table`` takes, besides
    writes inside the principal's organisations, rows for which ``joint`` holds — a condition
    with a ``{members}`` placeholder for the principal's organisations — before and after the
    change. Adding and deleting stay inside the principal's organisations."""
    write = write_rule(column)
    extended = f"({write}) OR ({joint.format(members=_orgs(MEMBER_ROLES))})"
    forwards = f"""
DROP POLICY IF EXISTS portal_update ON {table};
CREATE POLICY portal_update ON {table} FOR UPDATE USING ({extended}) WITH CHECK ({extended});
"""
    backwards = f"""
DROP POLICY IF EXISTS portal_update ON {table};
CREATE POLICY portal_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write});
"""
    return PostgreSQLOnly(forwards, backwards)


#: Whether the session's role bypasses row-level security (a superuser, ``BYPASSRLS``).
_BYPASSES = "(SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)"


def joint_lead_guard(
    table: str, *, column: str = "organisation_id", lead_only: Sequence[str]
) -> "PostgreSQLOnly":
    """The trigger that keeps a jointly assessed object's lead with the lead: a principal who
    changes a row of ``table`` only through ``joint_update_policy`` (the row is not in its
    organisations) may change neither ``column`` nor any of ``lead_only`` — a sharing region
    edits the assessment, it never takes the risk over or ends the joint assessment. The row
    policies cannot say this (``WITH CHECK`` sees only the new row). It binds whom the
    policies bind, when the session acts for a person: not the system context, not a role
    that bypasses row-level security (a superuser: maintenance, the test suite's own
    connection, which may still carry a person's settings from an earlier request); a
    session with no context writes nothing through the policies anyway."""
    function = f"{table}_joint_lead_guard"
    guarded = " OR ".join(
        f"NEW.{name} IS DISTINCT FROM OLD.{name}" for name in (column, *lead_only)
    )
    forwards = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF portal_rls_user() IS NOT NULL AND NOT {_EVERYTHING}
       AND NOT {_BYPASSES}
       AND NOT (OLD.{column} = ANY ({_orgs(MEMBER_ROLES)})) AND ({guarded})
    THEN
        RAISE EXCEPTION 'only the leading organisation changes % of a joint row of %',
            '{", ".join((column, *lead_only))}', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS {function} ON {table};
CREATE TRIGGER {function} BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backwards = f"""
DROP TRIGGER IF EXISTS {function} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return PostgreSQLOnly(forwards, backwards)


def frozen_when(table: str, *, condition: str, message: str) -> "PostgreSQLOnly":
    """The trigger that refuses every change to a row of ``table`` for which ``condition``
    (on ``OLD``) holds, and its deletion outside the system context: a decision on record
    (an approved version) stays as it was decided, whatever the application does."""
    function = f"{table}_frozen"
    forwards = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {condition} AND (TG_OP = 'UPDATE' OR NOT {_EVERYTHING}) THEN
        RAISE EXCEPTION '{message}: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
DROP TRIGGER IF EXISTS {function} ON {table};
CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backwards = f"""
DROP TRIGGER IF EXISTS {function} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return PostgreSQLOnly(forwards, backwards)


class PostgreSQLOnly(migrations.RunSQL):
    """``RunSQL`` that does nothing on other databases (the SQLite demo has no such wall)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# ---------------------------------------------------------------------------------------------
# Which tables must be protected


def _belongs_to_organisation(model: type[Model]) -> bool:
    from portal.models import Organisation

    policy = getattr(model, "access_policy", None)
    if isinstance(policy, OrganisationOwned | ParentPolicy) and policy.organisation_path(model):
        return True
    return any(
        field.is_relation and field.related_model is Organisation
        for field in model._meta.concrete_fields
    )


def audited_organisation_models() -> list[type[Model]]:
    """The audited models among ``protected_models()``: the audit trail's policy must know
    each, to read their entries through their objects. (Of the ``EXEMPT`` ones, the sector's
    data is read by everyone and memberships are listed by hand, ``portal`` migration 0011.)"""
    from auditlog.registry import auditlog

    audited = set(auditlog.get_models())
    return [model for model in protected_models() if model in audited]


def protected_models() -> list[type[Model]]:
    """Every concrete model whose rows belong to an organisation and that is not ``EXEMPT``:
    each of their tables must have row-level security, forced, and the policies."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.label not in EXEMPT
        and (model._meta.label in ALSO_PROTECTED or _belongs_to_organisation(model))
    ]


# ---------------------------------------------------------------------------------------------
# The session's context


def is_active(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database has row-level security to give a context to (PostgreSQL)."""
    return connections[using].vendor == "postgresql"


def principal_values(user) -> dict[str, str]:
    """The settings for ``user``'s principal: their organisations per role, whether they are
    the sector administrator — read from the permission layer, never from the request."""
    principal = principal_for(user)
    if not principal.is_authenticated:
        return dict(NO_CONTEXT)
    values = dict(NO_CONTEXT)
    values["user_id"] = str(principal.user.pk)
    values["sector_admin"] = "on" if principal.is_sector_admin else ""
    for role in Role.values:
        organisations = principal.organisations_with([role])
        values[f"orgs_{role}"] = "{" + ",".join(map(str, organisations)) + "}"
    return values


def _apply(values: dict[str, str], using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    statement = "SELECT " + ", ".join(f"set_config('portal.{name}', %s, false)" for name in values)
    # The driver's own cursor: one statement that is not the application's query (query-count
    # assertions count what views and selectors ask, not this).
    with connection.connection.cursor() as cursor:
        cursor.execute(statement, list(values.values()))
    setattr(connection, _ATTRIBUTE, values)


def _forget(sender, connection, **kwargs) -> None:
    # A new session starts without settings, whatever the old one had.
    setattr(connection, _ATTRIBUTE, dict(NO_CONTEXT))


connection_created.connect(_forget, dispatch_uid="portal.rls.forget")


def current_values(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    return dict(getattr(connections[using], _ATTRIBUTE, NO_CONTEXT))


def activate(values: dict[str, str], using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """Give the session ``values``; returns the previous ones for ``restore``."""
    previous = current_values(using)
    if is_active(using):
        try:
            _apply(values, using)
        except Exception:
            # Fail closed: a session whose context is unknown must not be reused.
            _discard(using)
            raise
    return previous


def activate_user(user, using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """``activate`` the principal of ``user`` (e.g. once the API has authenticated a token)."""
    if not is_active(using):
        return current_values(using)
    return activate(principal_values(user), using)


def restore(previous: dict[str, str], using: str = DEFAULT_DB_ALIAS) -> None:
    """Put back the context ``activate`` replaced. If that fails the connection is closed
    (a new one starts without context), unless a transaction is open, whose rollback undoes
    the setting anyway."""
    if not is_active(using):
        return
    try:
        _apply(previous, using)
    except Exception:
        log.warning("row-level security context not restored; closing the connection")
        _discard(using)


def _discard(using: str) -> None:
    connection = connections[using]
    setattr(connection, _ATTRIBUTE, dict(NO_CONTEXT))
    if not connection.in_atomic_block:
        connection.close()


@contextmanager
def principal_context(user, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The session acts for ``user`` inside the block."""
    previous = activate_user(user, using)
    try:
        yield
    finally:
        restore(previous, using)


@contextmanager
def system_context(reason: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The session acts for the system (every row) inside the block: maintenance commands,
    migrations, scheduled tasks. Logged with its reason."""
    if is_active(using):
        log.info("database system context on %s: %s", using, reason)
    previous = activate({**NO_CONTEXT, "system": "on"}, using)
    try:
        yield
    finally:
        restore(previous, using)


def in_system_context(reason: str) -> Callable:
    """Decorate a management command's ``handle`` to run in ``system_context(reason)`` on the
    database its ``--database`` option names (the default one without it)."""

    def decorate(handle: Callable) -> Callable:
        def wrapper(self, *args, **options):
            with system_context(reason, using=options.get("database") or DEFAULT_DB_ALIAS):
                return handle(self, *args, **options)

        wrapper.__doc__ = handle.__doc__
        return wrapper

    return decorate
