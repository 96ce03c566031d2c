from flask import abort
from sqlalchemy import select

from app.campaigns.models import Campaign, Theme
from app.extensions import db


def current_campaign():
    return db.session.execute(select(Campaign).where(Campaign.is_current)).scalar_one_or_none()


def campaign_by_year(year):
    return db.session.execute(select(Campaign).where(Campaign.year == year)).scalar_one_or_none()


def all_campaigns():
    return db.session.execute(select(Campaign).order_by(Campaign.year.desc())).scalars().all()


def theme_choices(campaign):
    return [(t.code, t.name) for t in campaign.themes]


def theme_by_code(campaign, code):
    return db.session.execute(
        select(Theme).where(Theme.campaign_id == campaign.id, Theme.code == code)
    ).scalar_one_or_none()


def current_campaign_or_404():
    campaign = current_campaign()
    if campaign is None:
        abort(404, description="当前没有正在进行的征集活动")
    return campaign
