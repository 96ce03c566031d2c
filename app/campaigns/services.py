"""Creating and editing campaigns and their themes. Functions flush; the caller commits."""
import json
from pathlib import Path

from sqlalchemy import update

from app.audit.services import log_action
from app.campaigns.models import Campaign, Theme
from app.campaigns.queries import campaign_by_year
from app.errors import Refused
from app.extensions import db

DEFAULT_THEMES_PATH = Path(__file__).resolve().parents[2] / "ideas" / "data" / "default_themes.json"


def default_themes():
    """The ten bottlenecks of the 2024 provincial notice, plus 其他."""
    return json.loads(DEFAULT_THEMES_PATH.read_text(encoding="utf-8"))


class CampaignExists(Refused):
    pass


def create_campaign(actor, year, title, submit_opens_at, submit_closes_at, description="",
                    themes=None, make_current=False):
    if campaign_by_year(year) is not None:
        raise CampaignExists(f"{year} 年的活动已存在")
    campaign = Campaign(year=year, title=title, description=description,
                        submit_opens_at=submit_opens_at, submit_closes_at=submit_closes_at)
    for position, spec in enumerate(themes if themes is not None else default_themes()):
        campaign.themes.append(Theme(
            code=spec["code"], name=spec["name"], description=spec.get("description", ""),
            keywords=" ".join(spec.get("keywords", [])), position=position,
            is_other=spec.get("is_other", False),
        ))
    db.session.add(campaign)
    db.session.flush()
    log_action(actor, "campaign.create", campaign, year=year)
    if make_current:
        make_campaign_current(actor, campaign)
    return campaign


def make_campaign_current(actor, campaign):
    # Clear the old flag first: the unique index allows one current campaign.
    db.session.execute(update(Campaign).where(Campaign.is_current).values(is_current=False))
    db.session.flush()
    campaign.is_current = True
    db.session.flush()
    log_action(actor, "campaign.make_current", campaign)


def update_campaign(actor, campaign, title, description, submit_opens_at, submit_closes_at):
    changes = {}
    for field, value in (("title", title), ("description", description),
                         ("submit_opens_at", submit_opens_at), ("submit_closes_at", submit_closes_at)):
        if getattr(campaign, field) != value:
            changes[field] = str(value)
            setattr(campaign, field, value)
    db.session.flush()
    if changes:
        log_action(actor, "campaign.update", campaign, **changes)
    return changes


def update_theme(actor, theme, name, description, keywords):
    theme.name, theme.description = name, description
    theme.keywords = " ".join(keywords.replace("，", " ").replace(",", " ").split())
    db.session.flush()
    log_action(actor, "theme.update", theme, code=theme.code, name=name)
