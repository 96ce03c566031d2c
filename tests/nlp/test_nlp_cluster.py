import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from nlp.cluster import IdeaClusterer, match_clusters


@pytest.fixture(scope="module")
def three_topics(segmenter):
    texts = [
        "小微企业融资难融资贵，银行贷款抵押要求高。",
        "企业贷款利息高，融资担保不足，融资难。",
        "银行不愿给小企业贷款，融资贵融资难。",
        "希望降低贷款门槛，缓解企业融资难。",
        "编外人员太多，财政供养负担重，人浮于事。",
        "清理编外人员和临聘人员，严控编外人员。",
        "机关借调和编外人员过多，财政供养压力大。",
        "事业单位编外人员臃肿，临聘人员比在编多。",
        "园区管委会叠床架屋，开发区机构重叠。",
        "开发区管委会层级多，园区企业多头管理。",
        "推进园区政区分设，精简开发区管委会。",
        "园区管委会机构臃肿，开发区效率低。",
    ]
    return [segmenter.segment(text) for text in texts], [0] * 4 + [1] * 4 + [2] * 4


def test_separates_clear_topics_and_names_them(themes, three_topics):
    docs, truth = three_topics
    model = IdeaClusterer(n_clusters=3, themes=themes, random_state=0).fit(docs)
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    by_truth = {t: model.labels_[truth.index(t)] for t in (0, 1, 2)}
    assert "融资难" in model.cluster_terms_[by_truth[0]]
    assert "编外人员" in model.cluster_terms_[by_truth[1]][:3]
    assert "管委会" in model.cluster_terms_[by_truth[2]][:3]
    assert model.cluster_names_[by_truth[1]] == "、".join(model.cluster_terms_[by_truth[1]][:3])
    assert [model.cluster_themes_[by_truth[t]] for t in (0, 1, 2)] == [
        "costs", "staffing", "parks"]
    assert list(model.predict(docs)) == list(model.labels_)


def test_same_seed_same_clusters(docs):
    first = IdeaClusterer(random_state=7).fit(docs)
    second = IdeaClusterer(random_state=7).fit(list(docs))
    assert list(first.labels_) == list(second.labels_)
    assert first.cluster_names_ == second.cluster_names_
    assert first.k_scores_ == second.k_scores_


def test_minibatch_path_is_reproducible_too(docs):
    params = dict(n_clusters=5, minibatch_above=10, random_state=3)
    first, second = IdeaClusterer(**params).fit(docs), IdeaClusterer(**params).fit(docs)
    assert type(first.model_).__name__ == "MiniBatchKMeans"
    assert list(first.labels_) == list(second.labels_)


def test_k_is_chosen_within_range_by_silhouette(docs):
    model = IdeaClusterer(k_range=(3, 8), random_state=0).fit(docs)
    assert sorted(model.k_scores_) == list(range(3, 9))
    assert model.n_clusters_ == max(model.k_scores_, key=model.k_scores_.get)
    assert model.sizes_.sum() == len(docs) and len(model.sizes_) == model.n_clusters_


def test_summary_is_json_ready(themes, docs):
    model = IdeaClusterer(n_clusters=4, themes=themes).fit(docs)
    summary = json.loads(json.dumps(model.summary(), ensure_ascii=False))
    assert summary["n_clusters"] == 4
    assert summary["params"]["n_clusters"] == 4 and "themes" not in summary["params"]
    assert sum(c["size"] for c in summary["clusters"]) == len(docs)
    assert -1 <= summary["silhouette"] <= 1 and summary["inertia"] >= 0
    assert all(c["theme"] in {t["code"] for t in themes} for c in summary["clusters"])


def test_unrelated_cluster_maps_to_the_catch_all_theme(themes, segmenter):
    docs = [segmenter.segment(text) for text in (
        "公园樱花长廊很美", "公园樱花开得好", "博物馆周末开放", "博物馆展览好看")]
    model = IdeaClusterer(n_clusters=2, themes=themes, min_theme_score=0.2).fit(docs)
    assert model.cluster_themes_ == ["other", "other"]
    assert np.all(model.cluster_theme_scores_ < 0.2)


def test_too_few_ideas_is_an_error():
    with pytest.raises(ValueError):
        IdeaClusterer().fit(["融资 贷款"])


def test_names_are_distinctive_not_generic(segmenter):
    generic = "省里很多部门每个地方都说要改，希望领导重视。"
    texts = ([f"{generic}小微企业融资难，银行贷款要抵押。"] * 3
             + [f"{generic}编外人员太多，借调成风，财政供养重。"] * 3)
    docs = [segmenter.segment(text) for text in texts]
    model = IdeaClusterer(n_clusters=2, random_state=0).fit(docs)
    names = " ".join(model.cluster_names_)
    assert not any(word in names for word in ("省里", "很多", "每个", "希望", "领导"))
    assert any(word in names for word in ("融资", "贷款", "抵押"))
    assert any(word in names for word in ("编外人员", "借调", "财政供养"))


def test_cluster_theme_is_the_majority_of_its_members(themes, three_topics):
    docs, truth = three_topics
    # Staff filed three of the four 融资 ideas under 营商环境: the cluster follows them.
    y = ["business", "business", "business", "costs"] + ["staffing"] * 4 + [None] * 4
    model = IdeaClusterer(n_clusters=3, themes=themes, random_state=0).fit(docs, y)
    by_truth = {t: model.labels_[truth.index(t)] for t in (0, 1, 2)}
    assert model.cluster_themes_[by_truth[0]] == "business"
    assert model.cluster_theme_scores_[by_truth[0]] == pytest.approx(0.75)
    assert model.cluster_themes_[by_truth[1]] == "staffing"
    # No member has a theme: the catch-all theme.
    assert model.cluster_themes_[by_truth[2]] == "other"
    # Without labels the members' zero-shot themes decide.
    unlabelled = IdeaClusterer(n_clusters=3, themes=themes, random_state=0).fit(docs)
    assert [unlabelled.cluster_themes_[by_truth[t]] for t in (0, 1, 2)] == [
        "costs", "staffing", "parks"]


def test_names_contrast_with_the_rest_of_the_campaign(segmenter, three_topics):
    docs, _ = three_topics
    rest = [segmenter.segment("园区管委会开发区融资编外人员")] * 20
    model = IdeaClusterer(n_clusters=3, random_state=0).fit(docs, rest=rest)
    assert all(model.cluster_terms_)


def test_match_keeps_ids_and_reports_new_merged_split():
    previous = {
        7: {"name": "融资、贷款、担保", "members": range(10)},
        8: {"name": "编外人员、借调", "members": range(10, 20)},
        9: {"name": "园区、管委会", "members": range(20, 30)},
        10: {"name": "中试、专利", "members": range(30, 40)},
        11: {"name": "外贸、出口", "members": range(40, 50)},
    }
    current = [
        list(range(9)) + [100],          # 7 lost one idea and gained one: same
        list(range(10, 30)),                # 8 and 9 together: merged
        list(range(30, 35)),                # 10 in two halves: split
        list(range(35, 40)) + [101, 102],   # the other half: split
        [200, 201, 202],                    # new
    ]
    result = match_clusters(previous, current)
    clusters = result["clusters"]
    assert clusters[0] == {"id": 7, "name": "融资、贷款、担保", "status": "same", "from": [7]}
    assert clusters[1]["status"] == "merged" and clusters[1]["from"] == [8, 9]
    assert [c["status"] for c in clusters[2:4]] == ["split", "split"]
    assert all(c["from"] == [10] for c in clusters[2:4])
    assert clusters[4] == {"id": None, "name": None, "status": "new", "from": []}
    assert result["removed"] == [11]
    kept = [c["id"] for c in clusters if c["id"] is not None]
    assert len(kept) == len(set(kept))  # an old id goes to one new cluster at most


def test_rebuild_keeps_cluster_identity(segmenter, three_topics):
    docs, _ = three_topics
    ids = list(range(len(docs)))
    first = IdeaClusterer(n_clusters=3, random_state=0).fit(docs)
    previous = {100 + c: {"name": first.cluster_names_[c],
                          "members": [i for i in ids if first.labels_[i] == c]} for c in range(3)}
    extra = segmenter.segment("小企业贷款难，融资担保太少。")
    second = IdeaClusterer(n_clusters=3, random_state=1).fit(docs + [extra])
    current = [[i for i in ids + [len(docs)] if second.labels_[i] == c] for c in range(3)]
    result = match_clusters(previous, current)
    assert sorted(c["id"] for c in result["clusters"]) == [100, 101, 102]
    assert all(c["status"] == "same" for c in result["clusters"])
    assert {c["name"] for c in result["clusters"]} == set(first.cluster_names_)
    assert result["removed"] == []


def test_match_with_nothing_before():
    result = match_clusters({}, [[1, 2], [3]])
    assert [c["status"] for c in result["clusters"]] == ["new", "new"]
    assert result["removed"] == []
