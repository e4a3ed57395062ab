"""Framework catalogues as YAML, validated with line numbers before anything is written.

The format (one file may hold several frameworks)::

    frameworks:
      - slug: iso27001-2022          # required, lower-case letters, digits and hyphens
        name_da: ISO/IEC 27001:2022 Annex A   # required
        name_en: ISO/IEC 27001:2022 Annex A   # optional
        version: "2022"                        # optional
        requirements:                          # required, a list
          - code: A.5.1                        # required, unique within the framework
            title_da: Politikker for informationssikkerhed   # required
            title_en: Policies for information security      # optional
            description_da: …                  # optional
            description_en: …                  # optional
            capabilities: [risk-assessments]   # optional: capability slugs it maps to

A region loads ISO/IEC 27001 or CIS Controls titles from its own licensed copy; the portal
ships NIS2 Art. 21(2) (``capabilities/reference/nis2_art21.yaml``).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRAMEWORK_KEYS = {"slug", "name_da", "name_en", "version", "requirements"}
REQUIREMENT_KEYS = {
    "code",
    "title_da",
    "title_en",
    "description_da",
    "description_en",
    "capabilities",
}


@dataclass(frozen=True)
class FormatError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class InvalidFramework(Exception):
    def __init__(self, errors: list[FormatError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping(node: yaml.Node, errors: list[FormatError], what: str) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        errors.append(FormatError(_line(node), _("%(what)s must be a mapping") % {"what": what}))
        return None
    return {key.value: value for key, value in node.value}


def _text(
    entry: dict[str, yaml.Node],
    key: str,
    parent: yaml.Node,
    errors: list[FormatError],
    *,
    required: bool,
) -> None:
    node = entry.get(key)
    if node is None:
        if required:
            errors.append(FormatError(_line(parent), _("'%(key)s' is missing") % {"key": key}))
        return
    if not isinstance(node, yaml.ScalarNode) or (required and not str(node.value).strip()):
        errors.append(FormatError(_line(node), _("'%(key)s' must be a text") % {"key": key}))


def validate_framework_file(path: Path) -> dict:
    """Parse and check the file; return its data or raise ``InvalidFramework`` naming lines."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidFramework([FormatError(0, str(error))]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InvalidFramework(
            [
                FormatError(
                    mark.line + 1 if mark else 0,
                    _("not valid YAML: %(problem)s")
                    % {"problem": getattr(error, "problem", error)},
                )
            ]
        ) from None
    errors: list[FormatError] = []
    top = _mapping(root, errors, _("the file")) if root is not None else None
    frameworks = top.get("frameworks") if top else None
    if root is None or frameworks is None:
        raise InvalidFramework([FormatError(1, _("the file must start with 'frameworks:'"))])
    if not isinstance(frameworks, yaml.SequenceNode):
        raise InvalidFramework([FormatError(_line(frameworks), _("'frameworks' must be a list"))])
    for framework_node in frameworks.value:
        framework = _mapping(framework_node, errors, _("a framework"))
        if framework is None:
            continue
        for key in framework:
            if key not in FRAMEWORK_KEYS:
                errors.append(
                    FormatError(_line(framework_node), _("unknown key '%(key)s'") % {"key": key})
                )
        _text(framework, "slug", framework_node, errors, required=True)
        slug = framework.get("slug")
        if isinstance(slug, yaml.ScalarNode) and slug.value and not _SLUG.match(str(slug.value)):
            errors.append(
                FormatError(
                    _line(slug), _("the slug may hold lower-case letters, digits and hyphens")
                )
            )
        _text(framework, "name_da", framework_node, errors, required=True)
        for key in ("name_en", "version"):
            _text(framework, key, framework_node, errors, required=False)
        requirements = framework.get("requirements")
        if not isinstance(requirements, yaml.SequenceNode):
            errors.append(
                FormatError(
                    _line(requirements or framework_node), _("'requirements' must be a list")
                )
            )
            continue
        codes: set[str] = set()
        for requirement_node in requirements.value:
            requirement = _mapping(requirement_node, errors, _("a requirement"))
            if requirement is None:
                continue
            for key in requirement:
                if key not in REQUIREMENT_KEYS:
                    errors.append(
                        FormatError(
                            _line(requirement_node), _("unknown key '%(key)s'") % {"key": key}
                        )
                    )
            _text(requirement, "code", requirement_node, errors, required=True)
            _text(requirement, "title_da", requirement_node, errors, required=True)
            for key in ("title_en", "description_da", "description_en"):
                _text(requirement, key, requirement_node, errors, required=False)
            code = requirement.get("code")
            if isinstance(code, yaml.ScalarNode):
                if code.value in codes:
                    errors.append(
                        FormatError(
                            _line(code),
                            _("the code '%(code)s' appears twice") % {"code": code.value},
                        )
                    )
                codes.add(code.value)
            capabilities = requirement.get("capabilities")
            if capabilities is not None and not (
                isinstance(capabilities, yaml.SequenceNode)
                and all(isinstance(item, yaml.ScalarNode) for item in capabilities.value)
            ):
                errors.append(
                    FormatError(
                        _line(capabilities), _("'capabilities' must be a list of capability slugs")
                    )
                )
    if errors:
        raise InvalidFramework(errors)
    return yaml.safe_load(text)


def capability_lines(path: Path) -> dict[tuple[str, str], int]:
    """Line numbers of each requirement's entry, to name them in later errors."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    lines: dict[tuple[str, str], int] = {}
    if root is None:  # an empty file: the loader reports it
        return lines
    for framework_node in dict((k.value, v) for k, v in root.value)["frameworks"].value:
        framework = {k.value: v for k, v in framework_node.value}
        for requirement_node in framework["requirements"].value:
            requirement = {k.value: v for k, v in requirement_node.value}
            lines[(framework["slug"].value, str(requirement["code"].value))] = _line(
                requirement_node
            )
    return lines
