"""The layout's fixed fragments ({% fixed %}, config/ui_tags.py), rendered once per language and reused: each
language keeps its own, nothing of one request reaches another, and what a person typed is still escaped.
The <input> renderer (config/forms.py) writes exactly what Django's templates write."""

import html
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template, TemplateSyntaxError, engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from config import ui_tags
from config.forms import FormRenderer
from config.languages import BCP47_TAGS as TAGS

SIGNIN = reverse("accounts:signin")
SHOP = reverse("orders:shop_front")


def page(client, path, **params) -> str:
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def hreflang(text: str) -> dict[str, str]:
    return {tag: html.unescape(url) for tag, url in re.findall(r'hreflang="([^"]+)" href="([^"]+)"', text)}


def selected_language(text: str) -> str:
    return re.search(r'<option value="[^"]+" lang="([^"]+)" selected>', text)[1]


def layout_parts(client, path, **params) -> tuple[str, ...]:
    """The header, the page's card and the footer (each made of fixed fragments), without the CSRF tokens."""
    text = re.sub(r'csrfmiddlewaretoken" value="[^"]+"', "", page(client, path, **params))
    return tuple(re.search(rf"<{name}[ >].*?</{name}>", text, re.S)[0] for name in ("header", "section", "footer"))


@pytest.mark.django_db
def test_each_language_keeps_its_own_layout_however_the_requests_interleave(client):
    fresh = {}
    for tag in TAGS:  # each rendered with no fragment kept from another language
        ui_tags.fixed_renderings_clear()
        fresh[tag] = layout_parts(client, SIGNIN, language=tag)
        text = page(client, SIGNIN, language=tag)
        assert re.search(r'<html lang="([^"]+)">', text)[1] == tag
        assert selected_language(text) == tag

    for tag in TAGS + TAGS[::-1]:  # now from the fragments the other languages left
        assert layout_parts(client, SIGNIN, language=tag) == fresh[tag]
    assert "Anmelden" in fresh["de-DE"][1] and "ログイン" in fresh["ja-JP"][1]
    assert len({parts[0] for parts in fresh.values()}) >= len(TAGS) - 1  # only the two Englishes may agree


@pytest.mark.django_db
def test_the_hreflang_alternates_follow_the_page_not_the_first_page_rendered(client):
    first = hreflang(page(client, SIGNIN, language="fr-FR"))
    second = hreflang(page(client, SHOP, language="fr-FR", q="shoes"))

    assert first["de-DE"] == f"http://testserver{SIGNIN}?language=de-DE"
    assert first["x-default"] == f"http://testserver{SIGNIN}"
    assert second["zh-TW"] == f"http://testserver{SHOP}?q=shoes&language=zh-TW"
    assert second["x-default"] == f"http://testserver{SHOP}?q=shoes"
    assert list(second) == [*TAGS, "x-default"]


@pytest.mark.django_db
def test_what_a_visitor_puts_in_the_address_or_the_form_is_escaped_everywhere(client):
    hostile = '"><script>alert(1)</script>'
    text = page(client, SIGNIN, next=f"/orders/{hostile}", q=hostile)
    posted = client.post(SIGNIN, {"email": hostile, "password": "x"}).content.decode()

    for rendered in (text, posted):
        assert "<script>alert" not in rendered
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text  # hreflang, the picker's next, the links
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in posted  # the email field keeps it, escaped
    assert 'aria-invalid="true"' in posted and 'aria-describedby="id_email_error"' in posted


@pytest.mark.django_db
def test_one_person_s_name_and_token_never_reach_another_s_page(make_user):
    alice = make_user("alice@example.com", name="<b>Alice</b> Liddell", is_staff=True)
    bob = make_user("bob@example.com", name="Bob Builder")
    pages = {}
    for user in (alice, bob, alice):
        client = Client()
        client.force_login(user)
        pages.setdefault(user.email, []).append(page(client, SHOP))

    alice_page, bob_page = pages["alice@example.com"][0], pages["bob@example.com"][0]
    assert "Hello, &lt;b&gt;Alice&lt;/b&gt;" in alice_page and "<b>Alice" not in alice_page
    assert "Hello, Bob" in bob_page and "Alice" not in bob_page
    assert ">Admin</a>" in alice_page and ">Admin</a>" not in bob_page
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', text) for text in (alice_page, bob_page)]
    assert len(tokens[0]) == 2 and len(set(tokens[0]) & set(tokens[1])) == 0  # sign-out form and language picker


@pytest.mark.django_db
def test_the_picker_s_token_from_a_reused_fragment_is_this_browser_s_own():
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        text = page(browser, SIGNIN)
        picker = re.search(r'<form class="language-picker".*?</form>', text, re.S)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', picker)[1]

        chosen = browser.post(reverse("accounts:language"), {"csrfmiddlewaretoken": token, "language": "it-it"})

        assert chosen.status_code == 302


@pytest.mark.django_db
def test_an_anonymous_visitor_sees_the_sign_in_menu_and_the_basket_count_is_live(client, catalog):
    text = page(client, SHOP)
    assert ">Sign in</a>" in text and "Sign out" not in text and 'class="badge badge--count"' not in text

    client.post(reverse("orders:cart_add", args=[catalog["book"].slug]), {"quantity": 2})

    assert re.search(r'class="badge badge--count">2<', page(client, SHOP))


def render(source: str, **values) -> str:
    return Template(source).render(Context(values))


def test_a_fixed_fragment_sees_only_the_values_it_names_and_its_live_parts_see_the_page():
    source = "{% fixed a=a %}[{{ a }}|{{ b }}|{% live %}{{ b }}{% endlive %}]{% endfixed %}"
    template = Template(source)

    assert template.render(Context({"a": 1, "b": "x"})) == "[1||x]"
    assert template.render(Context({"a": 1, "b": "y"})) == "[1||y]"  # the same rendering, a new live part
    assert template.render(Context({"a": 2, "b": "y"})) == "[2||y]"
    assert template.render(Context({"a": True, "b": "z"})) == "[True||z]"  # True == 1, but renders otherwise


def test_a_live_part_of_a_fixed_fragment_inside_another_stays_live():
    template = Template("{% fixed %}<{% fixed %}({% live %}{{ b }}{% endlive %}){% endfixed %}>{% endfixed %}")

    assert template.render(Context({"b": "x"})) == "<(x)>"
    assert template.render(Context({"b": "y"})) == "<(y)>"


def test_templates_are_compiled_once_per_process_with_production_settings(settings):
    assert not settings.DEBUG
    loaders = engines["django"].engine.template_loaders
    assert [type(loader) for loader in loaders] == [CachedLoader]


def test_a_fixed_fragment_tells_a_safe_string_from_the_same_text_to_escape():
    template = Template("{% fixed a=a %}{{ a }}{% endfixed %}")

    assert template.render(Context({"a": mark_safe("<i>")})) == "<i>"
    assert template.render(Context({"a": "<i>"})) == "&lt;i&gt;"


@pytest.mark.parametrize("index", [0, 1, 7])
def test_a_value_that_looks_like_a_live_part_s_mark_is_only_text(index):
    # Escaping leaves a NUL as it is: a value typed to look like the mark must neither move nor repeat a live
    # part (a CSRF token, a name) nor break the page.
    template = Template("{% fixed a=a %}[{{ a }}]{% live %}{{ b }}{% endlive %}{% endfixed %}")
    forged = f"\x00live:{index}\x00"

    assert template.render(Context({"a": forged, "b": "token"})) == f"[{forged}]token"
    assert template.render(Context({"a": forged, "b": "other"})) == f"[{forged}]other"


def test_a_rendering_without_escaping_is_never_served_where_escaping_is_on():
    # The same fragment in a text email (autoescape off) and on a page: each keeps its own.
    template = Template("{% fixed a=a %}{{ a }}{% endfixed %}")

    assert template.render(Context({"a": "<script>"}, autoescape=False)) == "<script>"
    assert template.render(Context({"a": "<script>"})) == "&lt;script&gt;"
    assert template.render(Context({"a": "<script>"}, autoescape=False)) == "<script>"


@pytest.mark.parametrize(
    "source",
    [
        "{% fixed %}{% csrf_token %}{% endfixed %}",
        "{% fixed %}{{ user.get_short_name }}{% endfixed %}",
        "{% fixed %}{% if request.GET %}x{% endif %}{% endfixed %}",
    ],
)
def test_reading_the_request_outside_live_is_refused_instead_of_shared(source):
    with pytest.raises(TemplateSyntaxError, match="live"):
        render(source, user=object(), request=object(), csrf_token="secret")


def test_a_fixed_fragment_holds_no_block_and_varies_only_on_plain_values():
    with pytest.raises(TemplateSyntaxError, match="block"):
        Template("{% fixed %}{% block x %}{% endblock %}{% endfixed %}")
    with pytest.raises(TemplateSyntaxError, match="plain values"):
        render("{% fixed a=a %}{% endfixed %}", a=object())


def test_a_fixed_fragment_keeps_a_bounded_number_of_renderings():
    template = Template("{% fixed a=a %}{{ a }}{% endfixed %}")
    node = template.nodelist.get_nodes_by_type(ui_tags.FixedNode)[0]

    for number in range(ui_tags.FIXED_VARIANTS_MAX + 10):
        assert template.render(Context({"a": number})) == str(number)

    assert len(node.renderings) == ui_tags.FIXED_VARIANTS_MAX


def test_changed_settings_are_not_served_from_an_older_rendering():
    template = Template("{% fixed %}{% static 'css/site.css' %}{% endfixed %}")
    assert template.render(Context()) == "/static/css/site.css"

    with override_settings(STATIC_URL="/assets/"):
        assert template.render(Context()) == "/assets/css/site.css"


class EveryInput(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True, "off": False}))
    email = forms.EmailField(widget=forms.EmailInput(attrs={"spellcheck": "false"}), help_text="We'll write.")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}))
    tel = forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    agree = forms.BooleanField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": '"><script>x</script>', "email": "a&b", "password": "<p>", "number": "12", "agree": "on"},
        {"text": mark_safe("<b>kept</b>"), "number": "x", "hidden": "'"},
    ],
)
def test_the_input_renderer_writes_what_django_s_templates_write(data):
    form = EveryInput(data)
    for field in form:
        attrs = {"aria-describedby": f"{field.auto_id}_help", "required": True}
        ours = field.field.widget.render(field.html_name, field.value(), {"id": field.auto_id, **attrs}, FormRenderer())
        djangos = field.field.widget.render(
            field.html_name, field.value(), {"id": field.auto_id, **attrs}, DjangoTemplates()
        )
        assert ours == djangos
