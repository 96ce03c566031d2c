"""Every route of the app (from ``app.url_map``) against every kind of visitor,
for GET and POST. A new route without an entry here fails the test, so access
is decided on purpose, never by accident."""
import pytest

from app import create_app
from tests.app.conftest import VISITORS, url_for_rule
OK, LOGIN, FORBIDDEN, HIDDEN = "ok", "login", 403, 404

# Who gets what, by endpoint. "ok": served (2xx or a redirect of the app's own
# flow, e.g. after a form); "login": sent to the login page; 403; 404 (hides
# that someone else's object exists).
PUBLIC = dict.fromkeys(VISITORS, OK)
SIGNED_IN = {**dict.fromkeys(VISITORS, OK), "anonymous": LOGIN}
CITIZENS = {**dict.fromkeys(VISITORS, FORBIDDEN), "anonymous": LOGIN, "citizen": OK, "other_citizen": OK}
OWN_DRAFT = {**CITIZENS, "other_citizen": HIDDEN}
OWN_IDEA = {**dict.fromkeys(VISITORS, HIDDEN), "anonymous": LOGIN, "citizen": OK, "staff": OK, "admin": OK}
REVIEWERS = {**dict.fromkeys(VISITORS, FORBIDDEN), "anonymous": LOGIN, "reviewer": OK, "other_reviewer": OK}
OWN_ASSIGNMENT = {**REVIEWERS, "other_reviewer": HIDDEN}
STAFF = {**dict.fromkeys(VISITORS, FORBIDDEN), "anonymous": LOGIN, "staff": OK, "admin": OK}
ADMIN = {**dict.fromkeys(VISITORS, FORBIDDEN), "anonymous": LOGIN, "admin": OK}
# The similar-ideas look-up is for people writing ideas and for staff, never for reviewers.
WRITERS = {**SIGNED_IN, "reviewer": FORBIDDEN, "other_reviewer": FORBIDDEN}
GUESTS = {**dict.fromkeys(VISITORS, OK)}  # login and register bounce signed-in users home
# The certificate is for the winner alone (``citizen`` wrote a winner); a notification for its owner.
WINNER = {**dict.fromkeys(VISITORS, FORBIDDEN), "anonymous": LOGIN, "citizen": OK}
OWN_NOTIFICATION = {**dict.fromkeys(VISITORS, HIDDEN), "anonymous": LOGIN, "citizen": OK}
TWO_FACTOR = {**dict.fromkeys(VISITORS, OK), "anonymous": LOGIN, "citizen": FORBIDDEN,
              "other_citizen": FORBIDDEN}

EXPECTED = {
    "base.home": PUBLIC, "base.healthz": PUBLIC, "base.display_mode": PUBLIC, "static": PUBLIC,
    "auth.login": GUESTS, "auth.register": GUESTS, "auth.logout": PUBLIC, "auth.change_password": SIGNED_IN,
    "auth.privacy_policy": PUBLIC, "auth.active_sessions": SIGNED_IN, "auth.end_one_session": SIGNED_IN,
    "auth.end_other_sessions": SIGNED_IN,
    "ideas.track": PUBLIC, "ideas.track_lookup": PUBLIC,
    "ideas.new": CITIZENS, "ideas.mine": CITIZENS, "ideas.edit": OWN_DRAFT, "ideas.detail": OWN_IDEA,
    "ideas.screening": STAFF, "ideas.export": STAFF, "ideas.accept": STAFF, "ideas.reject": STAFF,
    "ideas.merge": STAFF, "ideas.bulk": STAFF, "ideas.reply": STAFF, "ideas.delete_draft": OWN_DRAFT,
    "ideas.withdraw": OWN_DRAFT, "ideas.correct": OWN_DRAFT,
    "ideas.public_list": PUBLIC, "ideas.public_idea": PUBLIC, "ideas.support": CITIZENS,
    "ideas.withdraw_support": CITIZENS, "ideas.supplement": CITIZENS, "ideas.hide_supplement": STAFF,
    "ideas.autosave": CITIZENS, "ideas.public_consent": OWN_DRAFT,
    "analysis.similar": WRITERS, "analysis.dashboard": STAFF, "analysis.cluster": STAFF,
    "analysis.rebuild": STAFF, "analysis.update": STAFF, "analysis.job_status": STAFF,
    "analysis.confirm_theme": STAFF, "analysis.off_topic": STAFF, "analysis.hot": STAFF,
    "groups.index": STAFF, "groups.detail": STAFF,
    "groups.split": STAFF,
    "admin.index": ADMIN, "admin.users": ADMIN, "admin.user": ADMIN, "admin.reset_password": ADMIN,
    "admin.toggle_active": ADMIN, "admin.campaigns": ADMIN,
    "admin.campaign": ADMIN, "admin.make_current": ADMIN, "admin.theme": ADMIN, "admin.log": ADMIN,
    "voting.rounds": STAFF, "voting.round_detail": STAFF, "voting.criterion": STAFF,
    "voting.delete_criterion": STAFF, "voting.round_action": STAFF, "voting.close": STAFF,
    "voting.finalize": STAFF, "voting.extra_reviews": STAFF, "voting.ask_reviewer": STAFF,
    "voting.reopen": ADMIN, "voting.add_assignment": STAFF, "voting.remove_assignment": STAFF,
    # Public once a round closes; in this world the round is open, so 404 for everybody alike.
    "voting.frozen_table": dict.fromkeys(VISITORS, HIDDEN), "voting.my_reviews": REVIEWERS,
    "voting.review": OWN_ASSIGNMENT,
    "voting.recuse": OWN_ASSIGNMENT,
    "reports.index": STAFF, "reports.xlsx": STAFF, "reports.pdf": STAFF,
    "reports.proposals": STAFF, "reports.proposals_xlsx": STAFF, "reports.proposals_pdf": STAFF,
    "notice.gongshi": PUBLIC, "notice.objection": SIGNED_IN, "notice.manage_index": STAFF,
    "notice.manage": STAFF,
    "notice.prepare": STAFF, "notice.preview": STAFF, "notice.publish": STAFF, "notice.rule": STAFF,
    "notice.spam": STAFF,
    "notice.finalize": STAFF, "notice.winners": PUBLIC, "notice.winners_text": PUBLIC,
    "notice.winner": PUBLIC,
    "certificates.pdf": WINNER, "api.winners": PUBLIC, "api.stats": PUBLIC,
    "certificates.name": WINNER, "certificates.verify": PUBLIC,
    "notifications.index": SIGNED_IN, "notifications.read": OWN_NOTIFICATION,
    "notifications.read_all": SIGNED_IN,
    "notifications.settings": SIGNED_IN,
    # The world's first round has an open public vote.
    "ballots.index": PUBLIC, "ballots.ballot": PUBLIC, "ballots.idea": PUBLIC, "ballots.cast": CITIZENS,
    "ballots.withdraw": CITIZENS, "ballots.setup": STAFF, "ballots.settings": STAFF, "ballots.publish": STAFF,
    "ballots.screen": STAFF, "ballots.void": STAFF, "ballots.restore": STAFF,
    # /identity/2fa without a sign-in halfway through sends visitors to the login page.
    "identity.code": PUBLIC, "identity.reset": PUBLIC, "identity.sms_login": GUESTS,
    "identity.verify_phone": SIGNED_IN,
    "identity.second_factor": SIGNED_IN, "identity.setup": TWO_FACTOR, "identity.setup_start": TWO_FACTOR,
    "identity.recovery_codes": TWO_FACTOR, "identity.admin_user": ADMIN,
    # 我的数据 is always the signed-in account's own; nobody else's can be named.
    "privacy.my_data": SIGNED_IN, "privacy.my_data_json": SIGNED_IN, "privacy.delete_account": SIGNED_IN,
}


def test_every_route_has_an_entry():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED)


def _check(response, expected, where):
    code = response.status_code
    assert code != 500, where
    if expected == OK:
        assert code in (200, 302, 400) and code not in (403, 404), where
        if code == 302:
            assert "/auth/login" not in response.headers["Location"], where
    elif expected == LOGIN:
        assert code == 302 and "/auth/login" in response.headers["Location"], where
    else:
        assert code == expected, where


# Blind review (ASVS V8.3): while the world's first round is judged, with its public vote
# open, no page these visitors reach shows the region, author or tracking code of an idea
# under review. The open-data statistics count ideas by region over the whole campaign,
# tied to no idea.
BLIND = ("anonymous", "other_citizen", "reviewer", "other_reviewer")
AGGREGATES = ("api.stats",)


def _check_blind(response, secrets, where):
    if response.status_code == 200:
        body = response.get_data(as_text=True)
        assert [secret for secret in secrets if secret in body] == [], where


@pytest.mark.parametrize("visitor", VISITORS)
def test_access_matrix(app, client, auth, world, visitor):
    people, values = world
    blind = visitor in BLIND
    if visitor != "anonymous":
        auth.login(people[visitor])
    # Logging out last keeps the visitor signed in for every other route.
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "auth.logout")
    for rule in rules:
        expected = EXPECTED[rule.endpoint][visitor]
        url = url_for_rule(rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={})
            _check(response, expected, f"{visitor} {method} {url}")
            if blind and rule.endpoint not in AGGREGATES:
                _check_blind(response, values["under_review"], f"{visitor} {method} {url}")
            response.close()
