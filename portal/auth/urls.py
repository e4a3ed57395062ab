from django.contrib.auth import views as auth_views
from django.urls import path

from portal.auth import account, oidc, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/verify/", views.MfaVerifyView.as_view(), name="mfa_verify"),
    path("mfa/enrol/", views.MfaEnrolView.as_view(), name="mfa_enrol"),
    path("oidc/authenticate/", oidc.SignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("account/", account.AccountView.as_view(), name="account"),
    path("account/preferences/", account.PreferencesView.as_view(), name="preferences"),
    path("account/tokens/", account.ApiTokenCreateView.as_view(), name="api_token_create"),
    path(
        "account/tokens/<int:pk>/revoke/",
        account.ApiTokenRevokeView.as_view(),
        name="api_token_revoke",
    ),
    path("account/sso/link/", account.SingleSignOnLinkView.as_view(), name="sso_link"),
    path(
        "service-accounts/",
        account.ServiceAccountListView.as_view(),
        name="service_account_list",
    ),
    path(
        "service-accounts/<int:pk>/tokens/",
        account.ServiceAccountTokenCreateView.as_view(),
        name="service_account_token_create",
    ),
]
