import logging
import pickle
import subprocess
import sys
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp import segmenter as seg_module
from nlp.segmenter import Segmenter, normalize, segment_many, split_tokens, tokenize

ROOT = Path(__file__).resolve().parents[2]


def test_campaign_terms_stay_whole(segmenter):
    tokens = segmenter.cut("建议推进三高四新战略，长株潭率先推行一件事一次办，解决融资难、融资贵和招工难。")
    for word in ("三高四新", "长株潭", "一件事一次办", "融资难", "融资贵", "招工难"):
        assert word in tokens


def test_shipped_dictionary_terms_stay_whole(segmenter):
    tokens = segmenter.cut("清理编外人员，改变叠床架屋，推进政区分设，实行链长制，发展专精特新企业")
    for word in ("编外人员", "叠床架屋", "政区分设", "链长制", "专精特新"):
        assert word in tokens


def test_full_width_and_whitespace_are_normalised():
    assert normalize("ＡＰＰ　办理\t\n  １２３号") == "app 办理 123号"
    assert normalize("营商环境，　很重要！！") == "营商环境 很重要"


def test_masked_and_long_digits_are_dropped():
    text = "我的电话138****1234，身份证*****************，订单号2019061712345，共3次"
    cleaned = normalize(text)
    assert "*" not in cleaned
    assert "138" not in cleaned and "1234" not in cleaned
    assert "2019061712345" not in cleaned
    assert "3次" in cleaned


def test_stop_words_single_characters_and_numbers_are_dropped(segmenter):
    tokens = segmenter.cut("我们希望领导能够尽快解决这个问题，A3区E12市的3个园区")
    assert "我们" not in tokens and "希望" not in tokens and "问题" not in tokens
    assert all(len(token) > 1 for token in tokens)
    assert "a3" not in tokens and "e12" not in tokens
    assert "园区" in tokens
    assert "5g" in segmenter.cut("建设5G基站和APP")


def test_user_words_are_added(segmenter, tmp_path):
    text = "湘江新区的智造谷计划"
    extended = Segmenter(cache_dir=tmp_path, user_words=["智造谷计划"])
    assert "智造谷计划" not in segmenter.cut(text)
    assert "智造谷计划" in extended.cut(text)
    # The prefix-dictionary cache goes to the folder the caller gave.
    assert [path.name for path in tmp_path.iterdir()] == ["jieba.cache"]


def test_jieba_logging_is_quiet(segmenter):
    assert logging.getLogger("jieba").getEffectiveLevel() >= logging.WARNING


def test_segment_joins_tokens_and_split_tokens_reverses_it(segmenter):
    text = "园区管委会叠床架屋"
    assert split_tokens(segmenter.segment(text)) == segmenter.cut(text)
    assert split_tokens("") == []


def test_tokenize_uses_the_default_segmenter(segmenter):
    assert seg_module.get_default_segmenter() is segmenter
    assert tokenize("融资难融资贵") == segmenter.cut("融资难融资贵")


def test_tokenizer_and_segmenter_pickle(segmenter, tmp_path):
    assert pickle.loads(pickle.dumps(tokenize)) is tokenize
    assert pickle.loads(pickle.dumps(split_tokens)) is split_tokens
    copy = pickle.loads(pickle.dumps(segmenter))
    text = "打通科技成果转化，培养技术经理人"
    assert copy.cut(text) == segmenter.cut(text)
    assert len(pickle.dumps(segmenter)) < 2000  # parameters only, not the dictionary

    vectorizer = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False)
    vectorizer.fit(["融资难融资贵", "编外人员人浮于事"])
    joblib.dump(vectorizer, tmp_path / "vectorizer.joblib")
    loaded = joblib.load(tmp_path / "vectorizer.joblib")
    assert "融资难" in loaded.vocabulary_
    assert loaded.transform(["融资难"]).nnz == 1


def test_segment_many_matches_serial_in_processes(segmenter):
    texts = ["园区叠床架屋", "融资难融资贵", "编外人员太多", "", "科技成果转化难", "营商环境"] * 2
    serial = [segmenter.segment(text) for text in texts]
    assert segment_many(texts, n_jobs=1, segmenter=segmenter) == serial
    assert segment_many(texts, n_jobs=2, segmenter=segmenter, min_parallel=0,
                        chunksize=2) == serial


def test_importing_does_not_load_jieba():
    code = "import sys, nlp.segmenter, nlp.themes, nlp.cluster; print('jieba' in sys.modules)"
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
