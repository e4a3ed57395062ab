"""The person's own account page: their memberships, second factor, personal API tokens,
single sign-on link and preferences (the daily digest); and, for sector administrators, the
service accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from portal.access import can
from portal.access.principal import signed_in_user
from portal.auth import mfa, oidc, tokens
from portal.auth.forms import ApiTokenForm, PreferencesForm, ServiceAccountForm
from portal.models import ApiToken, ServiceAccount
from portal.preferences import preferences_of, preferences_save


def _second_factor_given(request: HttpRequest) -> bool:
    """Whether this session gave the portal's authenticator (or the provider's vouched-for
    multi-factor sign-in): the condition for issuing any API token."""
    return mfa.session_is_verified(request)


def _token_shown_once(request: HttpRequest, *, row: ApiToken, token: str, back: str):
    context = {"row": row, "token": token, "header": f"Authorization: Bearer {token}", "back": back}
    response = render(request, "auth/api_token_created.html", context)
    add_never_cache_headers(response)
    return response


def _form_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


ACCOUNT_TEMPLATE = "auth/account.html"


def _account_context(
    request: HttpRequest,
    form: ApiTokenForm | None = None,
    preferences_form: PreferencesForm | None = None,
) -> dict:
    user = signed_in_user(request.user)
    if preferences_form is None:
        preferences_form = PreferencesForm(
            instance=preferences_of(user, language=get_language()), auto_id="id_pref_%s"
        )
    return {
        "memberships": user.memberships.select_related("organisation"),
        "second_factor": _second_factor_given(request),
        "has_authenticator": mfa.user_has_authenticator(user),
        "tokens": tokens.api_tokens_of(user=user),
        "form": form or ApiTokenForm(),
        "now": timezone.now(),
        "sso_enabled": settings.OIDC_ENABLED,
        "sso_provider": settings.OIDC_PROVIDER_NAME,
        "identities": user.external_identities.all(),
        "may_link": oidc.link_may_start(request),
        "is_staff": user.is_staff or user.is_superuser,
        "may_manage_service_accounts": can(user, "portal.manage_service_accounts"),
        "preferences_form": preferences_form,
    }


@method_decorator(never_cache, name="dispatch")
class AccountView(LoginRequiredMixin, View):
    """``/account/``: who I am, my tokens (created, last used, expiry; revoke), a new token
    (after the second factor), my single sign-on link."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, ACCOUNT_TEMPLATE, _account_context(request))


@method_decorator(never_cache, name="dispatch")
class PreferencesView(LoginRequiredMixin, View):
    """``POST /account/preferences/``: the person's own daily digest and its language —
    nobody else's (the form names no person)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request.user)
        form = PreferencesForm(request.POST, instance=preferences_of(user), auto_id="id_pref_%s")
        if form.is_valid():
            preferences_save(
                user=user,
                daily_digest=form.cleaned_data["daily_digest"],
                language=form.cleaned_data["language"],
            )
            messages.success(request, _("Your preferences are saved."))
            return HttpResponseRedirect(reverse("account") + "#preferences")
        context = _account_context(request, preferences_form=form)
        return render(request, ACCOUNT_TEMPLATE, context, status=400)


@method_decorator(never_cache, name="dispatch")
class ApiTokenCreateView(LoginRequiredMixin, View):
    """``POST /account/tokens/``: a new personal token, shown once; refused (403) in a session
    that has not given the second factor."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _second_factor_given(request):
            raise PermissionDenied(_("Give the second factor before creating an API token."))
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                row, token = tokens.api_token_create(
                    user=signed_in_user(request.user),
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_at=form.expires_at,
                    created_by=signed_in_user(request.user),
                    second_factor=True,
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                return _token_shown_once(request, row=row, token=token, back=reverse("account"))
        return render(request, ACCOUNT_TEMPLATE, _account_context(request, form), status=400)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """``POST /account/tokens/<pk>/revoke/``: one's own token; a sector administrator also a
    service account's. Anyone else's token does not exist here (404)."""

    model = ApiToken
    pk_url_kwarg = "pk"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mine = Q(user=request.user)
        if can(request.user, "portal.manage_service_accounts"):
            mine |= Q(user__service_account__isnull=False)
        token = get_object_or_404(ApiToken.objects.filter(mine), pk=pk)
        tokens.api_token_revoke(token=token)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        back = "service_account_list" if token.user_id != request.user.pk else "account"
        return HttpResponseRedirect(reverse(back))


class SingleSignOnLinkView(LoginRequiredMixin, View):
    """``POST /account/sso/link/``: start single sign-on to bind the provider's person to this
    account — only in a session that gave the portal's second factor, never for staff."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not oidc.link_may_start(request):
            raise PermissionDenied(
                _("Link single sign-on after signing in with your password and second factor.")
            )
        oidc.link_start(request)
        query = urlencode({"next": reverse("account")})
        return HttpResponseRedirect(f"{reverse('oidc_authentication_init')}?{query}")


@method_decorator(never_cache, name="dispatch")
class ServiceAccountListView(LoginRequiredMixin, View):
    """``/service-accounts/``: sector administrators list and create service accounts."""

    template_name = "auth/service_accounts.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.user.is_authenticated and not can(
            request.user, "portal.manage_service_accounts"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, request: HttpRequest, form: ServiceAccountForm, status: int = 200):
        accounts = list(tokens.service_accounts_list(actor=signed_in_user(request.user)))
        for account in accounts:  # one form each, with ids of its own
            account.token_form = ApiTokenForm(read_only=True, auto_id=f"id_sa{account.pk}_%s")
        context = {
            "accounts": accounts,
            "form": form,
            "second_factor": _second_factor_given(request),
            "now": timezone.now(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, ServiceAccountForm(user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceAccountForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                account = tokens.service_account_create(
                    actor=signed_in_user(request.user),
                    username=form.cleaned_data["username"],
                    description=form.cleaned_data["description"],
                    organisations=list(form.cleaned_data["organisations"]),
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("The service account “%(name)s” is created. Issue it a token below.")
                    % {"name": account.user.username},
                )
                return HttpResponseRedirect(reverse("service_account_list"))
        return self.render(request, form, status=400)


@method_decorator(never_cache, name="dispatch")
class ServiceAccountTokenCreateView(LoginRequiredMixin, View):
    """``POST /service-accounts/<pk>/tokens/``: a read-only token for a service account,
    issued by a sector administrator in a session that gave the second factor."""

    model = ServiceAccount
    pk_url_kwarg = "pk"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can(request.user, "portal.manage_service_accounts"):
            raise PermissionDenied
        if not _second_factor_given(request):
            raise PermissionDenied(_("Give the second factor before creating an API token."))
        account = get_object_or_404(ServiceAccount.objects.select_related("user"), pk=pk)
        form = ApiTokenForm(request.POST, read_only=True)
        if form.is_valid():
            try:
                row, token = tokens.service_account_issue_token(
                    actor=signed_in_user(request.user),
                    account=account,
                    name=form.cleaned_data["name"],
                    expires_at=form.expires_at,
                    second_factor=True,
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                return _token_shown_once(
                    request, row=row, token=token, back=reverse("service_account_list")
                )
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return HttpResponseRedirect(reverse("service_account_list"))
