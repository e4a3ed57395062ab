"""The portal's own stylesheets point at files that exist: collectstatic's manifest storage
refuses to build otherwise, and WeasyPrint silently falls back to another font."""

import re
from pathlib import Path

from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"
URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def test_it_resolves_every_url_in_the_portals_own_stylesheets():
    stylesheets = sorted((STATIC / "css").glob("*.css"))
    assert stylesheets
    missing = []
    for stylesheet in stylesheets:
        for target in URL.findall(stylesheet.read_text()):
            if target.startswith(("data:", "http:", "https:", "#")):
                continue
            if not (stylesheet.parent / target.split("?")[0].split("#")[0]).resolve().is_file():
                missing.append(f"{stylesheet.name}: {target}")
    assert missing == []
