"""Signing in: passwords with lock-out (django-axes), two-factor authentication (django-otp:
TOTP with recovery codes), single sign-on with OpenID Connect (mozilla-django-oidc) and the
idle session timeout.

``mfa`` knows who needs a second factor and whether a session has one; ``oidc`` signs people
in through the identity provider by its stable subject and links existing accounts, and
``groups`` turns its groups into memberships; ``middleware`` sends a session that owes its
second factor to the verification page and ends idle sessions; ``tokens`` issues, ends and
finds personal API tokens and service accounts, and ``api`` authenticates the REST
framework's requests by token or by a session that gave its second factor; ``signals`` end a
person's tokens with their password, account or last membership; ``views``, ``account``,
``forms`` and ``urls`` are the pages; ``lockout`` is django-axes' answer to a
locked-out sign-in; ``backends`` is the password backend that ``LOCAL_LOGIN_ENABLED`` switches.
"""
