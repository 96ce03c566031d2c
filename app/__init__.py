"""The application factory: wiring only."""
import os

from flask import Flask

from config import CONFIGS


def create_app(config_name=None, test_config=None):
    # INSTANCE_PATH (absolute) keeps a second site on this machine, such as the
    # load bench's, off this checkout's SQLite file, jieba cache and NLP indexes.
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH"), instance_relative_config=True)
    config_name = config_name or os.environ.get("FLASK_CONFIG", "development")
    config_class = CONFIGS[config_name]
    app.config.from_object(config_class)
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///" + os.path.join(app.instance_path, "xiance.sqlite")
        )
    if hasattr(config_class, "check"):
        config_class.check(app)

    from app import models  # noqa: F401  (registers every table on the metadata)
    from app import sqlite_pragmas
    from app.extensions import csrf, db, limiter, login_manager, migrate, nlp

    db.init_app(app)
    sqlite_pragmas.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     include_object=models.include_object)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    nlp.init_app(app)

    from app import pagecache, resilience, security
    from app.campaigns.models import Campaign, Theme
    from voting.judging.models import Round
    from ideas.models import Idea, IdeaStatus
    from ideas.public_models import IdeaSupplement, IdeaSupport
    from voting.notice.models import Announcement, NoticeEntry, Objection
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.base import templating
    from app.base.views import bp as base_bp
    from app.identity.views import bp as identity_bp
    from app.notifications.views import bp as notifications_bp
    from app.privacy import parts as privacy_parts
    from app.privacy.views import bp as privacy_bp
    from ideas import privacy as ideas_privacy
    from voting.ballots import privacy as ballots_privacy
    from voting.judging import privacy as judging_privacy
    from voting.certificates import privacy as certificates_privacy
    from voting.notice import privacy as notice_privacy
    from voting.reports.views import bp as reports_bp
    from ideas.analysis_views import bp as analysis_bp
    from ideas.group_views import bp as groups_bp
    from ideas.views import bp as ideas_bp
    from voting.ballots import round_part
    from voting.ballots.views import bp as ballots_bp
    from voting.certificates.views import bp as certificates_bp
    from voting.reports.api import bp as api_bp
    from voting.notice.views import bp as notice_bp
    from voting.judging.views import bp as voting_bp

    templating.init_app(app)
    security.init_app(app)
    # What the cached public pages show: a commit touching one of these renders them afresh.
    # Ideas show on their public pages once submitted; drafts (autosaved) never do.
    pagecache.init_app(app, watched=(Campaign, Theme, Round, Announcement, NoticeEntry, Objection,
                                     (Idea, lambda idea: idea.status is not IdeaStatus.draft),
                                     IdeaSupport, IdeaSupplement))
    resilience.init_app(app)
    round_part.init_app(app)
    # Each stage's share of an account's personal data, for 我的数据 and deletion.
    for part in (ideas_privacy, judging_privacy, ballots_privacy, notice_privacy, certificates_privacy):
        privacy_parts.register(app, part.PART)
    app.register_blueprint(base_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(ideas_bp, url_prefix="/ideas")
    app.register_blueprint(analysis_bp, url_prefix="/analysis")
    app.register_blueprint(groups_bp, url_prefix="/groups")
    app.register_blueprint(voting_bp, url_prefix="/voting")
    app.register_blueprint(ballots_bp, url_prefix="/vote")
    # /gongshi, /winners, /certificates and /api/v1/… are public addresses, kept short.
    app.register_blueprint(notice_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(certificates_bp)
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(identity_bp, url_prefix="/identity")  # also `flask identity …`
    app.register_blueprint(privacy_bp, url_prefix="/me")

    from app.auth.cli import users_cli
    from app.privacy import cli as privacy_cli  # noqa: F401  (adds its commands to `flask users`)
    from ops.backup.cli import backup_cli
    from app.campaigns.cli import campaign_cli
    from ops.demo.cli import demo_cli
    from ideas.cli import ideas_cli, nlp_cli
    from voting.judging.cli import voting_cli

    for group in (users_cli, backup_cli, campaign_cli, demo_cli, ideas_cli, nlp_cli, voting_cli):
        app.cli.add_command(group)
    return app
