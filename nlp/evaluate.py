"""Measure the models on labelled CSV files; prints one JSON line per run.

Keys of the JSON line, by option:

* ``--train/--test``: macro_f1, accuracy, n_train, n_test, seconds, and
  at_threshold (coverage and accuracy of the ideas above ``--threshold``);
* ``--data/--cv``: cv_macro_f1 and cv_macro_f1_folds;
* ``--themes``: zero_shot_macro_f1, zero_shot_accuracy, zero_shot_at_threshold
  (the zero-shot model is fitted on the unlabelled texts of ``--test``);
* ``--cluster``: nmi, ari, cluster_silhouette;
* ``--dup-group-col``: dup_precision and dup_recall over pairs of ideas that
  share a group id, dup_pairs_true and dup_pairs_found.

Macro-F1 and accuracy give every idea its best theme (no threshold).

Examples::

    python -m nlp.evaluate --data labeled.csv --cv 5
    python -m nlp.evaluate --train a.csv --test b.csv
    python -m nlp.evaluate --themes nlp/data/eval_themes_7.json --test labeled.csv --cluster
    python -m nlp.evaluate --test likes.csv --text-col title,detail --dup-group-col dup_exact_group
"""
import argparse
import csv
import itertools
import json
import tempfile
import time
from collections import defaultdict

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import (accuracy_score, adjusted_rand_score, f1_score,
                             normalized_mutual_info_score)
from sklearn.model_selection import StratifiedKFold

from .cluster import IdeaClusterer
from .segmenter import Segmenter, segment_many, set_default_segmenter
from .similar import SimilarIdeas
from .themes import SupervisedThemeAssigner, ZeroShotThemeAssigner, theme_keywords


def read_csv(path, text_cols, label_col=None, group_cols=()):
    """Texts (text columns joined), labels (None if blank) and group ids per column."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = ["".join(row.get(col) or "" for col in text_cols) for row in rows]
    labels = [(row.get(label_col) or "").strip() or None for row in rows] if label_col else None
    groups = {col: [(row.get(col) or "").strip() or None for row in rows] for col in group_cols}
    return texts, labels, groups


def load_themes(path):
    """A ``{label: {"description", "keywords"}}`` file as a list of theme dicts."""
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    return [{"code": label, "name": label, "description": value.get("description", ""),
             "keywords": value.get("keywords", [])} for label, value in spec.items()]


def _scores(y_true, y_pred):
    return {"macro_f1": round(float(f1_score(y_true, y_pred, average="macro")), 4),
            "accuracy": round(float(accuracy_score(y_true, y_pred)), 4)}


def _coverage(assigner, docs, y_true, threshold):
    """Share of ideas given a theme at ``threshold`` and accuracy on those."""
    assigner.threshold = threshold
    codes, _ = assigner.assign(docs)
    assigned = np.array([code is not None for code in codes])
    correct = np.array([code == label for code, label in zip(codes, y_true)])
    return {"threshold": threshold, "coverage": round(float(assigned.mean()), 4),
            "accuracy_assigned": round(float(correct[assigned].mean()), 4)
            if assigned.any() else None}


def _fit_and_score(train_docs, train_labels, test_docs, test_labels):
    # Threshold 0: every idea gets its best theme, as macro-F1 expects.
    model = SupervisedThemeAssigner(threshold=0.0).fit(train_docs, train_labels)
    return _scores(test_labels, model.predict(test_docs))["macro_f1"]


def evaluate_supervised(train_docs, train_labels, test_docs, test_labels, threshold):
    start = time.perf_counter()
    model = SupervisedThemeAssigner(threshold=0.0).fit(train_docs, train_labels)
    result = _scores(test_labels, model.predict(test_docs))
    result.update(n_train=len(train_docs), n_test=len(test_docs),
                  seconds=round(time.perf_counter() - start, 2))
    result["at_threshold"] = _coverage(model, test_docs, test_labels, threshold)
    return result


def _take(items, rows):
    return [items[row] for row in rows]


def evaluate_cv(docs, labels, folds, n_jobs, seed):
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(docs, labels)
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(_take(docs, train), _take(labels, train),
                                _take(docs, test), _take(labels, test))
        for train, test in splits)
    return {"cv_folds": folds, "cv_macro_f1": round(float(np.mean(scores)), 4),
            "cv_macro_f1_folds": scores}


def evaluate_zero_shot(themes, docs, labels, threshold):
    start = time.perf_counter()
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit(docs)
    scores = _scores(labels, model.predict(docs))
    return {"zero_shot_macro_f1": scores["macro_f1"], "zero_shot_accuracy": scores["accuracy"],
            "zero_shot_seconds": round(time.perf_counter() - start, 2),
            "zero_shot_at_threshold": _coverage(model, docs, labels, threshold)}


def evaluate_clusters(docs, labels, seed):
    start = time.perf_counter()
    clusterer = IdeaClusterer(n_clusters=len(set(labels)), random_state=seed).fit(docs)
    return {"nmi": round(float(normalized_mutual_info_score(labels, clusterer.labels_)), 4),
            "ari": round(float(adjusted_rand_score(labels, clusterer.labels_)), 4),
            "cluster_silhouette": clusterer.silhouette_,
            "cluster_seconds": round(time.perf_counter() - start, 2)}


def evaluate_duplicates(docs, groups, top_k, min_score):
    """Pairs found by the index against pairs sharing a group id.

    A pair counts as found when each member lists the other among its
    ``top_k`` results scoring at least ``min_score``.
    """
    truth = set()
    for column in groups.values():
        members = defaultdict(list)
        for row, group in enumerate(column):
            if group is not None:
                members[group].append(row)
        for rows in members.values():
            truth.update(itertools.combinations(sorted(rows), 2))
    index = SimilarIdeas(top_k=top_k, min_score=min_score).fit(docs, range(len(docs)))
    neighbours = [{hit for hit, _ in index.query(doc, exclude=row)} for row, doc in enumerate(docs)]
    found = {(a, b) for a in range(len(docs)) for b in neighbours[a]
             if a < b and a in neighbours[b]}
    hits = len(found & truth)
    return {"dup_pairs_true": len(truth), "dup_pairs_found": len(found),
            "dup_precision": round(hits / len(found), 4) if found else None,
            "dup_recall": round(hits / len(truth), 4) if truth else None,
            "dup_top_k": top_k, "dup_min_score": min_score}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m nlp.evaluate",
        description="评估意见的主题分配、聚类和相似意见查找；每次运行输出一行 JSON。",
        epilog="示例：\n" + "\n".join(line.strip() for line in __doc__.splitlines()
                                      if line.startswith("    python")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", help="训练有监督分配器的 CSV（与 --test 一起用）")
    parser.add_argument("--test", help="评估用的 CSV（零样本、聚类、重复意见）")
    parser.add_argument("--data", help="交叉验证用的 CSV（与 --cv 一起用）")
    parser.add_argument("--cv", type=int, metavar="K", help="对 --data 做 K 折分层交叉验证")
    parser.add_argument("--themes", help='主题 JSON {标签: {"description", "keywords"}}：'
                                         "对 --test 做零样本分配")
    parser.add_argument("--cluster", action="store_true",
                        help="把 --test 聚成与其标签数相同的簇，输出 NMI 和 ARI")
    parser.add_argument("--dup-group-col", help="--test 中的重复分组列（逗号分隔）："
                                                "相似意见查找的精确率和召回率")
    parser.add_argument("--text-col", default="text", help="文本列，多列用逗号分隔后拼接")
    parser.add_argument("--label-col", default="label", help="标签列")
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="计算覆盖率时的置信度阈值")
    parser.add_argument("--top-k", type=int, default=10, help="每条意见取的相似意见数")
    parser.add_argument("--min-score", type=float, default=0.9, help="判为重复的最低余弦相似度")
    parser.add_argument("--n-jobs", type=int, default=2, help="分词和交叉验证用的进程数")
    parser.add_argument("--cache-dir", help="jieba 缓存目录（默认系统临时目录）")
    parser.add_argument("--seed", type=int, default=0, help="随机种子")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not (args.train and args.test) and not (args.data and args.cv) and not (
            args.test and (args.themes or args.cluster or args.dup_group_col)):
        parser.error("没有要做的评估：请给出 --train 和 --test、--data 和 --cv，"
                     "或 --test 加 --themes、--cluster、--dup-group-col 之一")
    themes = load_themes(args.themes) if args.themes else None
    segmenter = Segmenter(cache_dir=args.cache_dir or tempfile.gettempdir(),
                          user_words=theme_keywords(themes or []))
    set_default_segmenter(segmenter)
    text_cols = args.text_col.split(",")
    group_cols = args.dup_group_col.split(",") if args.dup_group_col else ()

    def load(path, groups=()):
        texts, labels, group_ids = read_csv(path, text_cols, args.label_col, groups)
        return segment_many(texts, n_jobs=args.n_jobs, segmenter=segmenter), labels, group_ids

    result = {}
    if args.data and args.cv:
        docs, labels, _ = load(args.data)
        keep = [i for i, label in enumerate(labels) if label is not None]
        result.update(evaluate_cv(_take(docs, keep), _take(labels, keep), args.cv, args.n_jobs,
                                  args.seed))
    if args.test:
        test_docs, test_labels, groups = load(args.test, group_cols)
        labelled = [i for i, label in enumerate(test_labels) if label is not None]
        docs_l, labels_l = _take(test_docs, labelled), _take(test_labels, labelled)
        if args.train:
            train_docs, train_labels, _ = load(args.train)
            result.update(evaluate_supervised(train_docs, train_labels, docs_l, labels_l,
                                              args.threshold))
        if themes and labelled:
            result.update(evaluate_zero_shot(themes, docs_l, labels_l, args.threshold))
        if args.cluster and labelled:
            result.update(evaluate_clusters(docs_l, labels_l, args.seed))
        if group_cols:
            result.update(evaluate_duplicates(test_docs, groups, args.top_k, args.min_score))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
