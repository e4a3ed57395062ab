"""No role check outside the permission layer (issue 15, "named actions").

Who may do what is decided in ``portal/access/``: object actions by the models' access
policies, every other decision by a named action (``portal.access.named``), and "who holds
role R in O" by ``portal.access.people``. This check reads every Python file of the project
with ``ast`` and lists, as ``path:line``, any code elsewhere that reads roles:

* a call or attribute ``has_role``, ``has_any_role``, ``organisations_with``,
  ``is_sector_admin`` (a principal's, or the function's);
* a role of ``portal.access.roles`` named outside the layer — ``Role.CISO``, ``REGION_ROLES``
  (``Role.choices``, ``Role.values`` and ``Role(value).label`` describe the vocabulary and may
  be used, e.g. by a form or a count per role);
* a string that is a role's value (``"ciso"``), or a lookup through ``memberships__role``.

Not checked: ``portal/access/`` itself, migrations, tests and the benchmark; docstrings.
Allowed by rule:

* a model's ``access_policy = …`` declaration — the declarative part of the layer, which
  names the roles that read and edit the model's objects;
* demo data (``demo.py``, the ``seed_demo`` command): data that creates memberships with roles;
* ``portal/settings.py``: the roles a single-sign-on group may give, validated when the
  settings load (settings cannot import the models);
* ``portal/rls.py``: the database half of the permission layer (row-level security), which
  writes the principal's roles into the session for the policies in SQL.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from portal.access.roles import Role

ROOT = Path(__file__).resolve().parents[2]

#: Directories not read at all.
SKIPPED_DIRECTORIES = {".venv", "tests", "bench", "node_modules", "static", "var", "locale"}
#: Files (relative to the root) allowed to name roles, with the reason.
ALLOWED_FILES = {
    "portal/settings.py": "single-sign-on role names validated when the settings load",
    "portal/rls.py": "row-level security: the database half of the permission layer",
}
#: File names of demo data.
DEMO_FILES = {"demo.py", "seed_demo.py"}

ROLE_CALLS = {"has_role", "has_any_role", "organisations_with", "is_sector_admin"}
ROLE_MODULES = {"portal.access.roles", "portal.access"}
ROLE_CONSTANTS = {"REGION_ROLES"}
ROLE_VALUES = set(Role.values)


@dataclass(frozen=True)
class Offence:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def checked_files(root: Path = ROOT) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        parts = relative.parts
        if parts[0] in SKIPPED_DIRECTORIES or parts[0].startswith("."):
            continue
        if "migrations" in parts or relative.as_posix().startswith("portal/access/"):
            continue
        if relative.as_posix() in ALLOWED_FILES or relative.name in DEMO_FILES:
            continue
        yield path


class _RoleReader(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.offences: list[Offence] = []
        #: Local names bound to the permission layer's ``Role`` and its role constants.
        self.role_classes: set[str] = set()
        self.role_constants: set[str] = set()
        self.docstrings: set[int] = set()

    def report(self, node: ast.AST, what: str) -> None:
        self.offences.append(Offence(self.path, getattr(node, "lineno", 0), what))

    # Docstrings are text, not code.
    def _note_docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self.docstrings.add(id(body[0].value))

    def visit_Module(self, node: ast.Module) -> None:
        self._note_docstring(node)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._note_docstring(node)
        for statement in node.body:
            # A model's access_policy declaration names its roles: the declarative layer.
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                if any(isinstance(t, ast.Name) and t.id == "access_policy" for t in targets):
                    continue
            self.visit(statement)
        for decorator in node.decorator_list:
            self.visit(decorator)
        for base in node.bases:
            self.visit(base)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._note_docstring(node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module in ROLE_MODULES:
            for alias in node.names:
                if alias.name == "Role":
                    self.role_classes.add(alias.asname or alias.name)
                elif alias.name in ROLE_CONSTANTS:
                    self.role_constants.add(alias.asname or alias.name)
                if alias.name in ROLE_CALLS:
                    self.report(node, f"imports {alias.name} from {node.module}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ROLE_CALLS:
            self.report(node, f"reads roles: .{node.attr}")
        elif (
            isinstance(node.value, ast.Name)
            and node.value.id in self.role_classes
            and node.attr.isupper()
        ):
            self.report(node, f"names a role: {node.value.id}.{node.attr}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in ROLE_CALLS:
            self.report(node, f"reads roles: {node.id}")
        elif node.id in self.role_constants:
            self.report(node, f"names roles: {node.id}")

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg and node.arg.startswith("memberships__role"):
            self.report(node.value, f"filters memberships by role: {node.arg}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str) or id(node) in self.docstrings:
            return
        if node.value in ROLE_VALUES:
            self.report(node, f"role literal: {node.value!r}")
        elif "memberships__role" in node.value:
            self.report(node, f"filters memberships by role: {node.value!r}")


def role_checks_in(source: str, path: str = "<snippet>") -> list[Offence]:
    """The role checks in one module's source."""
    reader = _RoleReader(path)
    tree = ast.parse(source, filename=path)
    # Imports first, so that a name used above its import (in a function) is still known.
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            reader.visit_ImportFrom(node)
    reader.offences.clear()  # reported again, in order, by the walk below
    reader.visit(tree)
    return reader.offences


def role_checks(root: Path = ROOT) -> list[Offence]:
    offences: list[Offence] = []
    for path in checked_files(root):
        offences += role_checks_in(path.read_text(), path.relative_to(root).as_posix())
    return offences


def test_no_code_outside_the_permission_layer_reads_roles():
    offences = role_checks()
    assert not offences, "Role checks outside portal/access/ (use a named action):\n" + "\n".join(
        map(str, offences)
    )


def test_the_check_reads_the_project():
    files = {path.relative_to(ROOT).as_posix() for path in checked_files()}
    assert "reports/services.py" in files
    assert "capabilities/maturity.py" in files
    assert "composition/views.py" in files
    assert not any(name.startswith(("portal/access/", "tests/")) for name in files)
    assert not any("/migrations/" in name for name in files)


def test_the_check_finds_role_checks_in_a_snippet():
    source = '''
"""A module that decides by itself: "ciso" in a docstring is text."""
from portal.access import is_sector_admin, principal_for
from portal.access.roles import REGION_ROLES, Role as R


def may_approve(user, assessment):
    principal = principal_for(user)
    return principal.is_sector_admin or principal.has_role(R.CISO, assessment.organisation_id)


def recipients(users, region):
    return users.filter(memberships__organisation=region, memberships__role="ciso")


def own(principal):
    return principal.organisations_with(REGION_ROLES), is_sector_admin(principal.user)


def label(role):
    return R(role).label, R.choices
'''
    found = [(offence.line, offence.what) for offence in role_checks_in(source)]
    assert found == [
        (3, "imports is_sector_admin from portal.access"),
        (9, "reads roles: .is_sector_admin"),
        (9, "reads roles: .has_role"),
        (9, "names a role: R.CISO"),
        (13, "filters memberships by role: memberships__role"),
        (13, "role literal: 'ciso'"),
        (17, "reads roles: .organisations_with"),
        (17, "names roles: REGION_ROLES"),
        (17, "reads roles: is_sector_admin"),
    ]


def test_the_check_allows_access_policy_declarations():
    source = """
from portal.access.policies import OrganisationOwned
from portal.access.roles import REGION_ROLES, Role


class Asset:
    access_policy = OrganisationOwned(read_roles=REGION_ROLES, edit_roles=(Role.CISO,))

    def check(self):
        return Role.CISO
"""
    assert [str(offence) for offence in role_checks_in(source)] == [
        "<snippet>:10: names a role: Role.CISO"
    ]


def test_another_role_vocabulary_is_not_the_permission_layers():
    # A working group's roles (chair, member) are its own TextChoices, not portal roles.
    source = """
class WorkingGroupMember:
    class Role:
        CHAIR = "chair"
    role = Field(choices=Role.choices, default=Role.CHAIR)
"""
    assert role_checks_in(source) == []
