"""Text mining in the site: similar ideas while typing, themes with confidence,
clusters, the dashboard and background rebuilds."""
import html
import re
import signal
import time

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from app import worker as app_worker

from app.auth.models import Role
from app.campaigns.queries import current_campaign
from app.campaigns.services import default_themes
from app.extensions import db
from ideas import analysis_services
from ideas.models import Cluster, ClusterRun, IdeaAnalysis, IdeaStatus, NlpJob

TOPICS = {
    "parks": ("园区管委会机构叠床架屋", "县域产业园区管委会机构叠床架屋，既管招商又管社会事务，企业办事要跑多个部门。",
              "推行政区分设，园区管委会只保留经济管理职能，社会事务交还属地政府，实行市场化运营。"),
    "tech": ("高校科技成果转化率低", "高校院所大量专利躺在抽屉里，科研人员不敢转不愿转，职务科技成果转化率很低。",
             "赋予科研人员职务科技成果所有权，建设中试平台，培养技术经理人，打通成果转化最后一公里。"),
    "costs": ("中小企业融资难融资贵", "中小微企业缺少抵押物，银行贷款门槛高，融资担保费率高，融资难融资贵问题突出。",
              "扩大政府性融资担保覆盖面，降低担保费率，推广应收账款融资和信用贷款，缓解融资难。"),
}


CITIES = ("长沙", "株洲", "岳阳", "怀化")
FOCUS = ("审批流程", "考核办法", "财政资金", "服务窗口")


def make_topic_ideas(make, per_topic=8, **kw):
    """Ideas on three themes; within a theme, city and focus words repeat in
    pairs so the texts are alike but not identical, as real ones are."""
    ideas = []
    for code, (title, problem, suggestion) in TOPICS.items():
        for n in range(per_topic):
            city, focus = CITIES[n % 4], FOCUS[(n // 2) % 4]
            ideas.append(make.idea(theme=code, title=f"{city}{title}", problem=f"{city}{problem}{focus}需要改进。",
                                   suggestion=f"{suggestion}{city}可先行试点，重点完善{focus}。", **kw))
    return ideas


def test_submitting_segments_the_idea_once(make):
    make.campaign()
    idea = make.idea(title="推行园区政区分设让管委会专心招商")
    analysis = db.session.get(IdeaAnalysis, idea.id)
    assert analysis is not None and "管委会" in analysis.tokens.split()
    before = analysis.text_hash
    analysis_services.rebuild(idea.campaign)
    db.session.commit()
    assert db.session.get(IdeaAnalysis, idea.id).text_hash == before


def test_rebuild_assigns_themes_with_confidence_keywords_and_clusters(make, app):
    campaign = make.campaign()
    ideas = make_topic_ideas(make)
    run = analysis_services.rebuild(campaign)
    db.session.commit()
    assert run.strategy == "zero_shot"
    suggested = {i.id: (i.analysis.suggested_theme.code if i.analysis.suggested_theme else None) for i in ideas}
    right = sum(suggested[i.id] == i.theme.code for i in ideas)
    assert right >= len(ideas) * 0.8, suggested
    assert all(0 <= i.analysis.confidence <= 1 and i.analysis.keywords for i in ideas)
    clusters = db.session.scalars(select(Cluster)).all()
    assert clusters and sum(c.size for c in clusters) == len(ideas)
    assert sum(g["n_clusters"] for g in run.summary["groups"]) == len(clusters)
    assert all(i.analysis.cluster_id for i in ideas)


def test_clustering_is_reproducible(make, app):
    campaign = make.campaign()
    make_topic_ideas(make)
    labels = []
    for _ in range(2):
        analysis_services.rebuild(campaign, seed=7)
        db.session.commit()
        rows = db.session.scalars(select(IdeaAnalysis).order_by(IdeaAnalysis.idea_id)).all()
        names = {c.id: c.name for c in db.session.scalars(select(Cluster))}
        labels.append([names[r.cluster_id] for r in rows])
    assert labels[0] == labels[1]


def test_low_confidence_goes_to_manual_review(make, app, staff, client):
    campaign = current_campaign()
    make_topic_ideas(make)
    vague = make.idea(title="希望领导多关心一下", problem="我觉得有些事情还可以做得更好一些，希望大家一起努力做好工作啊。",
                      suggestion="大家多商量商量，多想想办法，把事情办好，让老百姓满意，这样就很好了吧。",
                      benefit="")
    analysis_services.rebuild(campaign)
    db.session.commit()
    assert vague.analysis.suggested_theme_id is None
    page = client.get("/analysis/").get_data(as_text=True)
    assert "待人工确认" in page and vague.title in page


def test_staff_confirm_theme(make, app, staff, client):
    idea = make.idea(theme="parks")
    response = client.post(f"/analysis/ideas/{idea.id}/theme", data={f"theme{idea.id}-theme": "talent"})
    assert response.status_code == 302
    db.session.expire_all()
    assert idea.theme.code == "talent" and idea.theme_confirmed_by_id == staff.id
    assert "改为“激活人才体制机制”" in idea.events[-1].reason


def test_the_next_rebuild_learns_from_confirmed_themes(make, app, auth, client):
    # A campaign with three themes (and 其他), so a few labels per theme suffice.
    themes = [t for t in default_themes() if t["code"] in TOPICS or t.get("is_other")]
    make.campaign(themes=themes)
    staff = make.user(Role.staff)
    auth.login(staff)
    app.config["NLP_MIN_LABELS_PER_THEME"] = 3
    try:
        ideas = make_topic_ideas(make)
        assert analysis_services.rebuild(current_campaign()).strategy == "zero_shot"
        db.session.commit()
        for idea in ideas[::2]:
            client.post(f"/analysis/ideas/{idea.id}/theme", data={f"theme{idea.id}-theme": idea.theme.code})
        run = analysis_services.rebuild(current_campaign())
        db.session.commit()
        assert run.strategy == "supervised"
        assert all(i.analysis.suggested_theme.code == i.theme.code for i in ideas)
    finally:
        app.config["NLP_MIN_LABELS_PER_THEME"] = 30


def test_similar_ideas_while_typing_include_ideas_added_after_the_rebuild(make, app, client, auth):
    campaign = make.campaign()
    make_topic_ideas(make, per_topic=3)
    analysis_services.rebuild(campaign)
    db.session.commit()
    # Submitted after the rebuild: found through the index's append, not a refit.
    late = make.idea(theme="parks", title="怀化园区管委会叠床架屋问题",
                     problem="怀化县域产业园区管委会机构叠床架屋，既管招商又管社会事务，企业办事要跑多个部门。",
                     suggestion="推行政区分设，园区管委会只保留经济管理职能，社会事务交还属地政府。")
    auth.login(late.author)
    text = {"text": late.problem + late.suggestion}
    items = client.post("/analysis/similar", data=text).get_json()["items"]
    # The writer's own idea comes with its code and link; others' with title and status only.
    own = next(i for i in items if i["title"] == late.title)
    assert own["code"] == late.tracking_code and own["url"].endswith(late.tracking_code)
    assert all("code" not in i and "url" not in i for i in items if i is not own)
    assert "13812341234" not in str(items)
    items = client.post("/analysis/similar", data={"text": TOPICS["tech"][1]}).get_json()["items"]
    assert items and all("科技成果" in i["title"] for i in items[:3])
    assert client.post("/analysis/similar", data={"text": "ab"}).get_json() == {
        "items": [], "duplicates": [], "related": [], "theme": None}


def test_similar_ideas_give_codes_only_for_ideas_one_may_open(make, app, client, auth):
    campaign = make.campaign()
    make_topic_ideas(make, per_topic=3)
    analysis_services.rebuild(campaign)
    db.session.commit()
    text = {"text": TOPICS["tech"][1]}
    auth.login(make.user())
    items = client.post("/analysis/similar", data=text).get_json()["items"]
    assert items and all(set(i) == {"title", "status", "score"} for i in items)
    auth.logout()
    auth.login(make.user(Role.staff))
    items = client.post("/analysis/similar", data=text).get_json()["items"]
    assert items and all(i["code"].startswith("XC-") for i in items)


def test_similar_needs_a_citizen_or_staff_login_and_a_post(client, make, auth):
    make.campaign()
    assert "/auth/login" in client.post("/analysis/similar", data={"text": "园区"}).headers["Location"]
    # A reviewer pasting an assigned idea would learn its tracking code (and with it the proposer's trail).
    auth.login(make.user(Role.reviewer))
    assert client.post("/analysis/similar", data={"text": "园区政区分设"}).status_code == 403
    assert client.get("/analysis/similar?text=园区").status_code == 405


def test_screening_queue_shows_analysis_and_merges_a_duplicate_in_one_step(make, app, staff, client):
    original = make.idea(title="推行园区政区分设", status=IdeaStatus.accepted, staff=staff)
    copy = make.idea(title="园区政区分设的建议")
    analysis_services.rebuild(current_campaign())
    db.session.commit()
    page = client.get("/ideas/screening?status=").get_data(as_text=True)   # 全部状态
    assert "可能重复" in page and original.tracking_code in page
    # Each row says which came first; its button folds the later into the earlier.
    assert "先于本条提交" in page and "晚于本条提交" in page
    assert "把本条合并到它" in page and "把它合并到本条" in page
    assert page.count(f'action="/ideas/{original.id}/merge"') == 0
    assert page.count(f'action="/ideas/{copy.id}/merge"') == 2
    assert "确认主题" in page
    response = client.post(f"/ideas/{copy.id}/merge", data={"merge-target_code": original.tracking_code,
                                                           "merge-reason": "文本高度相似", "merge-confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert copy.status is IdeaStatus.merged


def test_dashboard_cluster_page_and_background_rebuild(make, app, staff, client, monkeypatch):
    make_topic_ideas(make)
    monkeypatch.setitem(app.config, "NLP_JOB_RUNNER", "background")
    response = client.post("/analysis/rebuild")
    assert response.status_code == 302
    job = db.session.scalars(select(NlpJob)).one()
    for _ in range(200):
        db.session.expire_all()
        if job.state in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job.state == "done", job.message
    status = client.get(f"/analysis/jobs/{job.id}").get_json()
    assert status["percent"] == 100 and status["label"] == "已完成"
    page = client.get("/analysis/").get_data(as_text=True)
    assert "<svg" in page and "各主题建议数" in page and "各地区建议数" in page and "每日提交数" in page
    cluster = db.session.scalars(select(Cluster)).first()
    cluster_page = client.get(f"/analysis/clusters/{cluster.id}").get_data(as_text=True)
    assert cluster.name in cluster_page
    assert db.session.scalars(select(ClusterRun)).one().summary["groups"]
    # Page by page (two ideas a page here), every member once, in number order.
    app.config["SCREENING_PAGE_SIZE"] = 2
    seen, path = [], f"/analysis/clusters/{cluster.id}"
    while path:
        page = client.get(path).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'href="/ideas/(\d+)"', page)]
        found = re.search(r'href="([^"]*after=\d+[^"]*)">下一页', page)
        path = html.unescape(found.group(1)) if found else None
    assert seen == sorted(cluster.members) and len(seen) == cluster.size


@pytest.mark.parametrize("role", [Role.citizen, Role.reviewer])
def test_analysis_pages_are_for_staff(client, auth, make, role):
    make.campaign()
    auth.login(make.user(role))
    for method, path in (("GET", "/analysis/"), ("POST", "/analysis/rebuild"), ("GET", "/analysis/jobs/1"),
                         ("GET", "/analysis/clusters/1"), ("POST", "/analysis/ideas/1/theme")):
        assert client.open(path, method=method).status_code == 403, path


def test_nlp_rebuild_command(runner, make):
    make.campaign()
    make_topic_ideas(make, per_topic=3)
    result = runner.invoke(args=["nlp", "rebuild", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "完成" in result.output


def test_rebuild_survives_ideas_too_alike_to_learn_from(make, app):
    campaign = make.campaign()
    for n in range(12):
        make.idea(title=f"园区政区分设建议第{n}条")
    run = analysis_services.rebuild(campaign)
    db.session.commit()
    # The zero-shot themes need no corpus to learn from, so even twelve copies get one.
    assert run.strategy == "zero_shot"
    assert db.session.scalars(select(IdeaAnalysis)).first().keywords


def test_rebuild_goes_through_rq_when_redis_is_configured(make, app, staff, client, monkeypatch, redis_url):
    """With REDIS_URL the request only enqueues; an RQ worker runs the job in an app of its own."""
    redis = Redis.from_url(redis_url)
    queue = Queue("nlp", connection=redis)
    queue.empty()
    make_topic_ideas(make)
    monkeypatch.setitem(app.config, "NLP_JOB_RUNNER", "background")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    client.post("/analysis/rebuild")
    job = db.session.scalars(select(NlpJob)).one()
    assert job.state == "queued" and queue.count == 1
    assert queue.jobs[0].func_name == "app.worker.run_job"
    assert queue.jobs[0].args == ("ideas.analysis_services:run_rebuild_job", job.id)
    monkeypatch.setattr(app_worker, "create_app", lambda: app)
    # The worker installs its own SIGINT/SIGTERM handlers; put pytest's back so a
    # later signal still stops the run.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=redis).work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    db.session.expire_all()
    assert job.state == "done", job.message
    assert db.session.scalars(select(ClusterRun)).first() is not None
    redis.close()


def test_a_rebuild_whose_worker_died_is_marked_failed_and_can_be_started_again(make, app, staff, client,
                                                                                monkeypatch, redis_url):
    redis = Redis.from_url(redis_url)
    queue = Queue("nlp", connection=redis)
    queue.empty()
    make_topic_ideas(make, per_topic=2)
    monkeypatch.setitem(app.config, "NLP_JOB_RUNNER", "background")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    client.post("/analysis/rebuild")
    job = db.session.scalars(select(NlpJob)).one()
    # A worker takes the job the way `rq worker` does, marks the row running, and is killed there.
    worker = SimpleWorker([queue], connection=redis)
    taken, _ = worker.dequeue_job_and_maintain_ttl(timeout=1)
    worker.prepare_execution(taken)
    worker.prepare_job_execution(taken)
    job.state = "running"
    db.session.commit()
    # While its heartbeat lasts, the job is running as far as anyone knows.
    assert client.get(f"/analysis/jobs/{job.id}").get_json()["state"] == "running"
    # A day later the heartbeat has long lapsed: RQ's registry clean-up (the restarted worker's, or the
    # page's own) fails the job.
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 24 * 3600)
    status = client.get(f"/analysis/jobs/{job.id}").get_json()
    assert status["state"] == "failed" and "意外停止" in status["message"]
    assert "重新开始分析" in client.get("/analysis/").get_data(as_text=True)
    client.post("/analysis/rebuild")
    assert [j.state for j in db.session.scalars(select(NlpJob).order_by(NlpJob.id))] == ["failed", "queued"]
    assert queue.count == 1
    queue.empty()
    taken.delete()
    redis.close()


def test_a_rebuild_lost_by_redis_is_marked_failed(make, app, staff, client, monkeypatch, redis_url):
    redis = Redis.from_url(redis_url)
    Queue("nlp", connection=redis).empty()
    monkeypatch.setitem(app.config, "NLP_JOB_RUNNER", "background")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    job = NlpJob(campaign_id=current_campaign().id, state="queued", queue_id="never-enqueued")
    db.session.add(job)
    db.session.commit()
    assert client.get(f"/analysis/jobs/{job.id}").get_json()["state"] == "failed"
    redis.close()
