"""User text never becomes markup: every refusal, notice, flash and page with a hostile value in each field.

The outside probe's attack: a moderator blocked a citizen with the reason
`Spam <span hx-post="/comments/23/tarik" hx-trigger="load" hx-swap="none"></span>`. The refusal shown on every
round page was a lazy translated string with the reason formatted in, and Flask-Babel's LazyString.__html__
returned it unescaped, so the span became markup, and htmx withdrew the victim's comment with their CSRF token
(from <body hx-headers>) just because they opened the page. consult.i18n.LazyText escapes instead; these
tests put a hostile value into every field people type (block, moderation and close reasons, rule titles,
names, agency names, document, section and round titles, report and appeal texts) and read every page and
fragment where they are shown, as each role.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import render_template_string

from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.errors import Conflict, NotAllowed
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.participation.models import Comment, Participant
from consult.rounds import services as rounds
from consult.rounds.models import Round
from consult.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]


def hostile(field: str) -> str:
    """A value that would act as the viewer if it ever became markup (the probe's payload), tagged by field."""
    return f'Spam <span hx-post="/comments/1/tarik" hx-trigger="load" hx-swap="none" data-pwn="{field}">{field}</span>'


def escaped_marker(field: str) -> str:
    return f"data-pwn=&#34;{field}&#34;"


def arrived_escaped(field: str, html: str) -> bool:
    """Escaped by Jinja (&#34;) or, for Markdown sources, by the Markdown renderer (&quot;)."""
    return escaped_marker(field) in html or f"data-pwn=&quot;{field}&quot;" in html


def assert_inert(html: str, *fields: str) -> None:
    """No hostile value arrived as markup, and each of `fields` arrived, escaped (so the check is not vacuous)."""
    assert "<span hx-post" not in html and 'data-pwn="' not in html, "a hostile value arrived as markup"
    for field in fields:
        assert arrived_escaped(field, html), f"{field} was expected on this page, escaped"


# --- the pattern -------------------------------------------------------------------------------------------------


def test_a_lazy_text_with_a_value_formatted_in_is_escaped_by_templates(app):
    message = _l("Reason: %(reason)s", reason=hostile("lazy"))
    with app.test_request_context("/"):
        html = render_template_string("<p>{{ m }}</p><p>{{ m|e }}</p><p>{{ [m]|join(' ') }}</p>", m=message)
    assert html.count(escaped_marker("lazy")) == 3
    assert_inert(html)


def test_no_module_uses_flask_babels_own_lazy_gettext():
    """consult.i18n.lazy_gettext is the one lazy gettext; flask_babel's returns markup to templates."""
    offenders = []
    for path in (ROOT / "consult").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask_babel", "flask_babel.speaklater"):
                names = {alias.name for alias in node.names}
                if names & {"lazy_gettext", "lazy_ngettext", "lazy_pgettext", "LazyString"} and path.name != "i18n.py":
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_no_code_marks_text_as_markup():
    """Only the sanitiser's output is shown with |safe; no module builds Markup or defines __html__ but i18n."""
    offenders = []
    for path in (ROOT / "consult").rglob("*.py"):
        text = path.read_text("utf-8")
        if path.name != "i18n.py" and ("Markup(" in text or "__html__" in text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    safe_uses = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for line in path.read_text("utf-8").splitlines():
            if "|safe" in line:
                safe_uses.add(line.split("{{", 1)[1].split("|safe", 1)[0].strip())
    # every |safe prints HTML that consult/sanitize.py made (body_html of comments, sections and rules)
    # and the summary's: staff texts rendered by consult.sanitize (overview, synthesis, the agency's response),
    # and the stance chart, markup ElementTree escaped (consult/monitoring/svg.py)
    sanitised = ("body_html", "overview_html", "synthesis_html", "response_html", "chart.svg", "chart_table")
    sanitised += ("what_html", "answer_html", "text_html")  # complaints and their answers (consult.sanitize)
    sanitised += ("diff_html",)  # a version's word diff: every text escaped by consult.documents.diff.render_ops_html
    assert all(expr.endswith(sanitised) for expr in safe_uses), safe_uses


def test_every_user_text_container_shown_as_html_disables_htmx():
    """Second wall: a sanitised HTML fragment sits in an element with hx-disable, so even an hx-* attribute
    that slipped through the sanitiser's allow-list could not make a request."""
    for path in (ROOT / "templates").rglob("*.html"):
        for line in path.read_text("utf-8").splitlines():
            if "|safe" in line:
                assert "hx-disable" in line, f"{path.relative_to(ROOT)}: {line.strip()}"


def test_service_errors_rendered_in_the_refusal_notice_are_escaped(app):
    from flask import render_template

    with app.test_request_context("/"):
        for error in (NotAllowed(_l("Blocked. Reason: %(r)s", r=hostile("e1"))), Conflict(hostile("e2"))):
            html = render_template(
                "participation/_comment_form.html", refusal=error, round=None, oob=False, form_error=None
            )
            assert_inert(html)
            assert "&lt;span hx-post" in html


# --- the whole site with hostile values in every field ----------------------------------------------------------


@pytest.fixture
def hostile_world(make):
    agency = make.agency(slug="dinas-x", name=hostile("agency-name"))
    moderation.add_rule("test", agency, hostile("rule-title"), hostile("rule-body"))
    document = make.policy(
        agency,
        markdown=f"Pembuka {hostile('section-body')}\n\n## {hostile('section-title')}\n\nTeks.\n",
        title=hostile("document-title"),
    )
    rnd = make.round(agency, document=document)
    with write_transaction():
        db.session.get(type(rnd), rnd.id).title = hostile("round-title")
    closed = make.round(agency, document=make.policy(agency, title="Rancangan lain"))
    moderator = make.user("moderator", agency)
    admin = make.user("agency_admin", agency)
    site_admin = make.user("admin")
    victim = make.user(verified=True)
    author = make.user(verified=True)
    reporter = make.user(verified=True)
    with write_transaction():  # names set in the database: accounts made before any name rule keep theirs
        db.session.get(User, victim.id).name = hostile("victim-name")
        db.session.get(User, author.id).name = hostile("author-name")
        db.session.get(User, moderator.id).name = hostile("moderator-name")
    section = rnd.version.sections[1]
    victim_comment = participation.post_comment(
        db.session.get(User, victim.id), rnd, "Komentar korban.", section_id=section.id, show_name=True
    )
    participation.report_comment(
        db.session.get(User, reporter.id), db.session.get(Comment, victim_comment.id), hostile("report-reason")
    )
    participation.report_comment(  # a report that names the house rule (its title, snapshot)
        db.session.get(User, make.user(verified=True).id), db.session.get(Comment, victim_comment.id), None, rule=1
    )
    official = participation.post_comment(db.session.get(User, admin.id), rnd, "Tanggapan dinas.")  # the agency's
    author_comment = participation.post_comment(
        db.session.get(User, author.id), rnd, "Komentar yang akan disembunyikan.", show_name=True
    )
    participation.report_comment(
        db.session.get(User, reporter.id), db.session.get(Comment, author_comment.id), "Menghina."
    )
    moderation.hide_comment(moderator, db.session.get(Comment, author_comment.id), 1, hostile("hide-reason"))
    moderation.file_appeal(
        db.session.get(User, author.id), db.session.get(Comment, author_comment.id), hostile("appeal-body")
    )
    moderation.block_author(
        moderator,
        db.session.get(Comment, victim_comment.id),
        utcnow() + dt.timedelta(days=7),
        hostile("block-reason"),
    )
    rounds.close_round(moderator, db.session.get(type(closed), closed.id), hostile("close-reason"))
    db.session.commit()
    return {
        "slug": agency.slug,
        "round": rnd.id,
        "closed": closed.id,
        "section": section.id,
        "document": document.id,
        "victim": db.session.get(User, victim.id),
        "victim_comment": victim_comment.id,
        "hidden_comment": author_comment.id,
        "author": db.session.get(User, author.id),
        "moderator": db.session.get(User, moderator.id),
        "admin": db.session.get(User, admin.id),
        "site_admin": db.session.get(User, site_admin.id),
        "appeal": moderation.appeal_of(author_comment.id).id,
        "official": official.id,
    }


def _page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_blocked_citizen_sees_the_block_reason_as_text_on_the_round_page_and_in_every_refusal(
    client, auth, hostile_world
):
    w = hostile_world
    auth.login(w["victim"])
    html = _page(client, f"/rounds/{w['round']}")
    assert_inert(html, "block-reason", "round-title", "section-title", "agency-name")
    assert "<span" not in html.split('id="form-komentar"', 1)[1].split("</div>", 1)[0]
    # the htmx fragments: the list, a refused comment, a refused reply, a refused vote and stance
    htmx = {"HX-Request": "true"}
    assert_inert(_page(client, f"/rounds/{w['round']}?fragment=komentar", headers=htmx))
    refused = client.post(f"/rounds/{w['round']}/komentar", data={"body": "Coba lagi."}, headers=htmx)
    assert refused.status_code == 403
    assert_inert(refused.get_data(as_text=True), "block-reason")
    refused = client.post(
        f"/rounds/{w['round']}/komentar", data={"body": "Balasan.", "parent_id": str(w["victim_comment"])}
    )
    assert refused.status_code == 403
    assert_inert(refused.get_data(as_text=True), "block-reason")
    refused = client.post(
        f"/rounds/{w['round']}/komentar",
        data={"body": "Balasan.", "parent_id": str(w["victim_comment"])},
        headers=htmx,
    )
    assert_inert(refused.get_data(as_text=True), "block-reason")
    voted = client.post(f"/comments/{w['hidden_comment']}/suara", data={"value": "1"}, headers=htmx)
    assert_inert(voted.get_data(as_text=True))
    stance = client.post(f"/rounds/{w['round']}/bagian/{w['section']}/sikap", data={"value": "support"}, headers=htmx)
    assert stance.status_code == 403
    assert_inert(stance.get_data(as_text=True), "block-reason")
    # without JavaScript the refusal comes back as a flash on the next page
    client.post(f"/rounds/{w['round']}/bagian/{w['section']}/sikap", data={"value": "support"})
    assert_inert(_page(client, f"/rounds/{w['round']}"), "block-reason")
    assert_inert(_page(client, f"/comments/{w['victim_comment']}"), "block-reason")
    assert_inert(_page(client, "/profil/moderasi"), "block-reason")
    # and nothing was done in the victim's name
    assert db.session.get(Comment, w["victim_comment"]).status == "visible"


def test_public_pages_show_names_titles_rules_and_reasons_as_text(client, hostile_world):
    w = hostile_world
    assert_inert(_page(client, "/"), "round-title", "agency-name")
    assert_inert(_page(client, "/putaran"), "round-title")
    assert_inert(_page(client, f"/rounds/{w['round']}"), "round-title", "victim-name", "hide-reason", "rule-title")
    assert_inert(_page(client, f"/rounds/{w['closed']}"), "close-reason", "agency-name")
    assert_inert(_page(client, f"/comments/{w['hidden_comment']}"), "hide-reason", "author-name")
    assert_inert(_page(client, f"/comments/{w['victim_comment']}"), "victim-name")
    assert_inert(_page(client, f"/instansi/{w['slug']}/aturan"), "rule-title", "rule-body", "agency-name")
    assert_inert(_page(client, "/moderasi"), "hide-reason", "block-reason", "round-title")
    assert_inert(_page(client, f"/rounds/{w['round']}/moderasi"), "hide-reason")
    api = client.get("/api/v1/moderation-log")
    assert api.mimetype == "application/json"  # JSON carries text as it is; whoever shows it escapes it


def test_moderators_see_reports_appeals_and_blocks_as_text(client, auth, hostile_world):
    w = hostile_world
    auth.login(w["moderator"])
    base = f"/kelola/{w['slug']}/moderasi"
    assert_inert(_page(client, "/moderasi/antrean", follow_redirects=True))
    assert_inert(_page(client, f"{base}/komentar/{w['hidden_comment']}"), "hide-reason")
    assert_inert(_page(client, f"{base}/komentar/{w['victim_comment']}"), "report-reason")
    assert_inert(_page(client, f"{base}/banding"))
    assert_inert(_page(client, f"{base}/banding/{w['appeal']}"), "appeal-body", "hide-reason")
    assert_inert(_page(client, f"{base}/blokir"), "block-reason")
    assert_inert(_page(client, base), "agency-name")
    assert_inert(_page(client, f"{base}?putaran={w['round']}&tampil=semua"), "rule-title", "round-title", "agency-name")
    assert_inert(_page(client, f"{base}?putaran={w['round']}"), "rule-title", "report-reason")
    assert_inert(_page(client, f"/comments/{w['official']}/sembunyikan"), "rule-title", "agency-name", "round-title")
    fragment = _page(client, f"/comments/{w['official']}/sembunyikan", headers={"HX-Request": "true"})
    assert_inert(fragment, "rule-title")
    assert_inert(_page(client, f"/rounds/{w['round']}"), "agency-name", "rule-title")  # with the "hide" controls


def test_the_agencys_own_voice_and_the_report_form_show_names_and_rules_as_text(client, auth, hostile_world):
    w = hostile_world
    assert_inert(_page(client, f"/comments/{w['official']}"), "agency-name")
    auth.login(w["author"])
    assert_inert(_page(client, f"/comments/{w['official']}/laporkan"), "rule-title", "agency-name")


def test_agency_admins_see_documents_rounds_and_rules_as_text(client, auth, hostile_world):
    w = hostile_world
    auth.login(w["admin"])
    assert_inert(_page(client, "/kelola", follow_redirects=True), "agency-name")
    assert_inert(_page(client, f"/kelola/{w['slug']}"), "document-title", "round-title")
    assert_inert(_page(client, f"/kelola/{w['slug']}/dokumen/{w['document']}"), "document-title", "section-title")
    assert_inert(_page(client, f"/kelola/{w['slug']}/putaran/{w['round']}"), "round-title")
    assert_inert(_page(client, f"/kelola/{w['slug']}/putaran/{w['closed']}"), "close-reason")
    assert_inert(_page(client, f"/kelola/{w['slug']}/aturan"), "rule-title")


def test_flash_messages_with_names_and_titles_are_escaped(client, auth, hostile_world):
    w = hostile_world
    auth.login(w["site_admin"])
    response = client.post(
        "/admin/instansi",
        data={"slug": "dinas-flash", "name": hostile("new-agency"), "timezone": "Asia/Jakarta"},
        follow_redirects=True,
    )
    assert [r.status_code for r in response.history] == [303]
    assert_inert(response.get_data(as_text=True), "new-agency")
    target = w["victim"]
    response = client.post(
        "/admin/peran",
        data={"email": target.email, "role": "moderator", "agency": "dinas-flash"},
        follow_redirects=True,
    )
    assert [r.status_code for r in response.history] == [303], response.get_data(as_text=True)[-3000:]
    assert_inert(response.get_data(as_text=True), "victim-name")
    assert db.session.scalar(sa.select(Agency.id).where(Agency.slug == "dinas-flash"))


def test_the_welcome_flash_shows_a_hostile_name_as_text(client, make):
    user = make.user()
    with write_transaction():
        db.session.get(User, user.id).name = hostile("login-name")
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=True)
    assert_inert(response.get_data(as_text=True), "login-name")


def test_a_participant_named_like_html_is_shown_as_text_in_the_api(client, hostile_world):
    w = hostile_world
    body = client.get(f"/api/v1/rounds/{w['round']}/comments").get_json()
    authors = {item["author"] for item in body["items"]}
    assert hostile("victim-name") in authors  # JSON carries the text as it is; pages escape it
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) >= 2


def test_the_draft_preview_shows_typed_values_imported_headings_and_the_file_name_as_text(client, auth, hostile_world):
    from io import BytesIO

    import docx

    from tests.documents.docx_files import saved

    w = hostile_world
    auth.login(w["admin"])
    url = f"/kelola/{w['slug']}/dokumen/baru?jenis=policy"
    body = f"## {hostile('preview-section')}\n\nTeks ![{hostile('image-alt')}](x.png) {hostile('inline-html')}\n"
    data = {"title": hostile("preview-title"), "summary": hostile("preview-summary"), "body": body}
    response = client.post(url, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_inert(html, "preview-title", "preview-summary", "preview-section", "image-alt")
    assert "&lt;span&gt; removed" in html or "&lt;span&gt; dibuang" in html  # the HTML is reported, not shown

    document = docx.Document()
    document.add_paragraph(hostile("docx-heading"), style="Heading 1")
    document.add_paragraph(hostile("docx-text"))
    # A browser sends a file name's quotes percent-encoded; this one needs none to be markup.
    file_name = "<span hx-post=/comments/1/tarik hx-trigger=load data-pwn=file-name>x</span>.docx"
    upload = {**data, "body": "", "file": (BytesIO(saved(document)), file_name)}
    response = client.post(url, data=upload, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_inert(html, "docx-heading", "docx-text")
    assert "&lt;span hx-post=/comments/1/tarik hx-trigger=load data-pwn=file-name&gt;x&lt;/span&gt;.docx" in html
    back = client.post(url, data={**data, "body": body, "aksi": "ubah"})
    assert_inert(back.get_data(as_text=True), "preview-title", "preview-summary")


def test_verification_notes_reasons_and_names_are_shown_as_text(client, auth, hostile_world, make):
    from consult.agencies import verification

    w = hostile_world
    asking, other = make.user(), make.user()
    with write_transaction():
        db.session.get(User, asking.id).name = hostile("asking-name")
    first = verification.request_verification(
        db.session.get(User, asking.id), w["admin"].memberships[0].agency_id, hostile("verification-note")
    )
    verification.refuse(w["admin"], first.id, hostile("refusal-reason"))
    granted = verification.request_verification(
        db.session.get(User, other.id), w["admin"].memberships[0].agency_id, hostile("other-note")
    )
    verification.approve(w["admin"], granted.id)
    verification.revoke(w["admin"], granted.id, hostile("revoke-reason"))
    again = verification.request_verification(
        db.session.get(User, asking.id), w["admin"].memberships[0].agency_id, hostile("second-note")
    )
    db.session.commit()
    auth.login(w["admin"])
    base = f"/kelola/{w['slug']}/verifikasi"
    assert_inert(_page(client, base), "asking-name", "second-note", "agency-name")
    assert_inert(_page(client, f"{base}/{first.id}"), "asking-name", "verification-note", "refusal-reason")
    assert_inert(_page(client, f"{base}/{granted.id}"), "other-note", "revoke-reason")
    assert_inert(_page(client, f"{base}/{again.id}"), "second-note")
    auth.logout()
    auth.login(db.session.get(User, asking.id))
    assert_inert(_page(client, "/profil"), "agency-name")
    auth.logout()
    auth.login(db.session.get(User, other.id))
    assert_inert(_page(client, "/profil"), "revoke-reason", "agency-name")
    assert_inert(_page(client, "/profil/verifikasi"), "agency-name")


def test_my_comments_show_titles_and_moderation_reasons_as_text(client, auth, hostile_world):
    w = hostile_world
    auth.login(w["author"])
    assert_inert(_page(client, "/profil/komentar"), "round-title", "hide-reason", "rule-title")
    assert_inert(_page(client, "/profil"), "round-title", "hide-reason")
    auth.logout()
    auth.login(w["victim"])
    assert_inert(_page(client, "/profil/komentar"), "round-title", "section-title")


def test_the_phone_path_shows_section_titles_and_reasons_as_text(client, auth, make, hostile_world):
    """ "Comment on this section" (the form opened in place), the banner saying which section's list a comment
    went to, the confirmation on the comment and on the stance buttons where a no-JS redirect lands."""
    w = hostile_world
    citizen = make.user(verified=True)
    auth.login(citizen)
    rnd, section, htmx = w["round"], w["section"], {"HX-Request": "true"}
    page = _page(client, f"/rounds/{rnd}")
    assert_inert(page, "section-title")
    assert page.count('class="section-cta"') >= 2  # under each section, next to the hostile title
    opened = _page(client, f"/rounds/{rnd}/bagian/{section}/tulis", headers=htmx)
    assert_inert(opened, "section-title")  # the form's section choice, opened in place
    other = next(s.id for s in db.session.get(Round, rnd).version.sections if s.id != section)
    posted = client.post(
        f"/rounds/{rnd}/komentar",
        data={
            f"s{section}-body": "Tentang bagian ini.",
            f"s{section}-section_id": str(section),
            "place": str(section),
            "list_section": str(other),
        },
        headers=htmx,
    )
    assert posted.status_code == 200, posted.get_data(as_text=True)[:2000]
    html = posted.get_data(as_text=True)
    note = html.split('class="posted-note"', 1)[1].split("</p>", 1)[0]  # where it went: the other section's list
    assert "hx-disable" in note and "bagian=" in note
    assert_inert(note, "section-title")
    landed = client.post(
        f"/rounds/{rnd}/komentar", data={"body": "Tanpa JavaScript.", "section_id": str(section)}, follow_redirects=True
    )
    assert [r.status_code for r in landed.history] == [303]
    assert_inert(landed.get_data(as_text=True), "section-title")  # the comment with its confirmation on it
    # a refusal shown at the stance buttons, where the redirect lands: the blocked citizen's reason
    auth.login(w["victim"])
    refused = client.post(f"/rounds/{rnd}/bagian/{section}/sikap", data={"value": "support"}, follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert_inert(html, "block-reason", "section-title")
    assert escaped_marker("block-reason") in html.split(f'id="sikap-{section}"', 1)[1].split("</div>", 1)[0]
