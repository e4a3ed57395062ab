"""axe-core in the browser tests: inject the vendored ``axe.min.js`` into a Playwright page and
read its violations.

The portal's Content-Security-Policy allows only its own script files, so a ``<script>`` tag
added to the page (``page.add_script_tag``) would be refused. ``page.evaluate`` runs the file
through the DevTools protocol instead, which the policy does not govern: the page keeps its
real policy while it is checked. The vendored copy and its licence are in ``vendor/axe-core/``.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

#: The impacts that fail a page (axe's four: minor, moderate, serious, critical).
FAILING_IMPACTS = frozenset({"serious", "critical"})


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page: its id, impact, help text and the offending elements."""

    url: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.url}: {self.impact} {self.rule} ({self.help}) at {', '.join(self.targets)}"


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact || "",
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}"""


def axe_violations(page, impacts: frozenset[str] = FAILING_IMPACTS) -> list[Violation]:
    """Run axe-core on the page as it is now; return the violations of the given impacts
    (serious and critical by default)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    found = page.evaluate(_RUN)
    return [
        Violation(url=page.url, targets=tuple(item.pop("targets")), **item)
        for item in found
        if item["impact"] in impacts
    ]
