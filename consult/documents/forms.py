from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from consult.documents.components import COMPONENTS
from consult.i18n import lazy_gettext as _l


class DocumentMetaForm(FlaskForm):
    title = StringField(_l("Title"))
    summary = StringField(_l("One-line summary"))


class PolicyForm(DocumentMetaForm):
    body = TextAreaField(_l("Text (Markdown: each heading starting with ## begins a section)"))


def _standard_form_class():
    attrs = {"service_name": StringField(_l("Name of the service"))}
    for component in COMPONENTS:
        attrs[component.key.replace("-", "_")] = TextAreaField(component.title, description=component.help)
    return type("ServiceStandardForm", (DocumentMetaForm,), attrs)


ServiceStandardForm = _standard_form_class()


def component_field(form, key: str):
    return getattr(form, key.replace("-", "_"))


def component_values(form) -> dict[str, str]:
    return {c.key: component_field(form, c.key).data or "" for c in COMPONENTS}
