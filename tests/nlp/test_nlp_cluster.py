import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from nlp.cluster import IdeaClusterer


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
