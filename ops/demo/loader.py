"""Demo data: accounts for every role, a campaign open now, and ideas in every status.

The ideas (``data/ideas_*.json``) were written for this campaign: sixteen for
each bottleneck (good, weak and a near-duplicate), some for 其他 and some
off-topic. They go through the real services, so the demo shows what real use
produces."""
import json
import random
from datetime import timedelta
from pathlib import Path

from app.audit.services import log_action
from app.auth.models import Role, User
from app.auth.services import hash_password
from app.campaigns.queries import campaign_by_year
from app.campaigns.services import create_campaign
from app.extensions import db
from app.identity.models import VerifiedPhone
from app.timeutil import now
from ideas import services as idea_services
from ideas.queries import idea_by_token

DATA_DIR = Path(__file__).with_name("data")

DEMO_ACCOUNTS = [
    ("admin@xiance.example", Role.admin, "系统管理员", None, None),
    ("staff@xiance.example", Role.staff, "李晓梅", None, "省委社会工作部"),
    ("reviewer1@xiance.example", Role.reviewer, "周教授", "长沙市", "湖南某大学经济学院"),
    ("reviewer2@xiance.example", Role.reviewer, "陈研究员", "省直单位", "省社会科学院"),
    ("reviewer3@xiance.example", Role.reviewer, "刘高工", "株洲市", "株洲某轨道交通装备企业"),
    ("reviewer4@xiance.example", Role.reviewer, "谭主任", "岳阳市", "岳阳市发展和改革委员会"),
    ("reviewer5@xiance.example", Role.reviewer, "何律师", "衡阳市", "衡阳某律师事务所"),
    ("reviewer6@xiance.example", Role.reviewer, "龙处长", "湘西土家族苗族自治州", "州人力资源和社会保障局"),
    ("13800000001", Role.citizen, None, None, None),
]
DEMO_CITIZEN_LOGIN = "13800000001"

REJECT_OFFTOPIC = "与本次“献策湖南”征集的主题无关，个人诉求请通过 12345 政务服务便民热线反映。"
REJECT_WEAK = "建议较为笼统，缺少具体可操作的措施，本次未予采纳，欢迎补充完善后再次提交。"


def _account(login, role, name, region, unit, password_hash):
    user = User(role=role, real_name=name, region=region, work_unit=unit, password_hash=password_hash)
    if "@" in login:
        user.email = login
    else:
        user.mobile = login
    db.session.add(user)
    return user


def load_demo(password, today=None):
    """Create the demo data unless this year's campaign exists; True if created."""
    today = today or now()
    if campaign_by_year(today.year) is not None:
        return False
    people = json.loads((DATA_DIR / "citizens.json").read_text(encoding="utf-8"))
    ideas = [spec for path in sorted(DATA_DIR.glob("ideas_*.json"))
             for spec in json.loads(path.read_text(encoding="utf-8"))]
    # One hash for every demo account: hashing is slow on purpose.
    password_hash = hash_password(password)
    accounts = {login: _account(login, role, name, region, unit, password_hash)
                for login, role, name, region, unit in DEMO_ACCOUNTS}
    staff = accounts["staff@xiance.example"]
    citizens = [accounts[DEMO_CITIZEN_LOGIN]]
    accounts[DEMO_CITIZEN_LOGIN].real_name = people[0]["name"]
    for number, person in enumerate(people[1:], start=1):
        citizens.append(_account(f"1390000{number:04d}", Role.citizen, person["name"], None,
                                 person.get("unit"), password_hash))
    db.session.flush()
    # As if each had registered with an SMS code: demo citizens may vote.
    month_ago = today - timedelta(days=30)
    db.session.add_all(VerifiedPhone(user_id=citizen.id, phone=citizen.mobile, verified_at=month_ago)
                       for citizen in citizens)

    opens = (today - timedelta(days=20)).replace(hour=9, minute=0, second=0)
    campaign = create_campaign(
        None, today.year, f"献策湖南 · 金点子征集（{today.year}）", opens, opens + timedelta(days=60),
        description=("围绕全省解放思想大讨论活动，面向社会公开征集破解高质量发展瓶颈制约的金点子，"
                     "经筛选、专家评审、公众投票和公示，评出“献策湖南”十大金点子。"),
        make_current=True,
    )
    rng = random.Random(2024)
    for number, spec in enumerate(ideas):
        _load_idea(spec, number, campaign, citizens, staff, opens, today, rng)
    log_action(None, "demo.load", campaign, ideas=len(ideas))
    return True


def _load_idea(spec, number, campaign, citizens, staff, opens, today, rng):
    # The demo citizen writes every ninth idea, the others share the rest.
    author = citizens[0] if number % 9 == 0 else citizens[rng.randrange(1, len(citizens))]
    fields = {name: spec[name] for name in ("title", "problem", "suggestion", "benefit", "region")}
    fields["show_name"] = rng.random() < 0.7
    # Two in three agree to a public page (by number: the random draws stay as they were).
    fields["public_consent"] = number % 3 != 0
    fields["contact_phone"] = f"1370000{number:04d}"
    # A few of the demo citizen's ideas stay drafts, so 我的金点子 shows one.
    draft = author is citizens[0] and spec["kind"] == "weak"
    idea, _ = idea_services.save_idea(author, campaign, f"demo-{spec['key']}", fields,
                                      spec["theme"], submit=not draft)
    if draft:
        return
    submitted_at = opens + timedelta(minutes=rng.randrange(int((today - opens).total_seconds() // 60)))
    original = idea_by_token(f"demo-{spec['duplicate_of']}") if spec["kind"] == "duplicate" else None
    if original is not None and original.submitted_at:
        # A copy comes after what it repeats, as its tracking number says (merges keep the earlier one).
        submitted_at = min(today, max(submitted_at, original.submitted_at + timedelta(hours=3)))
    idea.created_at = idea.submitted_at = submitted_at
    for event in idea.events:
        event.created_at = submitted_at
    outcome = rng.random()
    screened_at = min(today, submitted_at + timedelta(days=rng.randint(1, 4)))
    if spec["kind"] == "offtopic" and outcome < 0.75:
        idea_services.reject_idea(idea, staff, REJECT_OFFTOPIC)
    elif spec["kind"] == "duplicate" and outcome < 0.6:
        if original.status.value in ("submitted", "accepted"):
            idea_services.merge_duplicate(idea, original.tracking_code, staff, "内容与已有建议基本一致。")
    elif spec["kind"] == "good" and outcome < 0.7:
        idea_services.accept_idea(idea, staff)
    elif spec["kind"] == "weak" and outcome < 0.4:
        idea_services.accept_idea(idea, staff)
    elif spec["kind"] == "weak" and outcome < 0.6:
        idea_services.reject_idea(idea, staff, REJECT_WEAK)
    for event in idea.events[1:]:
        event.created_at = screened_at
