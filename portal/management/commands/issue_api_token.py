from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.auth.tokens import DEFAULT_LIFETIME, api_token_issue_from_command_line
from portal.models import ApiToken
from portal.rls import in_system_context


class Command(BaseCommand):
    help = (
        "Issue a personal API token to an account and print it (shown only now). No second "
        "factor stands behind it: it is refused for accounts that owe one while MFA_REQUIRED "
        "is on. People create their own tokens on their account page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--days", type=int, default=DEFAULT_LIFETIME.days)

    @in_system_context("issue_api_token")
    def handle(self, *args, username, name, scope, days, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no account named {username!r}")
        try:
            _row, token = api_token_issue_from_command_line(
                user=user,
                name=name,
                scope=scope,
                expires_at=timezone.now() + timedelta(days=days),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(token)
