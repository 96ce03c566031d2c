"""The public vote's share of an account's personal data (app.privacy.parts)."""
from sqlalchemy import or_, select, update

from app.extensions import db
from app.privacy.parts import PersonalPart
from app.privacy.queries import when
from voting.ballots.models import PublicVote
from voting.judging.models import Round

_ERASED = {"ip": "", "network": "", "user_agent": ""}


class BallotsPart(PersonalPart):
    def export(self, user):
        votes = db.session.execute(select(PublicVote).where(PublicVote.user_id == user.id)
                                   .order_by(PublicVote.id)).scalars()
        return {"我的投票": [{"轮次": v.round.name, "活动": v.round.campaign.title, "建议": v.idea.title,
                          "投票时间": when(v.created_at), "撤回时间": when(v.withdrawn_at),
                          "网络地址": v.ip, "浏览器标识": v.user_agent} for v in votes]}

    def erase(self, user):
        # The votes themselves stay: published results count them.
        db.session.execute(update(PublicVote).where(PublicVote.user_id == user.id).values(**_ERASED)
                           .execution_options(synchronize_session="fetch"))

    def expire(self, campaign_ids):
        rounds = select(Round.id).where(Round.campaign_id.in_(campaign_ids))
        count = db.session.execute(update(PublicVote).where(
            PublicVote.round_id.in_(rounds),
            or_(PublicVote.ip != "", PublicVote.network != "", PublicVote.user_agent != ""))
            .values(**_ERASED).execution_options(synchronize_session="fetch")).rowcount
        return {"投票的网络地址和浏览器标识": count}


PART = BallotsPart()
