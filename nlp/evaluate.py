"""Measure the models on labelled CSV files; prints one JSON line per run.

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


def evaluate_cv(docs, labels, folds, n_jobs, seed):
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(docs, labels)
    take = lambda items, idx: [items[i] for i in idx]  # noqa: E731
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(take(docs, tr), take(labels, tr), take(docs, te), take(labels, te))
        for tr, te in splits)
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
        description="评估意见分类、聚类和相似意见查找；每次运行输出一行 JSON。")
    parser.add_argument("--train", help="CSV to train the supervised assigner on")
    parser.add_argument("--test", help="CSV to evaluate on (zero-shot, clusters, duplicates)")
    parser.add_argument("--data", help="CSV for --cv")
    parser.add_argument("--cv", type=int, metavar="K", help="stratified K-fold CV of --data")
    parser.add_argument("--themes", help='JSON {label: {"description", "keywords"}}: '
                                         "zero-shot assignment of --test")
    parser.add_argument("--cluster", action="store_true",
                        help="cluster --test into as many clusters as it has labels")
    parser.add_argument("--dup-group-col", help="group column(s) of --test, comma-separated: "
                                                "precision/recall of the similar-ideas finder")
    parser.add_argument("--text-col", default="text", help="text column(s), comma-separated")
    parser.add_argument("--label-col", default="label")
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="confidence threshold for the coverage figures")
    parser.add_argument("--top-k", type=int, default=10, help="neighbours per idea (duplicates)")
    parser.add_argument("--min-score", type=float, default=0.9,
                        help="cosine floor for a duplicate")
    parser.add_argument("--n-jobs", type=int, default=2, help="processes for segmentation and CV")
    parser.add_argument("--cache-dir", help="jieba cache folder (default: system temp)")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not (args.train and args.test) and not (args.data and args.cv) and not (
            args.test and (args.themes or args.cluster or args.dup_group_col)):
        parser.error("nothing to do: give --train/--test, --data/--cv, or --test with "
                     "--themes, --cluster or --dup-group-col")
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
        result.update(evaluate_cv([docs[i] for i in keep], [labels[i] for i in keep],
                                  args.cv, args.n_jobs, args.seed))
    if args.test:
        test_docs, test_labels, groups = load(args.test, group_cols)
        labelled = [i for i, label in enumerate(test_labels) if label is not None]
        docs_l, labels_l = [test_docs[i] for i in labelled], [test_labels[i] for i in labelled]
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
