"""Template helpers shared by every page (registered as builtins in settings; each app adds its own, as
`orders.ui_tags` and `security.ui_tags`)."""

import re
import secrets
import weakref
from datetime import date, datetime

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BoundField
from django.template.base import Node, NodeList, token_kwargs
from django.template.context import Context
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation
from django.utils.autoreload import file_changed
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from config.dates import day_label as _day_label
from config.languages import LANGUAGE_TAGS

register = template.Library()

# A fixed fragment keeps at most this many renderings (languages x the values it names); past that it renders
# each time, so a value that takes many forms costs speed, never memory.
FIXED_VARIANTS_MAX = 128
# What a {% live %} part leaves in a fixed fragment's rendering while it is made. With a secret of this process:
# a named value that holds a mark of its own (escaping leaves a NUL as it is) cannot move or repeat a live part.
_LIVE_SECRET = secrets.token_hex(16)
LIVE_MARK = "\x00live:" + _LIVE_SECRET + ":{}\x00"
LIVE_MARKS = re.compile("\x00live:" + _LIVE_SECRET + ":(\\d+)\x00")
# The names a request fills in: a fixed fragment that reads one outside {% live %} fails loudly instead of
# keeping one person's value for everyone.
REQUEST_NAMES = ("request", "user", "perms", "csrf_token", "messages")
FILLING = object()  # the context key under which a fixed fragment being made collects its live parts
_fixed_nodes: "weakref.WeakSet[FixedNode]" = weakref.WeakSet()


class RequestValueInFixed:
    """Stands for a request's value while a fixed fragment is made: reading it is a mistake in the template."""

    def __init__(self, name: str):
        self.name = name

    def _refuse(self, *args, **kwargs):
        raise template.TemplateSyntaxError(
            f"{{% fixed %}} fragments are shared by every request: put {self.name!r} inside {{% live %}}."
        )

    __bool__ = __str__ = __iter__ = __getitem__ = __html__ = _refuse

    def __getattr__(self, name: str):
        self._refuse()


def _fixed_key(value):
    """A value a fixed fragment varies on, as part of its cache key: with its type, since True == 1 and a safe
    string (SafeString) renders otherwise than the same plain one."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, (list, tuple)):
        return tuple(_fixed_key(item) for item in value)
    if value is None or isinstance(value, (bool, int, str)):
        return (type(value), value)
    raise template.TemplateSyntaxError(
        f"{{% fixed %}} varies only on plain values (text, numbers, booleans, lists of them), not {type(value)}."
    )


class FixedNode(Node):
    """Renders once per language, script prefix and the values it names, then serves that rendering with only
    its {% live %} parts rendered again for each request. It sees nothing of the page but the values it names."""

    # It holds no {% block %} (checked below), so {% extends %}, which looks for blocks on every render, need not
    # walk its nodes.
    child_nodelists = ()

    def __init__(self, nodelist: NodeList, values: dict):
        if nodelist.get_nodes_by_type(BlockNode):
            raise template.TemplateSyntaxError("{% fixed %} cannot hold a {% block %}: a child template fills it.")
        self.nodelist, self.values = nodelist, values
        self.renderings: dict = {}
        _fixed_nodes.add(self)

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.values.items()}
        key = (
            translation.get_language(),
            context.autoescape,  # a value rendered unescaped (a text email) is never served to an HTML page
            get_script_prefix(),
            get_urlconf(),
            tuple((name, _fixed_key(value)) for name, value in values.items()),
        )
        parts = self.renderings.get(key)
        if parts is None:
            parts = self.make(context, values)
            if len(self.renderings) < FIXED_VARIANTS_MAX:
                self.renderings[key] = parts
        texts, lives = parts
        if not lives:
            return texts[0]
        out = [texts[0]]
        for live, text in zip(lives, texts[1:], strict=True):
            out.append(live.render(context))  # inside another fixed fragment being made, a live part of that one
            out.append(text)
        return mark_safe("".join(out))  # noqa: S308 (pieces of the template engine's own escaped output)

    def make(self, context, values: dict) -> tuple[tuple[str, ...], tuple["LiveNode", ...]]:
        """Render with only the named values, each {% live %} part leaving a mark; split at the marks."""
        lives: list[LiveNode] = []
        isolated = Context(
            {**{name: RequestValueInFixed(name) for name in REQUEST_NAMES}, **values, FILLING: lives},
            autoescape=context.autoescape,
            use_l10n=context.use_l10n,
            use_tz=context.use_tz,
        )
        with isolated.bind_template(context.template):
            rendered = self.nodelist.render(isolated)
        pieces = LIVE_MARKS.split(rendered)
        texts = tuple(mark_safe(piece) for piece in pieces[0::2])  # noqa: S308 (split from escaped output)
        return texts, tuple(lives[int(index)] for index in pieces[1::2])


class LiveNode(Node):
    """A part of a fixed fragment rendered for each request, with the page's own context."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: NodeList):
        self.nodelist = nodelist

    def render(self, context):
        lives = context.get(FILLING)
        if lives is None:  # not inside a fixed fragment: an ordinary part of the page
            return self.nodelist.render(context)
        lives.append(self)
        return format_html(LIVE_MARK, len(lives) - 1)


@register.tag
def fixed(parser, token):
    """{% fixed name=value ... %}…{% endfixed %}: a fragment the same for every request in one language (and
    with the same named values), rendered once per process. Request-bound parts go inside {% live %}."""
    bits = token.split_contents()[1:]
    values = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError("{% fixed %} takes only name=value pairs.")
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    return FixedNode(nodelist, values)


@register.tag
def live(parser, token):
    """{% live %}…{% endlive %}: inside {% fixed %}, rendered for each request (a CSRF token, a name, a count)."""
    nodelist = parser.parse(("endlive",))
    parser.delete_first_token()
    return LiveNode(nodelist)


def fixed_renderings_clear() -> None:
    """Forget every fixed fragment's renderings (settings or translations changed)."""
    for node in list(_fixed_nodes):
        node.renderings.clear()


@receiver(setting_changed)
def _fixed_on_setting_changed(**kwargs) -> None:
    fixed_renderings_clear()


@receiver(file_changed)
def _fixed_on_catalogue_changed(*, file_path, **kwargs) -> None:
    # runserver reloads a changed catalogue without a restart (Django's translation_file_changed).
    if file_path.suffix == ".mo":
        fixed_renderings_clear()


@register.inclusion_tag("includes/field.html")
def form_field(field: BoundField) -> dict:
    """A labelled field whose input points at its help and error text (aria-describedby)."""
    help_id = f"{field.auto_id}_help" if field.help_text else ""
    error_id = f"{field.auto_id}_error" if field.errors else ""
    described_by = " ".join(filter(None, [error_id, help_id]))
    attrs = {"aria-describedby": described_by} if described_by else {}
    if field.field.required:
        attrs["required"] = True
    return {"field": field, "widget": field.as_widget(attrs=attrs), "help_id": help_id, "error_id": error_id}


@register.simple_tag
def languages() -> list[tuple[str, str]]:
    """The 13 languages a picker lists: (BCP 47 tag, the language's name in itself)."""
    return LANGUAGE_TAGS


@register.filter
def day_label(day: date | None) -> str:
    """A day with its weekday in the active language's own order and format."""
    return _day_label(day) if day else ""


@register.filter
def sentence_end(text: str) -> str:
    """`text` ended as a sentence in the active language: a full stop in most, 。 in Japanese and Chinese."""
    text = str(text).strip()
    if not text or text.endswith((".", "!", "?", "\u3002", "\uff01", "\uff1f")):
        return text
    return text + pgettext("the mark that ends a sentence", ".")


@register.filter
def moment(value: str | datetime) -> str:
    """A moment (an ISO 8601 string, as messages store it, or a datetime) in the active language's date and time
    format, in the site's time zone with its abbreviation. Older messages hold words already: those pass through."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = timezone.localtime(value)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local:%Z}"
