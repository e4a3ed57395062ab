"""The shared mail assertions (``tests/mail.py``) fail where they should."""

import pytest
from django.core.mail import EmailMultiAlternatives

from tests.mail import assert_links_only


def message(body: str, html: str = "") -> EmailMultiAlternatives:
    sent = EmailMultiAlternatives("Påmindelse", body, to=["ciso.a@test.invalid"])
    if html:
        sent.attach_alternative(html, "text/html")
    return sent


def test_it_passes_a_mail_of_links_only():
    assert_links_only(
        message("Se https://portal.example/x/", "<a>https://portal.example/x/</a>"),
        links=["https://portal.example/x/"],
        secrets=["Hemmelig"],
    )


@pytest.mark.parametrize(
    ("sent", "links", "secrets"),
    [
        (message("Se https://portal.example/x/"), ["https://portal.example/y/"], []),
        (message("Hemmelig titel"), [], ["Hemmelig"]),
        (message("Se linket", "<p>Hemmelig titel</p>"), [], ["Hemmelig"]),
        (message("Se linket"), [], [""]),
    ],
)
def test_it_fails_a_missing_link_a_secret_anywhere_or_an_empty_secret(sent, links, secrets):
    with pytest.raises(AssertionError):
        assert_links_only(sent, links=links, secrets=secrets)


def test_it_fails_an_attachment():
    sent = message("Se linket")
    sent.attach("rapport.pdf", b"%PDF", "application/pdf")
    with pytest.raises(AssertionError):
        assert_links_only(sent)
