import csv
import json
import statistics

import pytest

import nlp.segmenter
from nlp.evaluate import evaluate_clusters, main


@pytest.fixture(autouse=True)
def keep_default_segmenter(segmenter, monkeypatch):
    # main() installs its own segmenter; the other tests expect theirs back.
    monkeypatch.setattr(nlp.segmenter, "_default_segmenter", segmenter)


def write_csv(path, rows, columns=("text", "label")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def labelled(tmp_path, texts, labels):
    rows = [{"text": text, "label": label} for text, label in zip(texts, labels)]
    train = write_csv(tmp_path / "train.csv", [r for i, r in enumerate(rows) if i % 5 != 4])
    test = write_csv(tmp_path / "test.csv", [r for i, r in enumerate(rows) if i % 5 == 4])
    full = write_csv(tmp_path / "all.csv", rows)
    return train, test, full


def run(capsys, args, tmp_path):
    result = main(args + ["--n-jobs", "1", "--cache-dir", str(tmp_path / "jieba")])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == result
    return result


def test_train_test_prints_scores(capsys, tmp_path, labelled):
    train, test, _ = labelled
    result = run(capsys, ["--train", train, "--test", test], tmp_path)
    assert result["n_train"] == 20 and result["n_test"] == 5
    assert result["macro_f1"] == 1.0 and result["accuracy"] == 1.0
    assert result["seconds"] >= 0
    assert 0 <= result["at_threshold"]["coverage"] <= 1


def test_cross_validation(capsys, tmp_path, labelled):
    result = run(capsys, ["--data", labelled[2], "--cv", "3"], tmp_path)
    assert len(result["cv_macro_f1_folds"]) == 3
    assert 0.5 <= result["cv_macro_f1"] <= 1


def test_zero_shot_and_clusters(capsys, tmp_path, texts, labels, themes):
    spec = {t["name"]: {"description": t["description"], "keywords": t["keywords"]}
            for t in themes if not t.get("is_other")}
    themes_path = tmp_path / "themes.json"
    themes_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    names = {t["code"]: t["name"] for t in themes}
    test = write_csv(tmp_path / "named.csv", [{"text": text, "label": names[label]}
                                              for text, label in zip(texts, labels)])
    result = run(capsys, ["--themes", str(themes_path), "--test", test, "--cluster"], tmp_path)
    assert result["zero_shot_macro_f1"] >= 0.6
    assert 0 <= result["nmi"] <= 1 and -1 <= result["ari"] <= 1


def test_clusters_recover_the_themes(docs, labels):
    # On 25 short texts one seed's k-means optimum moves with the CPU's floating-point
    # kernels (seed 0 gave 0.36 on one machine, over 0.4 on another): judge the median of five.
    nmis = [evaluate_clusters(docs, labels, seed)["nmi"] for seed in range(5)]
    assert statistics.median(nmis) >= 0.4


def test_duplicate_pairs(capsys, tmp_path, texts):
    rows = [{"title": "", "detail": text, "group": ""} for text in texts[:10]]
    rows += [{"title": "", "detail": texts[0], "group": "a"},
             {"title": "", "detail": texts[3].replace("，", " "), "group": "b"}]
    rows[0]["group"], rows[3]["group"] = "a", "b"
    path = write_csv(tmp_path / "dups.csv", rows, ("title", "detail", "group"))
    result = run(capsys, ["--test", path, "--text-col", "title,detail",
                          "--dup-group-col", "group"], tmp_path)
    assert result["dup_pairs_true"] == 2
    assert result["dup_recall"] == 1.0 and result["dup_precision"] == 1.0


def test_nothing_to_do_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        main(["--test", "x.csv"])
    assert "没有要做的评估" in capsys.readouterr().err


def test_ten_theme_figures_with_off_topic_rows(capsys, tmp_path, texts, labels, themes):
    themes_path = tmp_path / "themes.json"
    themes_path.write_text(json.dumps(themes, ensure_ascii=False), encoding="utf-8")
    rows = [{"id": str(i), "text": text, "label": label,
             "secondary": "business" if i == 0 else None}
            for i, (text, label) in enumerate(zip(texts, labels))]
    rows.append({"id": "x", "text": "请问社保卡丢了在哪里补办？谢谢。", "label": "其他"})
    test = tmp_path / "set.jsonl"
    test.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    # Real messages are read at run time: even uids are dev, odd ones eval.
    messages = write_csv(tmp_path / "messages.csv", [
        {"uid": "1", "text": "我家小区楼下烧烤店噪音扰民到凌晨，投诉多次没人管，恳请尽快处理。"},
        {"uid": "2", "text": "开发商逾期交房一年，业主维权无门。"},
        {"uid": "3", "text": "孩子学校乱收补课费，家长敢怒不敢言，请教育局查一查。"}],
        columns=("uid", "text"))
    args = ["--themes", str(themes_path), "--test", str(test), "--other-label", "其他",
            "--off-topic", messages]
    result = run(capsys, args, tmp_path)
    assert result["n_on_topic"] == 25 and result["n_off_topic"] == 3
    assert result["zero_shot_macro_f1"] >= 0.8
    assert result["other_recall"] == 1.0 and result["on_topic_unassigned"] <= 0.2
    assert 0 < result["coverage"] < 1 and 0 <= result["ece"] <= 1
    assert [p["threshold"] for p in result["operating_points"]][:2] == [0.2, 0.25]
    assert [row["to_staff"] for row in result["staff_load"]] == sorted(
        row["to_staff"] for row in result["staff_load"])
    assert result["secondary_recall"] is not None
    # Fitted on 5 rows, scored on all: the same figures.
    small = run(capsys, args + ["--fit-size", "5"], tmp_path)
    assert small["n_fit"] == 5
    assert small["zero_shot_macro_f1"] == result["zero_shot_macro_f1"]
    assert small["ece"] == result["ece"]


def test_off_topic_needs_an_other_label(capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["--themes", "t.json", "--test", "x.csv", "--off-topic", "m.csv"])
    assert "--other-label" in capsys.readouterr().err


def test_halves_split_rows_by_uid_parity(capsys, tmp_path, texts, labels):
    # The last idea of each theme has an odd uid: four of each to train on, one to test.
    rows = [{"uid": str(2 * i + (i % 5 == 4)), "text": text, "label": label}
            for i, (text, label) in enumerate(zip(texts, labels))]
    path = write_csv(tmp_path / "uid.csv", rows, ("uid", "text", "label"))
    result = run(capsys, ["--train", path, "--train-half", "dev", "--test", path, "--half", "eval"],
                 tmp_path)
    assert (result["n_train"], result["n_test"]) == (20, 5)


def test_bootstrap_figures(capsys, tmp_path, texts, labels, themes):
    themes_path = tmp_path / "themes.json"
    themes_path.write_text(json.dumps(themes, ensure_ascii=False), encoding="utf-8")
    test = write_csv(tmp_path / "test.csv", [{"text": t, "label": label}
                                             for t, label in zip(texts, labels)])
    result = run(capsys, ["--themes", str(themes_path), "--test", test, "--bootstrap"], tmp_path)
    assert 0 <= result["bootstrap_macro_f1"] <= 1 and 0 <= result["bootstrap_accuracy"] <= 1
    assert result["bootstrap_seconds"] >= 0
