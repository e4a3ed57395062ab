"""Two rules the application keeps, kept by the database as well (PostgreSQL; the SQLite demo
has the application's wall only):

* A joint risk's lead stays with the lead: a sharing region, which changes the risk through
  the joint update policy (migration 0017), changes neither its organisation nor whether it is
  joint (``portal.rls.joint_lead_guard``). Row policies see only the new row and could not
  refuse a sharing region taking the risk over.
* An approved version of the acceptance criteria is the direktion's decision: never changed,
  and deleted only in the system context (``portal.rls.frozen_when``).
"""

from django.db import migrations

from portal.rls import frozen_when, joint_lead_guard


class Migration(migrations.Migration):
    dependencies = [("risks", "0017_joint_assessments")]

    operations = [
        joint_lead_guard("risks_risk", lead_only=("joint",)),
        frozen_when(
            "risks_acceptancecriteria",
            condition="OLD.status = 'approved'",
            message="an approved version of the acceptance criteria never changes",
        ),
    ]
