from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.documents.components import COMPONENTS
from consult.documents.splitting import DEFAULT_SPLIT_LEVEL
from consult.i18n import lazy_gettext as _l


class DocumentMetaForm(FlaskForm):
    title = StringField(_l("Title"))
    summary = StringField(_l("One-line summary"))


class PolicyForm(DocumentMetaForm):
    body = TextAreaField(_l("Text (Markdown)"))
    split_level = SelectField(
        _l("Sections start at the headings of"),
        coerce=int,
        default=DEFAULT_SPLIT_LEVEL,
        choices=[
            SelectChoice(1, _l("level 1: # (Heading 1)")),
            SelectChoice(2, _l("levels 1–2: # and ## (Heading 1–2)")),
            SelectChoice(3, _l("levels 1–3: # to ### (Heading 1–3)")),
        ],
    )
    file = FileField(_l("Or upload a Word file (.docx)"))


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
