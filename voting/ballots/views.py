"""公众投票：投票页、投票窗口、舞弊筛查与作废."""
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth.decorators import citizen_required, staff_required
from app.campaigns.queries import current_campaign, current_campaign_or_404
from app.extensions import db
from app.forms import ReasonForm
from app.pagecache import per_request
from app.ratelimits import per_account_and_address
from app.validators import clean_text
from app.viewutil import attempt, back_or, current_actor, run_and_commit, run_form
from ideas.models import Idea
from voting.judging import queries as round_queries
from voting.ballots.round_part import vote_effect
from voting.judging.outcome import rubric_of
from voting.ballots import queries, services
from voting.ballots.forms import VoidForm, VoteSettingsForm
from voting.ballots.models import VoteState, VoteVoid, accepts_votes, vote_settings_editable, vote_state
from voting.judging.models import Round

bp = Blueprint("ballots", __name__, template_folder="templates")
for _helper in (vote_state, accepts_votes, vote_settings_editable):
    bp.add_app_template_global(_helper)


@bp.app_context_processor
def navigation():
    # A callable: the query runs only where base.html draws the navigation.
    return {"public_vote_open": lambda: per_request("vote-open", queries.any_vote_open, share=True)}


# --- Citizens and the public -----------------------------------------------------------

@bp.route("/")
def index():
    # A public page: between campaigns it says there is no vote rather than 404.
    campaign = current_campaign()
    rounds = queries.published_votes(campaign) if campaign else []
    return render_template("ballots/index.html", campaign=campaign, rounds=rounds)


def _published_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    if vote_state(round_) in (None, VoteState.unpublished):
        abort(404)
    return round_


def _ballot_idea(round_, idea_id):
    idea = db.get_or_404(Idea, idea_id)
    if not queries.in_ballot(round_, idea):
        abort(404)
    return idea


@bp.route("/<int:round_id>")
def ballot(round_id):
    round_ = _published_round(round_id)
    voted = queries.voted_idea_ids(round_, current_user)
    page = queries.ballot_page(round_, request.args.get("page", 1, type=int), _voter_key())
    return render_template("ballots/ballot.html", round_=round_, page=page, voted=voted,
                           rubric=rubric_of(round_))


def _voter_key():
    """Who the ballot's order is drawn for: the account, or for a visitor a key kept in the session."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"visitor:{session.setdefault('ballot_key', secrets.token_hex(8))}"


@bp.route("/<int:round_id>/ideas/<int:idea_id>")
def idea(round_id, idea_id):
    round_ = _published_round(round_id)
    idea_ = _ballot_idea(round_, idea_id)
    voted = queries.voted_idea_ids(round_, current_user)
    return render_template("ballots/idea.html", round_=round_, idea=idea_, voted=voted)


# Casting and withdrawing share one budget per account and one per address.
_vote_limits = per_account_and_address("vote", "投票操作太频繁，请稍后再试。")


@bp.route("/<int:round_id>/ideas/<int:idea_id>/vote", methods=["POST"])
@citizen_required
@_vote_limits
def cast(round_id, idea_id):
    return _vote_action(round_id, idea_id, lambda round_, idea_: services.cast_vote(
        round_, idea_, current_actor(), request.remote_addr, request.user_agent.string), "已为“{}”投票。")


@bp.route("/<int:round_id>/ideas/<int:idea_id>/withdraw", methods=["POST"])
@citizen_required
@_vote_limits
def withdraw(round_id, idea_id):
    return _vote_action(round_id, idea_id, lambda round_, idea_: services.withdraw_vote(
        round_, idea_, current_actor()), "已撤回对“{}”的投票。")


def _vote_action(round_id, idea_id, action, success):
    """Casting and withdrawing: the same checks, one service, then back to the page voted from
    (``success`` names the idea at ``{}``)."""
    round_ = _published_round(round_id)
    idea_ = _ballot_idea(round_, idea_id)
    back = back_or(url_for("ballots.ballot", round_id=round_.id))
    return run_and_commit(lambda: action(round_, idea_), success.format(idea_.title), back)


# --- Staff: settings, the published blend, the fraud screen -----------------------------

@bp.route("/rounds")
@staff_required
def setup():
    """Turning the vote on without choosing a round means the final round."""
    rounds = round_queries.rounds_of(current_campaign_or_404())
    if not rounds:
        flash("请先在评审页创建评审轮次，再设置公众投票。", "info")
        return redirect(url_for("voting.rounds"))
    return redirect(url_for("ballots.settings", round_id=rounds[-1].id))


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@staff_required
def settings(round_id):
    round_ = db.get_or_404(Round, round_id)
    form = VoteSettingsForm(obj=round_)
    if request.method == "GET" and round_.expert_weight is not None:
        form.expert_weight.data = round(round_.expert_weight * 100)
    if form.validate_on_submit():
        # A refused value is shown at its field, with what was typed kept.
        saved, _ = attempt(lambda: services.save_settings(
            round_, current_actor(), public_vote=form.public_vote.data, vote_opens_at=form.vote_opens_at.data,
            vote_closes_at=form.vote_closes_at.data, votes_per_citizen=form.votes_per_citizen.data,
            expert_weight=form.expert_share), form)
        if saved:
            flash("公众投票设置已保存。确认无误后请公布计分办法。", "success")
            return redirect(url_for("ballots.settings", round_id=round_.id))
    return render_template("ballots/settings.html", round_=round_, form=form,
                           rounds=round_queries.rounds_of(round_.campaign),
                           rubric=rubric_of(round_))


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
@staff_required
def publish(round_id):
    round_ = db.get_or_404(Round, round_id)
    return run_and_commit(lambda: services.publish_blend(round_, current_actor()),
                          "计分办法已公布，投票设置从现在起固定不变。",
                          url_for("ballots.settings", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/screen")
@staff_required
def screen(round_id):
    round_ = db.get_or_404(Round, round_id)
    # Links on the screen fill in the void form and list a group's votes.
    return _screen_page(round_, VoidForm(formdata=None, kind=request.args.get("kind"),
                                         value=clean_text(request.args.get("value"))))


def _screen_page(round_, form):
    if not round_.public_vote or round_.vote_opens_at is None:
        abort(404, description="本轮没有公众投票")
    ideas = {e.idea_id: e.idea for e in round_.entries}
    listed = {name: clean_text(request.args.get(name)) for name in ("network", "user_agent")}
    idea_id = request.args.get("idea_id", type=int)
    listed["idea_id"] = idea_id if idea_id in ideas else None
    voids = queries.voids_of(round_)
    return render_template(
        "ballots/screen.html", round_=round_, screen=queries.screen(round_), effect=vote_effect(round_),
        voids=voids, ideas=ideas, form=form,
        restore_forms={v.id: ReasonForm(prefix=f"restore{v.id}") for v, _ in voids},
        listed=listed, votes=queries.listed_votes(round_, **listed) if any(listed.values()) else None)


@bp.route("/rounds/<int:round_id>/voids", methods=["POST"])
@staff_required
def void(round_id):
    round_ = db.get_or_404(Round, round_id)
    form = VoidForm()
    # A refusal shows the screen again with what was chosen and typed, the message at the field.
    if form.validate_on_submit() and attempt(lambda: services.void_votes(
            round_, current_actor(), form.kind.data, form.selection(), form.reason.data), form, "value")[0]:
        flash("已作废这批投票，结果已按不含作废票重新计算。", "success")
        return redirect(url_for("ballots.screen", round_id=round_.id))
    return _screen_page(round_, form)


@bp.route("/voids/<int:void_id>/restore", methods=["POST"])
@staff_required
def restore(void_id):
    void_ = db.get_or_404(VoteVoid, void_id)
    return run_form(ReasonForm(prefix=f"restore{void_.id}"),
                    lambda form: services.restore_void(void_, current_actor(), form.reason.data),
                    "已恢复这批投票。", url_for("ballots.screen", round_id=void_.round_id))
