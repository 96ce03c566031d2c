"""Configuration classes, chosen by name in ``create_app`` or by ``FLASK_CONFIG``.

Everything that differs between machines comes from the environment, so one
code base serves a laptop, CI and the production servers.
"""
import os
from datetime import timedelta

# Once the development default, published with the code: sessions signed with it
# can be forged by anyone, so it is refused where a key must be given.
PUBLIC_SECRET_KEYS = ("dev-only-not-secret",)


def database_url():
    url = os.environ.get("DATABASE_URL")
    # Hosting panels hand out plain postgresql:// URLs; we run on psycopg 3.
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    # None: the site makes its own on first run, in the instance folder (app/security.py).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: a SQLite file in the instance folder (set in create_app,
    # because only the app knows where its instance folder is).
    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # Proxies in front of the site (make serve and production: 1). Their
    # X-Forwarded-For entries are trusted, no more: the address limits and the
    # vote screen see the client, and a client cannot forge its address.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins: per account and per network address (see app/auth/views.py).
    LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    # Failed password changes, per account: guesses at the current password.
    PASSWORD_CHANGE_LIMIT = "5 per 10 minutes"
    # Registrations, per address (generous: a campus or a mobile carrier shares
    # one) and per device (the register page's cookie).
    REGISTER_LIMIT_PER_ADDRESS = "30 per hour"
    REGISTER_LIMIT_PER_DEVICE = "3 per day"
    # Casting and withdrawing public votes, together: per account, and per
    # address (generous, since a campus or office shares one address).
    VOTE_LIMIT_PER_USER = "30 per 10 minutes"
    VOTE_LIMIT_PER_ADDRESS = "300 per 10 minutes"
    # Ideas saved (submitted or drafts), and similar-ideas look-ups (the hint asks
    # at most every 0.6 s while someone types): per account and per address; a deployment
    # may set its own (``make load --capacity`` lifts them to measure the pages, not the limits).
    IDEA_LIMIT_PER_USER = os.environ.get("IDEA_LIMIT_PER_USER", "10 per 10 minutes")
    IDEA_LIMIT_PER_ADDRESS = os.environ.get("IDEA_LIMIT_PER_ADDRESS", "60 per 10 minutes")
    SIMILAR_LIMIT_PER_USER = os.environ.get("SIMILAR_LIMIT_PER_USER", "30 per minute")
    SIMILAR_LIMIT_PER_ADDRESS = os.environ.get("SIMILAR_LIMIT_PER_ADDRESS", "120 per minute")
    # Autosaves of the proposal form: every 5 s at most while someone types, plus one on leaving.
    AUTOSAVE_LIMIT_PER_USER = "30 per minute"
    AUTOSAVE_LIMIT_PER_ADDRESS = "300 per minute"
    # Citizens write long proposals on phones; an hour-long CSRF token would
    # throw their text away, so the token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    # Use WTForms' bundled Chinese messages rather than Flask-Babel.
    WTF_I18N_ENABLED = False
    MAX_CONTENT_LENGTH = 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # "Stay signed in" lasts a month, not Flask-Login's year (ASVS V3.3.2).
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Every session, remembered or not, ends after this long without a request
    # and this long after sign-in (等保 2.0: 登录连接超时自动退出).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_LIFETIME_HOURS = int(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
    # Wrong passwords for one account: the first LOGIN_FREE_FAILURES cost nothing, then each
    # further one doubles the wait before the next try (2 s, 4 s, …), at most LOGIN_DELAY_MAX_SECONDS.
    LOGIN_FREE_FAILURES = 3
    LOGIN_DELAY_MAX_SECONDS = 900
    # Personal data retention (app/privacy, the privacy policy states these periods).
    # Accounts without a sign-in for this many days are deleted (flask users purge-inactive),
    # after notices this many days before; only the roles listed are deleted automatically.
    INACTIVE_ACCOUNT_DAYS = int(os.environ.get("INACTIVE_ACCOUNT_DAYS", "365"))
    INACTIVE_NOTICE_DAYS = (30, 7)
    INACTIVE_PURGE_ROLES = ("citizen",)
    # Months after a campaign's results are announced that its personal data not needed by
    # the published results is erased (flask users expire-campaign-data).
    CAMPAIGN_DATA_MONTHS = int(os.environ.get("CAMPAIGN_DATA_MONTHS", "6"))
    # Ended or expired session records (device, address) are deleted after this many days.
    SESSION_RECORD_DAYS = 180
    # The action log is kept at least this long (网络安全法 第二十一条: six months); pruning
    # younger entries is refused whatever AUDIT_RETENTION_DAYS says.
    AUDIT_RETENTION_FLOOR_DAYS = 180
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
    SCREENING_PAGE_SIZE = 30
    # Anonymous public pages (app/pagecache.py): kept this long at most, and dropped
    # at once when what they show is committed; the navigation's vote state, shorter.
    PUBLIC_PAGE_SECONDS = 30
    NAV_STATE_SECONDS = 10
    # Each worker's own copy of those pages for visitors without cookies (0: none); other
    # workers' changes show within this, as behind the proxy's micro-cache.
    FRONT_CACHE_SECONDS = 1
    # An open round's page shows the provisional ranking of the reviews it last read while
    # a thread reads the new ones (about 11 s for 5,000 ideas), rather than making staff wait.
    PROVISIONAL_IN_BACKGROUND = True
    # Fitted NLP indexes: a directory every web node reads (a shared mount when
    # there are several); None means the instance folder's nlp/.
    NLP_ARTIFACT_DIR = os.environ.get("NLP_ARTIFACT_DIR")
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo2024xc")
    # Text mining: staff-confirmed ideas per theme before the supervised model
    # takes over; below THRESHOLD an idea goes to 待人工确认.
    NLP_MIN_LABELS_PER_THEME = 30
    NLP_THEME_THRESHOLD = 0.4
    # The 待人工确认 thresholds the dashboard compares (nlp.calibration.staff_load).
    NLP_DIAL_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
    NLP_SIMILAR_MIN_SCORE = 0.3
    NLP_DUPLICATE_MIN_SCORE = 0.6
    # Cosine at which a message joins the group of an earlier one (re-posts, edits, rewordings).
    NLP_GROUP_MIN_SCORE = 0.5
    # The off-topic queue marks 可能是建议 where the gate's on-topic probability is at least this
    # (chosen on a campaign grown from the dev set: bench/triage_campaign.py --proposals …dev.jsonl).
    NLP_OFF_TOPIC_DOUBT = 0.1
    NLP_PRELOAD = False
    # "background": RQ when REDIS_URL is set, else a thread. "inline" runs the
    # job inside the request: for tests, where a thread would outlive its test.
    NLP_JOB_RUNNER = "background"
    # 公示: ranked alternates kept behind the top ten, and the default notice period.
    NOTICE_ALTERNATES = 5
    NOTICE_DAYS = 7
    # Objections one account may file during one 公示 (and one per idea).
    NOTICE_OBJECTIONS_PER_ACCOUNT = 3
    # Outgoing mail (winners are told by e-mail too); no MAIL_SERVER, no mail.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "false").lower() == "true"
    MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@xiance.example")


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or database_url()
    # Most tests post forms directly; the CSRF and throttling tests switch these back on.
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    NLP_JOB_RUNNER = "inline"
    # Pages are rendered fresh, as most tests expect; the cache's own tests switch it on.
    CACHE_TYPE = "NullCache"
    FRONT_CACHE_SECONDS = 0
    PROVISIONAL_IN_BACKGROUND = False
    # Tests that send mail start their own SMTP server and name it.
    MAIL_SERVER = None
    # Cheap hashing keeps the suite fast; production keeps werkzeug's default.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    # Behind the province's HTTPS proxy cookies travel only over TLS; a loopback
    # run (the load bench) has no TLS and sets COOKIE_SECURE=false.
    SESSION_COOKIE_SECURE = os.environ.get("COOKIE_SECURE", "true").lower() != "false"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # 等保 2.0 level 3: two factors for the people who run the site.
    TWO_FACTOR_REQUIRED = os.environ.get("TWO_FACTOR_REQUIRED", "true").lower() != "false"
    # Codes that only reach the log would leave citizens unable to register: the
    # site refuses to start on the console provider (app/identity/settings.py),
    # unless a private run on this machine (make serve, make load) allows it.
    SMS_CONSOLE_ALLOWED = os.environ.get("SMS_CONSOLE_ALLOWED", "false").lower() == "true"

    @staticmethod
    def check(app):
        if not app.config["SECRET_KEY"] or app.config["SECRET_KEY"] in PUBLIC_SECRET_KEYS:
            raise RuntimeError("生产环境必须通过环境变量 SECRET_KEY 设置密钥")
        if app.debug:
            raise RuntimeError("生产环境不能开启调试模式")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
