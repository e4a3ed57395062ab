"""Fit and finish: one way to name a person, and yes/no filters that look like the other
selects."""

from django.template import Context, Template
from django.test import RequestFactory

from portal.filtersets import AnyYesNo
from risks.filtersets import RiskFilterSet
from tests.factories import UserFactory


def render(template: str, **context) -> str:
    return Template("{% load people %}" + template).render(Context(context))


def test_a_person_is_named_by_full_name_with_the_user_name_on_hover(db):
    user = UserFactory(username="ciso.a", first_name="Anne", last_name="Holm")
    assert render("{{ user|person }}", user=user) == (
        '<span class="person" title="ciso.a">Anne Holm</span>'
    )


def test_a_person_without_a_name_is_named_by_user_name_and_nobody_by_a_dash(db):
    assert render("{{ user|person }}", user=UserFactory(username="riskowner.a")) == (
        '<span class="person">riskowner.a</span>'
    )
    assert render("{{ user|person }}", user=None) == "—"


def test_a_persons_name_is_escaped(db):
    user = UserFactory(username="x<y", first_name="<b>Bo</b>", last_name="")
    rendered = render("{{ user|person }}", user=user)
    assert "<b>" not in rendered
    assert "&lt;b&gt;Bo&lt;/b&gt;" in rendered and 'title="x&lt;y"' in rendered


def test_a_yes_no_filter_is_styled_as_a_select(personas):
    request = RequestFactory().get("/risks/")
    request.user = personas.ciso_a
    form = RiskFilterSet(request.GET, request=request).form
    widget = form.fields["open"].widget
    assert isinstance(widget, AnyYesNo)
    assert widget.attrs["class"].split() == ["form-select"]
    assert "form-select" in str(form["open"])
    # A multiple choice keeps the look of a list box.
    assert form.fields["organisation"].widget.attrs["class"].split() == ["form-input"]
