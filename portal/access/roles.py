from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a membership lets a person do in an organisation (DESIGN.md, "Who uses it")."""

    SECTOR_ADMIN = "sector_admin", _("Sector administrator")
    SECRETARIAT = "secretariat", _("TSI secretariat")
    CISO = "ciso", _("CISO")
    RISK_OWNER = "risk_owner", _("Risk owner")
    VIEWER = "viewer", _("Viewer")


#: Roles that belong to one region and read that region's confidential data.
REGION_ROLES = (Role.CISO, Role.RISK_OWNER, Role.VIEWER)
