"""What an author may do with their own idea: delete a draft, withdraw it before
screening, add a correction. Functions flush; the view commits."""
from app.audit.services import log_action
from app.extensions import db
from ideas.models import IdeaCorrection, IdeaStatus
from ideas.services import ScreeningError, lock_ideas, transition


def delete_draft(idea, actor):
    if idea.status is not IdeaStatus.draft:
        raise ScreeningError("只能删除草稿；已提交的建议可以在筛选前撤回")
    log_action(actor, "idea.delete_draft", idea, title=idea.title)
    db.session.delete(idea)
    db.session.flush()


def withdraw_idea(idea, actor, reason):
    """Take a submitted idea back before staff screen it; the reason stays in its history."""
    lock_ideas(idea)
    if idea.status is not IdeaStatus.submitted:
        raise ScreeningError(f"这条建议已经“{idea.status.label}”，不能再撤回")
    transition(idea, IdeaStatus.withdrawn, actor, f"提出人撤回：{reason}")
    log_action(actor, "idea.withdraw", idea, code=idea.tracking_code, reason=reason)


def add_correction(idea, actor, text):
    """A supplementary note beside a submitted idea; the idea's own text never changes after submission."""
    if idea.status in (IdeaStatus.draft, IdeaStatus.withdrawn, IdeaStatus.merged):
        raise ScreeningError(f"“{idea.status.label}”的建议不能补充说明")
    correction = IdeaCorrection(idea=idea, text=text)
    db.session.add(correction)
    db.session.flush()
    log_action(actor, "idea.correction", idea, code=idea.tracking_code)
    return correction


def set_public_consent(idea, actor, consent):
    """The author gives or takes back consent to the public page; taken back, the page is gone at once."""
    if idea.status in (IdeaStatus.draft, IdeaStatus.withdrawn, IdeaStatus.merged, IdeaStatus.rejected):
        raise ScreeningError(f"“{idea.status.label}”的建议没有公开页面")
    idea.public_consent = bool(consent)
    db.session.flush()
    log_action(actor, "idea.public_consent", idea, code=idea.tracking_code, consent=idea.public_consent)
