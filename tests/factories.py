import factory
from django.contrib.auth import get_user_model

from portal.models import Membership, Organisation
from risks.models import Asset


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@test.invalid")
    password = factory.django.Password("correct-horse-battery")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"region-{n}")
    name_da = factory.LazyAttribute(lambda org: f"Region {org.slug}")
    kind = Organisation.Kind.REGION


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "viewer"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"System {n:04d}")
    kind = Asset.Kind.SYSTEM
    supplier = "Leverandør A/S"


def api_token_for(user, *, scope: str = "write", name: str = "test") -> str:
    """A personal API token for ``user``, as issued on the account page after the second
    factor; returns the ``Authorization`` header's value."""
    from portal.auth.tokens import api_token_create

    _row, token = api_token_create(
        user=user, name=name, scope=scope, created_by=user, second_factor=True
    )
    return f"Bearer {token}"
