"""Deleting one's account: ideas stay under 已注销用户, nothing personal is left
in any table, and published results (winners, 公示, certificates, digests) still verify."""
import hashlib

from sqlalchemy import select

from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role, User
from app.extensions import db
from app.identity.services import start_enrolment
from app.notifications.services import set_preference
from app.privacy.services import erase_account
from app.timeutil import now
from ideas.models import Idea
from tests.app.identity.conftest import signed_in_as
from tests.app.privacy.conftest import assert_nothing_personal_left, personal_values
from tests.factories import PASSWORD
from voting.ballots.models import PublicVote
from voting.ballots.services import cast_vote
from voting.certificates.models import Certificate
from voting.judging.digest import verify_digest
from voting.judging.models import Round
from voting.notice.models import Announcement
from voting.notice.queries import final_list_text

DISTINCT_AGENT = "Mozilla/5.0 (Linux; Android 14; 独特的测试机型)"


def _rich_citizen(client, auth, make, people):
    """``citizen`` with a session, sent codes, a notification setting and a vote of their own."""
    citizen = people["citizen"]
    assert auth.login(citizen).status_code == 302
    make.sms_code(citizen.mobile, "login")
    set_preference(citizen, email=False, sms=True)
    round_ = db.session.execute(select(Round).where(Round.vote_opens_at.is_not(None))).scalars().first()
    cast_vote(round_, round_.entries[1].idea, citizen, "10.9.8.7", DISTINCT_AGENT)
    db.session.commit()
    return citizen


def _results_still_verify():
    for announcement in db.session.execute(select(Announcement)).scalars():
        if announcement.digest:
            assert hashlib.sha256(final_list_text(announcement).encode()).hexdigest() == announcement.digest
    for certificate in db.session.execute(select(Certificate)).scalars():
        assert hashlib.sha256(certificate.content.encode()).hexdigest() == certificate.digest
    for round_ in db.session.execute(select(Round).where(Round.digest.is_not(None))).scalars():
        assert verify_digest(round_.frozen_table, round_.digest)
    assert first_broken_link() is None


def test_a_citizen_deletes_their_account_and_nothing_personal_is_left(app, client, auth, make, world):
    people, values = world
    citizen = _rich_citizen(client, auth, make, people)
    personal = personal_values(citizen, "10.9.8.7", DISTINCT_AGENT)
    idea_ids = db.session.execute(select(Idea.id).where(Idea.author_id == citizen.id)).scalars().all()
    year = values["year"]["notice.winners"]
    winners_before = client.get(f"/api/v1/winners?year={year}").get_json()

    page = client.get("/me/delete")
    assert page.status_code == 200 and "已注销用户" in page.get_data(as_text=True)
    response = client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and signed_in_as(client) is None

    db.session.expire_all()
    assert_nothing_personal_left(citizen.id, personal)
    # Submitted ideas stay, the draft is gone, the author reads 已注销用户.
    kept = db.session.execute(select(Idea).where(Idea.author_id == citizen.id)).scalars().all()
    assert kept and len(kept) == len(idea_ids) - 1 and all(i.contact_phone is None for i in kept)
    assert {i.public_author_name() for i in kept} == {"已注销用户"}
    assert kept[0].author.display_name == "已注销用户"
    vote = db.session.execute(select(PublicVote).where(PublicVote.user_id == citizen.id)).scalar_one()
    assert (vote.ip, vote.network, vote.user_agent) == ("", "", "") and vote.withdrawn_at is None
    # The log says which account and how, nothing of what was erased.
    entry = db.session.execute(select(ActionLog).where(ActionLog.action == "user.delete")).scalar_one()
    assert (entry.target_type, entry.target_id, entry.details) == ("User", citizen.id, {"method": "password"})
    _results_still_verify()
    # The published pages are as they were; the certificate still verifies on its page.
    assert client.get(f"/api/v1/winners?year={year}").get_json() == winners_before
    verify = client.get(f"/certificates/{values['serial']}")
    assert verify.status_code == 200 and "张三" in verify.get_data(as_text=True)
    # Nobody signs in as the deleted account any more.
    assert auth.login("13900000001", PASSWORD).status_code == 200 and signed_in_as(client) is None


def test_a_voter_and_objector_leaves_nothing_personal(app, world):
    people, _ = world
    other = people["other_citizen"]
    personal = personal_values(other, "10.1.2.3")
    assert erase_account(None, other, "admin", now()) is True
    # Twice is once.
    assert erase_account(None, other, "admin", now()) is False
    db.session.commit()
    db.session.expire_all()
    assert_nothing_personal_left(other.id, personal)
    _results_still_verify()


def test_two_factor_secrets_and_recovery_codes_go_too(app, make):
    import pyotp

    from app.identity.services import confirm_enrolment

    reviewer = make.user(Role.reviewer, login="r9@example.com", real_name="评审九号")
    record = start_enrolment(reviewer)
    confirm_enrolment(reviewer, pyotp.TOTP(record.secret).now())
    db.session.commit()
    personal = personal_values(reviewer, record.secret)
    erase_account(None, reviewer, "admin", now())
    db.session.commit()
    db.session.expire_all()
    assert_nothing_personal_left(reviewer.id, personal)


def test_the_delete_page_refuses_at_the_fields(app, client, auth, make):
    user = make.user()
    auth.login(user)
    missing = client.post("/me/delete", data={"password": ""}).get_data(as_text=True)
    assert "请输入当前密码" in missing and "请勾选确认" in missing
    wrong = client.post("/me/delete",
                        data={"password": "not-it-at-all", "confirm": "y"}).get_data(as_text=True)
    assert "密码不正确" in wrong
    assert db.session.get(User, user.id).deleted_at is None


def test_the_holder_of_the_phone_deletes_by_sms_code(app, client, auth, make, outbox):
    user = make.user()
    auth.login(user)
    client.post("/identity/code", json={"phone": user.mobile, "purpose": "verify"})
    bad = client.post("/me/delete", data={"code": "000000", "confirm": "y"}).get_data(as_text=True)
    assert "验证码错误" in bad
    done = client.post("/me/delete", data={"code": outbox.last(user.mobile), "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).deleted_at is not None
    entry = db.session.execute(select(ActionLog).where(ActionLog.action == "user.delete")).scalar_one()
    assert entry.details == {"method": "sms"}


def test_an_admin_cannot_delete_their_own_account(app, client, auth, make):
    admin = make.user(Role.admin, login="admin@example.com")
    auth.login(admin)
    page = client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"}).get_data(as_text=True)
    assert "管理员账号不能自行注销" in page
    assert db.session.get(User, admin.id).deleted_at is None


def test_the_admin_pages_name_a_deleted_account_and_cannot_revive_it(app, client, auth, make):
    admin, citizen = make.user(Role.admin, login="admin@example.com"), make.user()
    erase_account(None, citizen, "admin", now())
    db.session.commit()
    auth.login(admin)
    assert f"已注销用户（编号 {citizen.id}）" in client.get("/admin/users").get_data(as_text=True)
    refused = client.post(f"/admin/users/{citizen.id}/active", follow_redirects=True).get_data(as_text=True)
    assert "该账号已注销，不能再启用" in refused
    db.session.expire_all()
    assert db.session.get(User, citizen.id).is_active is False
