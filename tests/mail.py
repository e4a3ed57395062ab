"""What the tests of the portal's mail ask of it: who got a mail, that it links to the portal,
and that it holds no detail of what it is about (reminders, digests and notices mail links
only — the confidential material stays behind the sign-in).

The ``portal_mail`` fixture (``tests/conftest.py``) keeps mail in ``django.core.mail.outbox``
and sets the portal's address to ``PORTAL_URL``."""

from collections.abc import Iterable

from django.core import mail
from django.core.mail import EmailMessage

PORTAL_URL = "https://portal.example"
LOCMEM_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def use_portal_mail(settings, *, portal_url: str = PORTAL_URL) -> list[EmailMessage]:
    """Mail to an empty ``mail.outbox``, links to ``portal_url``; the outbox."""
    settings.EMAIL_BACKEND = LOCMEM_BACKEND
    settings.PORTAL_URL = portal_url
    mail.outbox = []
    return mail.outbox


def recipients() -> list[str]:
    """Every address mailed, sorted (one a mail when each mail has one recipient)."""
    return sorted(address for message in mail.outbox for address in message.to)


def only_mail_to(address: str) -> EmailMessage:
    """The one mail sent, which went to ``address`` alone."""
    assert len(mail.outbox) == 1, [message.to for message in mail.outbox]
    [message] = mail.outbox
    assert message.to == [address]
    return message


def mail_text(message: EmailMessage) -> str:
    """Everything a recipient reads: the subject, the body and any HTML alternative."""
    parts = [message.subject, message.body]
    parts += [str(content) for content, _type in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def assert_links_only(
    message: EmailMessage, *, links: Iterable[str] = (), secrets: Iterable[str] = ()
) -> None:
    """``message`` holds each of ``links`` in its body, none of ``secrets`` anywhere a
    recipient reads, and no attachment."""
    for link in links:
        assert link in message.body, link
    text = mail_text(message)
    for secret in secrets:
        assert secret, "an empty secret proves nothing"
        assert secret not in text, secret
    assert not message.attachments
