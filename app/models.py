"""Imports every model so that the metadata, and so migrations, see them all."""
from app.audit.models import ActionLog  # noqa: F401
from app.auth.models import User  # noqa: F401
from app.campaigns.models import Campaign, Theme  # noqa: F401
from ideas.models import (  # noqa: F401
    Cluster, ClusterRun, CoProposer, Idea, IdeaAnalysis, IdeaCorrection, IdeaEvent, NlpJob)
from ideas.public_models import IdeaSupplement, IdeaSupport  # noqa: F401
from ideas.group_models import IdeaGroup, IdeaGroupMember  # noqa: F401
from voting.judging.models import Assignment, Conflict, Criterion, Review, ReviewScore, Round, RoundEntry  # noqa: F401
from voting.ballots.models import PublicVote, VoidedVote, VoteVoid  # noqa: F401
from voting.notice.models import Announcement, NoticeEntry, Objection  # noqa: F401
from voting.certificates.models import Certificate  # noqa: F401
from app.notifications.models import Notification, NotificationPreference  # noqa: F401


# Indexes made by hand in a migration for one database only, which no model can declare
# (ideas.models.search_vector: a GIN index over a PostgreSQL expression; the 待筛选 order).
UNMODELLED_INDEXES = {"ix_idea_analyses_search", "ix_idea_analyses_worth_order"}


def include_object(obj, name, type_, reflected, compare_to):
    """Alembic's filter: the models and the migrations are compared without those indexes."""
    return not (type_ == "index" and reflected and name in UNMODELLED_INDEXES)
