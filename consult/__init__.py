"""consult: participatory consultation on draft policies and public-service standards."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter


class _DatabaseId(IntegerConverter):
    """<int:…> in every route is ASCII digits up to the largest id a database integer holds (consult.params.MAX_ID):
    beyond it, or in other digits ("٣", which int() reads as 3), 404, never a 500 nor a second address."""

    regex = r"[0-9]+"

    def __init__(self, url_map, *args, **kwargs):
        from consult.params import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: object | dict | None = None) -> Flask:
    """Build the Flask application. No I/O beyond reading (or once creating) the instance secret key.

    `config` is a config class or a mapping applied over consult.config.Config.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("CONSULT_INSTANCE_PATH") or None,
        template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
        static_folder=str(Path(__file__).resolve().parent.parent / "static"),
    )
    from consult.config import Config, load_secret_key

    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'consult.db'}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    app.url_map.converters["int"] = _DatabaseId
    _register_blueprints(app)

    from consult import cli, web

    web.init_app(app)
    cli.init_app(app)
    _connect_signals()
    return app


def _connect_signals() -> None:
    """Higher features hear what lower ones announce (consult/signals.py). Connecting twice is harmless."""
    from consult.agencies.services import connect_signals as agency_signals
    from consult.deliberation.receivers import connect_signals as deliberation_signals
    from consult.moderation.services import connect_signals as moderation_signals
    from consult.notifications.receivers import connect_signals as notification_signals
    from consult.rounds.receivers import connect_signals as round_signals

    agency_signals()
    round_signals()
    moderation_signals()
    deliberation_signals()
    notification_signals()
    from consult.accountability.services.commitments import connect_signals as accountability_signals

    accountability_signals()


def _init_extensions(app: Flask) -> None:
    import consult.models  # noqa: F401 - every table, for the mapper and for Alembic
    from consult import assets, i18n
    from consult.extensions import babel, compress, csrf, db, end_read_transaction, limiter, login_manager, migrate

    db.init_app(app)
    app.teardown_request(end_read_transaction)  # before Flask-SQLAlchemy's session removal (appcontext)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_template_gettext(app)
    limiter.init_app(app)
    compress.init_app(app)
    assets.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message_category = "info"
    from consult.i18n import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to continue.")

    from consult.accounts.models import User

    @login_manager.user_loader
    def load_user(session_token: str):
        import sqlalchemy as sa

        return db.session.scalar(sa.select(User).where(User.session_token == session_token))


def _register_blueprints(app: Flask) -> None:
    from consult.accountability.survey_views import bp as surveys_bp
    from consult.accounts.views import bp as accounts_bp
    from consult.admin.views import bp as admin_bp
    from consult.agencies.verification_views import admin as verification_admin_bp
    from consult.agencies.verification_views import bp as verification_bp
    from consult.api import bp as api_bp
    from consult.deliberation.revision_pages import bp as revision_admin_bp
    from consult.deliberation.views import bp as deliberation_bp
    from consult.deliberation.workspace import bp as deliberation_admin_bp
    from consult.documents.workspace import bp as documents_bp
    from consult.moderation import page_actions  # noqa: F401 - adds the round page's "hide" to the blueprint
    from consult.moderation.question_views import bp as moderation_questions_bp
    from consult.moderation.views import bp as moderation_bp
    from consult.moderation.workspace import admin as moderation_admin_bp
    from consult.monitoring.charter_pages import bp as charter_bp
    from consult.monitoring.data_views import bp as data_bp
    from consult.monitoring.feed_views import bp as feeds_bp
    from consult.monitoring.record_pages import bp as record_bp
    from consult.monitoring.report_card_page import bp as report_card_bp
    from consult.monitoring.statistics_views import bp as statistics_bp
    from consult.monitoring.summary_page import bp as summary_bp
    from consult.monitoring.witness_views import bp as witnesses_bp
    from consult.notifications.views import bp as notifications_bp
    from consult.participation import comment_views, mine, views  # noqa: F401 - each adds its routes to the blueprint
    from consult.participation.assisted_views import bp as participation_admin_bp
    from consult.participation.pages import bp as participation_bp
    from consult.rounds.views import bp as rounds_bp
    from consult.rounds.workspace import bp as rounds_admin_bp

    app.register_blueprint(rounds_bp)
    app.register_blueprint(rounds_admin_bp)
    app.register_blueprint(participation_bp)
    app.register_blueprint(participation_admin_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(moderation_admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(verification_bp)
    app.register_blueprint(verification_admin_bp)
    app.register_blueprint(deliberation_bp)
    app.register_blueprint(deliberation_admin_bp)
    app.register_blueprint(summary_bp)
    app.register_blueprint(charter_bp)
    app.register_blueprint(record_bp)
    app.register_blueprint(statistics_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(data_bp)
    app.register_blueprint(witnesses_bp)
    app.register_blueprint(moderation_questions_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(report_card_bp)
    app.register_blueprint(revision_admin_bp)
    from consult.accountability.complaint_views import bp as complaints_bp
    from consult.accountability.maklumat_views import bp as maklumat_bp
    from consult.accountability.service_views import bp as services_admin_bp
    from consult.accountability.workspace_views import bp as complaints_admin_bp

    app.register_blueprint(complaints_bp)
    app.register_blueprint(maklumat_bp)
    app.register_blueprint(services_admin_bp)
    app.register_blueprint(complaints_admin_bp)
