"""Every view behind `@step_up_required` opens only with its own fresh grant.

The views are found by walking the URL resolver for their `step_up_action`, so a new step-up view is covered the
moment it is routed, and a decorated view nobody routed (or this walk missed) fails the completeness test.
"""

import ast
import importlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Address, PaymentCard
from orders.models import Order
from security.methods import phone_add
from security.models import Passkey
from security.vocabulary import StepUpAction
from tests.helpers import step_up_grant

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
OUR_APPS = ("accounts", "security", "messaging", "orders", "delivery", "config")
STEP_UP_PATH = "/account/verify/"

# How to fill each URL keyword of a step-up view with something of the signed-in user's that resolves.
URL_VALUES = {
    "address_id": lambda user: (
        Address.objects.create(
            user=user, full_name="Jo Shopper", line1="1 Lock Street", city="Leeds", postcode="LS1 1AA", is_default=True
        ).pk
    ),
    "card_id": lambda user: (
        PaymentCard.objects.create(
            user=user, brand="Visa", last4="4242", exp_month=1, exp_year=2030, name_on_card="Jo Shopper"
        ).pk
    ),
    "passkey_id": lambda user: (
        Passkey.objects.create(
            user=user, name="Test passkey", confirmed=True, credential_id=b"cred", public_key=b"k"
        ).pk
    ),
    "order_id": lambda user: (
        Order.objects.create(
            user=user,
            total=0,
            ship_name="Jo Shopper",
            ship_line1="1 Lock Street",
            ship_city="Leeds",
            ship_postcode="LS1 1AA",
            ship_country="GB",
            card_label="Visa 4242",
            needs_delivery_code=False,
            checkout_token="step-up-guard",
        ).pk
    ),
    # A confirmed backup phone: it can be made primary and it can be removed.
    "persistent_id": lambda user: (
        phone_add(
            user=user, number="+447911123456", channel="sms", primary=False, confirmed=True, request=None
        ).persistent_id
    ),
}


def step_up_action_of(callback) -> StepUpAction | None:
    """The action a routed view is guarded by: on the callback, anywhere down its `__wrapped__` chain, or its class."""
    view = callback
    while view is not None:
        for holder in (view, getattr(view, "view_class", None)):
            action = getattr(holder, "step_up_action", None)
            if action is not None:
                return StepUpAction(action)
        view = getattr(view, "__wrapped__", None)
    return None


def _keyword_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    return list(converters) if converters else list(pattern.regex.groupindex)


def routed_step_up_views(resolver=None, namespace: str = "", keywords: tuple = ()):
    """(url name, URL keywords, action, callback) for every routed view with a `step_up_action`, includes too."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        entry_keywords = (*keywords, *_keyword_names(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routed_step_up_views(entry, inner, entry_keywords)
        elif isinstance(entry, URLPattern) and (action := step_up_action_of(entry.callback)) is not None:
            assert entry.name, f"{entry.pattern} is a step-up view without a URL name"
            yield f"{namespace}{entry.name}", entry_keywords, action, entry.callback


def _is_step_up_decorator(node: ast.expr) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return getattr(func, "id", None) == "step_up_required" or getattr(func, "attr", None) == "step_up_required"


def decorated_step_up_views() -> dict:
    """{"module.function": view} for every function our apps' source decorates with @step_up_required."""
    found = {}
    for app in OUR_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "step_up_required" not in (source := path.read_text()):
                continue
            module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                    _is_step_up_decorator(decorator) for decorator in node.decorator_list
                ):
                    module = importlib.import_module(module_name)
                    found[f"{module_name}.{node.name}"] = getattr(module, node.name, None)
    return found


ROUTES = [(name, keywords, action) for name, keywords, action, _callback in routed_step_up_views()]


def test_the_walk_finds_every_step_up_view_and_every_action_in_use():
    routed = list(routed_step_up_views())
    decorated = decorated_step_up_views()
    assert routed, "no view with a step_up_action was found in the URL resolver"
    assert decorated, "no @step_up_required was found in our apps' source"

    routed_callbacks = {id(callback) for _name, _keywords, _action, callback in routed}
    not_routed = sorted(name for name, view in decorated.items() if id(view) not in routed_callbacks)
    assert not not_routed, f"decorated with @step_up_required but not found by the resolver walk: {not_routed}"
    used = {step_up_action_of(view) for view in decorated.values()}
    assert used <= {action for _name, _keywords, action, _callback in routed}
    assert used <= set(StepUpAction)


def _sent_to_step_up_for(response) -> str | None:
    """The action a response sends the person to prove, or None when it is not a redirect to the step-up page."""
    if response.status_code != 302:
        return None
    location = urlsplit(response.headers["Location"])
    if location.path != STEP_UP_PATH:
        return None
    return parse_qs(location.query).get("action", [""])[0]


@pytest.mark.parametrize(("name", "keywords", "action"), ROUTES, ids=[name for name, _k, _a in ROUTES])
def test_a_step_up_view_opens_only_with_its_own_fresh_grant(client, shopper, name, keywords, action):
    missing = [keyword for keyword in keywords if keyword not in URL_VALUES]
    assert not missing, f"{name}: teach URL_VALUES how to fill {missing}"
    url = reverse(name, kwargs={keyword: URL_VALUES[keyword](shopper) for keyword in keywords})
    client.force_login(shopper)
    refused = {}  # method -> [(what the session held, where the answer sent it)]
    for method in ("get", "post"):
        send = getattr(client, method)
        refused[method] = [("no grant", _sent_to_step_up_for(send(url)))]
        for other in StepUpAction:
            if other != action:
                step_up_grant(client, other)
                refused[method].append((f"a grant for {other}", _sent_to_step_up_for(send(url))))
        step_up_grant(client, action, seconds_left=-60)  # given 11 minutes ago, valid for 10
        refused[method].append(("a stale grant", _sent_to_step_up_for(send(url))))

    step_up_grant(client, action)
    opened = {method: getattr(client, method)(url) for method in ("get", "post")}
    answered = [method for method, response in opened.items() if response.status_code != 405]
    assert answered, f"{url} answers neither GET nor POST with a fresh grant"
    for method in answered:
        for held, sent_to in refused[method]:
            assert sent_to == action, f"{method.upper()} {url} with {held}: not sent to step-up for {action}"
        assert _sent_to_step_up_for(opened[method]) is None, f"{method.upper()} {url}: a fresh grant is refused"
        if keywords:
            assert opened[method].status_code != 404, f"{method.upper()} {url}: the filled URL does not resolve"
