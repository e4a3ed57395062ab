from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a membership lets a person do in an organisation (DESIGN.md, "Who uses it")."""

    SECTOR_ADMIN = "sector_admin", _("Sector administrator")
    SECRETARIAT = "secretariat", _("TSI secretariat")
    CISO = "ciso", _("CISO")
    RISK_OWNER = "risk_owner", _("Risk owner")
    VIEWER = "viewer", _("Viewer")
    #: The region's top management: reads the region's register, accepts risks where the
    #: region's acceptance criteria say so and approves those criteria.
    DIREKTION = "direktion", _("Direktion")


#: Roles that belong to one region and read that region's confidential data.
REGION_ROLES = (Role.CISO, Role.RISK_OWNER, Role.VIEWER, Role.DIREKTION)

#: Roles that belong to a sector body: the portal's operators and the TSI secretariat.
SECTOR_ROLES = (Role.SECTOR_ADMIN, Role.SECRETARIAT)


def role_fits(role: str, *, in_region: bool) -> bool:
    """Whether ``role`` can be held in an organisation of that kind: a region's roles
    (``REGION_ROLES``) only in a region, the sector's roles (``SECTOR_ROLES``) only in a
    sector body."""
    return (role in REGION_ROLES) == in_region
