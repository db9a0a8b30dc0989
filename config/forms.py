"""The form renderer of every form (settings.FORM_RENDERER): Django's, with its <input> template written in Python.

A field's <input> is most of what a form page renders, and Django renders each through its template engine (the
input template, then the attrs template in a loop). The output here is the same markup, character for character,
from the same widget context (so every attribute a widget or field adds is kept); every other template, and any
project override of the input template, goes through Django's engine as before.
"""

from pathlib import Path

import django
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

# Django's widget templates that are exactly `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "password",
        "number",
        "tel",
        "url",
        "search",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
    )
)
DJANGO_WIDGET_TEMPLATES = Path(django.__file__).parent / "forms" / "templates" / "django" / "forms" / "widgets"


def _as_text(value) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape: a safe string as it is, anything else escaped."""
    text = f"{value}"
    return text if isinstance(value, SafeData) else conditional_escape(text)


def input_html(widget: dict) -> str:
    """Django's input.html and attrs.html for one widget context (Widget._render marks the result safe)."""
    html = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        html.append(f' value="{_as_text(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        name = conditional_escape(name)
        html.append(f" {name}" if value is True else f' {name}="{_as_text(value)}"')
    html.append(">")
    return "".join(html)


class FormRenderer(DjangoTemplates):
    """Django's DjangoTemplates renderer, with <input> widgets rendered by input_html."""

    @cached_property
    def inputs_are_djangos(self) -> bool:
        """Whether the input templates found are Django's own (an app could override them)."""
        return all(
            Path(self.get_template(name).origin.name).parent == DJANGO_WIDGET_TEMPLATES for name in INPUT_TEMPLATES
        )

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES and request is None and self.inputs_are_djangos:
            return input_html(context["widget"])
        return super().render(template_name, context, request=request)
