"""Background weights from outside the campaign, and the priors built from demo texts."""
from nlp.background import TermSpace, TermWeights, spread, term_parts
from nlp.priors import build_priors


def test_compounds_have_their_dictionary_parts():
    assert {"拖欠", "账款"} <= set(term_parts("拖欠账款"))
    assert {"承诺", "兑现"} <= set(term_parts("承诺不兑现"))
    assert term_parts("融资") == ()


def test_generic_words_weigh_less(segmenter):
    weights = TermWeights()
    for generic, specific in (("很多", "融资"), ("每个", "借调"), ("省里", "管委会")):
        assert weights(generic) < weights(specific) / 2


def test_transform_leaves_the_space_unchanged():
    space = TermSpace()
    space.vector(["融资 贷款"])
    size = len(space.index)
    X = space.transform(["融资 担保 公司", "完全 不同 的 词"])
    assert len(space.index) == size and X.shape == (2, size)
    # Unknown words still count in the length: a longer idea is less similar.
    assert 0 < X[0].sum() < space.transform(["融资"])[0].sum()


def test_spread_marks_words_used_for_every_theme():
    groups = {"a": [["企业", "融资"]] * 3, "b": [["企业", "编外"]] * 3}
    factors = spread(groups)
    assert factors["企业"] == 0.5
    assert "融资" not in factors and "编外" not in factors


def test_priors_hold_vocabulary_for_default_themes_only(segmenter, themes):
    by_theme = {"costs": ["银行抽贷断贷，过桥资金利息高。", "应收账款融资，供应链金融。"],
                "tech": ["概念验证中心，小试放大。"]}
    priors = build_priors(by_theme, themes, segmenter)
    assert set(priors["themes"]) == {"costs", "tech"}
    assert priors["themes"]["costs"]["name"] == "降低融资物流用工成本"
    assert "抽贷" in priors["themes"]["costs"]["terms"]
