"""Parallel requests on PostgreSQL: the per-phone lock keeps the cooldown and
the one-live-code rule, and the row lock counts every wrong guess."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.identity.models import CodeState, SmsCode
from tests.concurrency import in_parallel

PHONE = "13912345678"


@pytest.mark.postgres_only
def test_parallel_sends_to_one_phone_send_one_code(app, outbox):
    answers = in_parallel(app, lambda c: c.post("/identity/code", json={"phone": PHONE, "purpose": "login"}))
    assert sorted(answer.json["ok"] for answer in answers) == [False, False, False, True]
    assert db.session.execute(select(func.count()).select_from(SmsCode)).scalar_one() == 1


@pytest.mark.postgres_only
def test_parallel_wrong_guesses_are_all_counted(app, client, outbox):
    client.post("/identity/code", json={"phone": PHONE, "purpose": "login"})
    wrong = f"{(int(outbox.last()) + 1) % 10 ** 6:06d}"
    in_parallel(app, lambda c: c.post("/identity/sms-login", data={"phone": PHONE, "code": wrong}))
    row = db.session.execute(select(SmsCode)).scalar_one()
    assert (row.tries, row.state) == (4, CodeState.live)
