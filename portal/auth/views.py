"""Pages of signing in: the login page, the second factor's verification and enrolment."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.generic import FormView
from django_otp.plugins.otp_static.models import StaticDevice

from portal.access.principal import signed_in_user
from portal.auth import mfa
from portal.auth.forms import EnrolForm, SecondFactorForm


class LoginView(auth_views.LoginView):
    """Django's login page, with the single sign-on button when it is configured and without
    the password form when ``LOCAL_LOGIN_ENABLED`` is off (a password sent anyway is 403)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            local_login_enabled=settings.LOCAL_LOGIN_ENABLED,
            sso_enabled=settings.OIDC_ENABLED,
            sso_provider=settings.OIDC_PROVIDER_NAME,
            sso_failed="sso" in self.request.GET,
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.LOCAL_LOGIN_ENABLED:
            context = self.get_context_data(password_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@method_decorator(never_cache, name="dispatch")
class MfaVerifyView(LoginRequiredMixin, RedirectURLMixin, FormView):
    """After the password: a code from the authenticator, or a recovery code (once each)."""

    template_name = "auth/mfa_verify.html"
    form_class = SecondFactorForm
    next_page = settings.LOGIN_REDIRECT_URL

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.user.is_authenticated:
            if not mfa.user_has_authenticator(request.user):
                return HttpResponseRedirect(_with_next("mfa_enrol", self.get_redirect_url()))
            if mfa.session_is_verified(request):
                return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)

    def form_valid(self, form: SecondFactorForm) -> HttpResponse:
        device = mfa.second_factor_verify(
            user=signed_in_user(self.request.user), code=form.cleaned_data["code"]
        )
        if device is None:
            form.add_error(
                "code",
                _(
                    "The code is not valid. Codes from the app change every 30 seconds; a "
                    "recovery code works only once. After several wrong codes, wait a little."
                ),
            )
            return self.form_invalid(form)
        mfa.session_mark_verified(self.request, device)
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            messages.warning(
                self.request,
                ngettext(
                    "You signed in with a recovery code; %(count)s is left. Set up a new "
                    "authenticator if yours is lost.",
                    "You signed in with a recovery code; %(count)s are left. Set up a new "
                    "authenticator if yours is lost.",
                    left,
                )
                % {"count": left},
            )
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(never_cache, name="dispatch")
class MfaEnrolView(LoginRequiredMixin, RedirectURLMixin, FormView):
    """Set up an authenticator app: its secret as text and as a QR code, the first code to
    confirm it, then ten recovery codes shown this once."""

    template_name = "auth/mfa_enrol.html"
    form_class = EnrolForm
    next_page = settings.LOGIN_REDIRECT_URL

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        # Whoever has an authenticator proves it before setting up another one: a password
        # alone must not be enough to move the second factor to a new phone.
        if (
            request.user.is_authenticated
            and mfa.user_has_authenticator(request.user)
            and not mfa.session_is_verified(request)
        ):
            return HttpResponseRedirect(_with_next("mfa_verify", self.get_redirect_url()))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = mfa.totp_enrolment_start(user=self.request.user)
        return super().get_context_data(
            secret=mfa.totp_secret(device),
            # Drawn by the qrcode library from the device's own otpauth:// address.
            qr_code=mark_safe(mfa.qr_code_svg(device)),  # noqa: S308
            issuer=settings.OTP_TOTP_ISSUER,
            next=self.get_redirect_url(),
            **kwargs,
        )

    def form_valid(self, form: EnrolForm) -> HttpResponse:
        device = mfa.totp_enrolment_start(user=signed_in_user(self.request.user))
        codes = mfa.totp_enrolment_confirm(device=device, token=form.cleaned_data["code"])
        if codes is None:
            form.add_error(
                "code",
                _("The code does not match. Check the time on your phone and try the new code."),
            )
            return self.form_invalid(form)
        mfa.session_mark_verified(self.request, device)
        response = render(
            self.request,
            "auth/recovery_codes.html",
            {"codes": codes, "continue_url": self.get_success_url()},
        )
        add_never_cache_headers(response)
        return response
