"""What a self-registered account may be called and which passwords it may use (security issue items 6 and 9)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import User
from consult.accounts.names import name_problem, skeleton
from consult.accounts.passwords import password_problem
from consult.extensions import db
from tests.conftest import PASSWORD

EMAIL = "rina@example.org"


def register(client, **data):
    form = {"name": "Rina Wulandari", "email": EMAIL, "password": "Teh-hangat-di-Cianjur", **data}
    return client.post("/register?lang=en", data=form)


def accounts() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


# --- names ---------------------------------------------------------------------------------------------------

IMPERSONATING = [
    "Warga-NAVXF",  # another participant's pseudonym
    "warga-navxf",
    "Warga NAVXF",
    "WargaNAVXF",
    "W a r g a - N A V X F",
    "Wаrga-NAVXF",  # Cyrillic а
    "Warga\u2010NAVXF",  # a Unicode hyphen
    "ＷＡＲＧＡ－ＮＡＶＸＦ",  # full-width
    "Warga-NAV\u200bXF",  # a zero-width space inside
    "Moderator-AB12C",
    "ΜΟDΕRΑΤΟR-AB12C",  # Greek capitals
    "moderator",
    "Budi Moderator",
    "sistem",
    "SYSTEM",
    "Sistém",
    "admin",
    "Adm1n",
    "Administrator",
    "Tanggapan Dinas",
    "tanggapan-dinas",
    "Warga-\u202eFXVAN",  # a right-to-left override: shows as another pseudonym
]
ALLOWED = ["Siti Rahma", "Dewi Warga", "Warga Sukamaju", "Budi Santoso", "Ni Made Ayu", "李小龙", "Nadmin Putri", "Ade"]


@pytest.mark.parametrize("name", IMPERSONATING)
def test_names_that_pass_for_a_pseudonym_a_moderator_or_the_system_are_refused(name):
    assert name_problem(" ".join(name.split())) in {"reserved", "characters"}


@pytest.mark.parametrize("name", ALLOWED)
def test_ordinary_names_are_allowed(name):
    assert name_problem(name) is None


def test_look_alikes_share_one_skeleton():
    assert skeleton("Wаrga\u2010NAVXF") == skeleton("ＷＡＲＧＡ－ＮＡＶＸＦ") == "warga navxf"
    assert skeleton("ΜΟDΕRΑΤΟR") == "moderator"


def test_agency_names_are_reserved_for_the_agency(make):
    make.agency(slug="disdukcapil-cibodas", name="Dinas Kependudukan Cibodas")
    assert services.name_message("Dinas Kependudukan Cibodas") is not None
    assert services.name_message("dinas kependudukan cibodas resmi") is not None
    assert services.name_message("Disdukcapil Cibodas") is not None  # the slug, spaced
    assert services.name_message("Siti dari Cibodas") is None  # a word of it alone is anyone's


@pytest.mark.parametrize("name", ["Warga-NAVXF", "Moderator-AB12C", "sistem", "Tanggapan Dinas", "Wаrga-NAVXF"])
def test_registration_refuses_an_impersonating_name(client, name):
    response = register(client, name=name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html and "could be mistaken" in html
    assert accounts() == 0


def test_registration_refuses_control_characters_in_a_name(client):
    response = register(client, name="Rina\u202eWulandari")
    assert response.status_code == 422 and "text-direction" in response.get_data(as_text=True)
    assert accounts() == 0


# --- passwords -----------------------------------------------------------------------------------------------

# The probe's five, and more of the same kind
WEAK = [
    "Password1!",
    "konsultasi",
    "passwordpassword",
    "iloveyou12",
    "Sukamaju2026",
    "Jakarta2026!",
    "Rahasia123!",
    "Bismillah123",
    "sayangku1234",
    "qwertyuiop",
    "Konsultasi2026!",
    "WargaPublik1",
]
STRONG = ["Teh-hangat-di-Cianjur", "kopi tubruk di pagi hari", "Kopi-pagi-di-Bandung", PASSWORD]


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_at_registration(client, password):
    response = register(client, password=password)
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert accounts() == 0


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_have_a_reason(password):
    assert password_problem(password, email=EMAIL, name="Rina Wulandari") in {"too_common", "guessable"}


@pytest.mark.parametrize("password", STRONG)
def test_long_passwords_of_unusual_words_are_accepted(client, password):
    assert register(client, password=password).status_code == 303
    assert accounts() == 1


def test_the_agencies_names_count_as_site_words(client, make):
    assert password_problem("Cibodas2026!") is None  # zxcvbn alone does not know the word …
    make.agency(slug="dinas-pertanian-cibodas", name="Dinas Pertanian Cibodas")
    assert services.password_message("Cibodas2026!") is not None  # … the site does
    assert register(client, password="Cibodas2026!").status_code == 422


def test_weak_passwords_are_refused_at_password_change_and_reset(client, make):
    user = make.user()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    for password in ("Password1!", "Sukamaju2026"):
        data = {"current": PASSWORD, "password": password, "repeat": password}
        assert client.post("/profil/sandi", data=data).status_code == 422
    client.post("/lupa-sandi", data={"email": user.email})
    from tests.mailbox import last_mail, link

    path = link(last_mail(user.email, "password_reset"), "/sandi-baru/")
    for password in ("iloveyou12", "passwordpassword"):
        assert client.post(path, data={"password": password, "repeat": password}).status_code == 422
    assert services.authenticate(user.email, PASSWORD).id == user.id


def test_a_password_longer_than_zxcvbn_reads_is_judged_by_its_start():
    assert password_problem("Teh-hangat-di-Cianjur " * 8) is None  # 176 characters: no error from zxcvbn
    assert password_problem("a1" * 60) in {"too_common", "guessable"}
