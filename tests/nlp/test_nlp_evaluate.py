import csv
import json

import pytest

import nlp.segmenter
from nlp.evaluate import main


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
    assert result["nmi"] >= 0.4


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
