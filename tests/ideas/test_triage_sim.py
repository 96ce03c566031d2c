"""`flask ideas triage-sim` on a small campaign written here: one JSON line
with the figures, through the real pipeline in its own throw-away database."""
import csv
import json

PROPOSALS = [
    ("business", "建议由省政务服务中心牵头，把企业开办、变更、注销做成一件事一次办，"
                 "3 个工作日内办结，减少企业跑腿。"),
    ("costs", "民营企业被拖欠账款问题突出，建议省工信厅建立清欠台账，60 天内清零，并按月公示进度。"),
    ("talent", "高校毕业生留湘意愿不高，建议省人社厅设立人才公寓，给予三年租金补贴，吸引青年人才。"),
]
COMPLAINTS = [
    "我家小区门口的路灯坏了三个月了，请问找哪个部门修？",
    "A市某培训机构收了学费就关门，老板联系不上，求助退费。",
    "小区物业乱收停车费，投诉多次没有结果，希望有关部门管一管。",
    "楼下烧烤店油烟太大，晚上十二点还在营业，严重影响休息。",
    "我父亲的养老金这个月没有到账，打电话问社保也说不清楚。",
    "公交车 12 路班次太少，早上等半小时都等不到。",
]


def _campaign(path):
    rows = []
    for label, text in PROPOSALS:
        rows += [(text, label, label), (text + "！", label, label), ("同意楼上，" + text, label, label)]
    rows += [(text, "其他", f"c{n}") for n, text in enumerate(COMPLAINTS)]
    rows += [(COMPLAINTS[0], "其他", "c0")]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(("text", "label", "group"))
        writer.writerows(rows)
    return len(rows)


def test_triage_sim_prints_one_json_line(app, tmp_path):
    n = _campaign(tmp_path / "campaign.csv")
    result = app.test_cli_runner().invoke(args=["ideas", "triage-sim",
                                                "--csv", str(tmp_path / "campaign.csv"),
                                                "--text-col", "text", "--label-col", "label",
                                                "--other-label", "其他", "--group-col", "group"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    figures = json.loads(lines[0])
    for key in ("messages", "proposals", "staff_decisions", "decisions_per_100_messages",
                "proposals_set_aside_wrongly", "off_topic_caught", "groups", "seconds"):
        assert key in figures, key
    assert figures["messages"] == n and figures["proposals"] == 9
    assert figures["still_pending"] == 0  # every message was decided
    assert figures["staff_decisions"] < n and figures["groups"] >= 1
    assert 0 <= figures["off_topic_caught"] <= 1


def test_triage_sim_names_a_missing_column(app, tmp_path):
    _campaign(tmp_path / "campaign.csv")
    result = app.test_cli_runner().invoke(args=["ideas", "triage-sim",
                                                "--csv", str(tmp_path / "campaign.csv"),
                                                "--text-col", "content"])
    assert result.exit_code != 0 and "CSV 缺少列" in result.output
