"""Personal API tokens and service accounts: issuing, listing, revoking and ending them, and
finding the token a request presents.

A token is ``cpt_<prefix>_<secret>``: ``prefix`` (10 hex digits, not secret) finds the row,
and the row holds only the SHA-256 of the whole token — 256 random bits, so a fast hash is
enough, and a stolen database holds no usable token. The token is shown once, when issued.

A person issues their own tokens on their account page, in a session that has passed the
second factor; a sector administrator issues read-only tokens to service accounts. All of a
person's tokens end when the password changes, the account is deactivated or it loses its
last membership (``portal.auth.signals``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import can, grant_reading
from portal.models import ApiToken, Organisation, ServiceAccount

TOKEN_TAG = "cpt"  # noqa: S105 (the tokens' public tag, not a secret)
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)
#: ``last_used_at`` is written at most this often per token: one UPDATE, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=5)
_PREFIX_BYTES = 5
_SECRET_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(_PREFIX_BYTES)
    return prefix, f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"


def _expiry_checked(expires_at, *, now) -> None:
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    # A day's grace: a date picked in the form ends at the end of that day.
    if expires_at > now + MAX_LIFETIME + timedelta(days=1):
        raise ValidationError({"expires_at": _("A token lives at most one year.")})


def api_token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_at=None,
    created_by: User,
    second_factor: bool,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the token (shown once, never stored).

    ``second_factor`` says whether the issuing session passed the second factor; without it
    nobody issues a token on the pages (a password alone must never open the API). A service
    account's tokens are read-only.
    """
    if not second_factor:
        raise PermissionDenied(_("Give the second factor before creating an API token."))
    return _token_issue(
        user=user,
        name=name,
        scope=scope,
        expires_at=expires_at,
        created_by=created_by,
        second_factor=True,
    )


def api_token_issue_from_command_line(
    *, user: User, name: str, scope: str, expires_at=None
) -> tuple[ApiToken, str]:
    """A token issued by an operator on the server (``manage.py issue_api_token``). No second
    factor stands behind it, so it works only for accounts that owe none — with
    ``MFA_REQUIRED`` on, those without any role — or while ``MFA_REQUIRED`` is off (the
    benchmark, the demo). A service account's tokens are issued on the sector admin's pages."""
    return _token_issue(
        user=user,
        name=name,
        scope=scope,
        expires_at=expires_at,
        created_by=None,
        second_factor=False,
    )


@transaction.atomic
def _token_issue(
    *,
    user: User,
    name: str,
    scope: str,
    expires_at,
    created_by: User | None,
    second_factor: bool,
) -> tuple[ApiToken, str]:
    if not user.is_active:
        raise ValidationError(_("The account is deactivated."))
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Choose read only or read and write.")})
    if scope != ApiToken.Scope.READ and ServiceAccount.objects.filter(user=user).exists():
        raise ValidationError({"scope": _("A service account's tokens are read-only.")})
    now = timezone.now()
    expires_at = expires_at or now + DEFAULT_LIFETIME
    _expiry_checked(expires_at, now=now)
    for _attempt in range(3):
        prefix, token = _new_token()
        try:
            with transaction.atomic():
                row = ApiToken.objects.create(
                    user=user,
                    name=name.strip(),
                    prefix=prefix,
                    key_hash=token_hash(token),
                    scope=scope,
                    created_at=now,
                    created_by=created_by,
                    second_factor=second_factor,
                    expires_at=expires_at,
                )
        except IntegrityError:  # the one-in-a-trillion prefix collision: draw again
            continue
        return row, token
    raise RuntimeError("could not draw a unique token prefix")


def _tokens_end(tokens: QuerySet[ApiToken], reason: str) -> int:
    """End the live ones of ``tokens`` now, one save each so that the audit trail records
    every end (a person has a handful of tokens); returns how many ended."""
    now = timezone.now()
    ended = 0
    with transaction.atomic():
        for token in tokens.filter(ended_at__isnull=True).select_for_update():
            token.ended_at, token.end_reason = now, reason
            token.save(update_fields=["ended_at", "end_reason"])
            ended += 1
    return ended


def api_token_revoke(*, token: ApiToken, reason: str = ApiToken.EndReason.REVOKED) -> None:
    """End ``token`` now (a token already ended keeps its first end)."""
    _tokens_end(ApiToken.objects.filter(pk=token.pk), reason)


def api_tokens_end_for_user(*, user_id: int, reason: str) -> int:
    """End every live token of the user; returns how many ended."""
    return _tokens_end(ApiToken.objects.filter(user_id=user_id), reason)


def api_token_for_key(token: str) -> ApiToken | None:
    """The token row ``token`` names — live or not: the caller says why it is refused — or
    None when no row has this token."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_TAG or len(parts[1]) != 2 * _PREFIX_BYTES:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.key_hash, token_hash(token)):
        return None
    return row


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Record the token's use, at most once per ``LAST_USED_RESOLUTION``."""
    now = now or timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, live first, then ended ones (kept for the record)."""
    return ApiToken.objects.filter(user=user).order_by("ended_at", "-created_at", "-pk")


# Service accounts


def _require_sector_admin(actor: User) -> None:
    if not can(actor, "portal.manage_service_accounts"):
        raise PermissionDenied


@transaction.atomic
def service_account_create(
    *,
    actor: User,
    username: str,
    description: str,
    organisations: list[Organisation],
) -> ServiceAccount:
    """A service account reading the given organisations (viewer memberships), created by a
    sector administrator. It has no password: it signs in nowhere but the API, by token."""
    _require_sector_admin(actor)
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with this name exists already.")})
    if not organisations:
        raise ValidationError({"organisations": _("Choose at least one organisation.")})
    user = user_model.objects.create_user(username=username)  # an unusable password
    account = ServiceAccount.objects.create(user=user, description=description, created_by=actor)
    for organisation in organisations:
        grant_reading(user, organisation)
    return account


def service_account_issue_token(
    *,
    actor: User,
    account: ServiceAccount,
    name: str,
    expires_at=None,
    second_factor: bool,
) -> tuple[ApiToken, str]:
    """A read-only token for ``account``, issued by a sector administrator."""
    _require_sector_admin(actor)
    return api_token_create(
        user=account.user,
        name=name,
        scope=ApiToken.Scope.READ,
        expires_at=expires_at,
        created_by=actor,
        second_factor=second_factor,
    )


def service_accounts_list(*, actor: User) -> QuerySet[ServiceAccount]:
    _require_sector_admin(actor)
    return ServiceAccount.objects.select_related("user").prefetch_related(
        "user__memberships__organisation", "user__api_tokens"
    )
