"""Measure the models on labelled CSV files; prints one JSON line per run.

Keys of the JSON line, by option:

* ``--train/--test``: macro_f1, accuracy, n_train, n_test, seconds, and
  at_threshold (coverage and accuracy of the ideas above ``--threshold``);
* ``--data/--cv``: cv_macro_f1 and cv_macro_f1_folds;
* ``--themes`` (the app's theme file or ``{label: {...}}``): zero_shot_macro_f1
  and zero_shot_accuracy (best theme of each on-topic row), zero_shot_at_threshold;
  with ``--other-label`` (rows with that label are off-topic and count as right
  when left unassigned; ``--off-topic`` adds real messages read at run time):
  other_recall, on_topic_unassigned, coverage, ece, reliability, staff_load,
  zero_shot_gated_macro_f1 (unassigned counts as wrong), and, where the test
  file has a ``secondary`` column, secondary_recall / secondary_precision;
  ``--fit-size N`` fits the zero-shot model on N random rows and scores all;
  ``--bootstrap`` adds bootstrap_macro_f1 and bootstrap_accuracy of
  :class:`nlp.bootstrap.BootstrappedThemeAssigner` fitted on the test rows;
* ``--cluster``: nmi, ari, cluster_silhouette;
* ``--dup-group-col``: dup_precision and dup_recall over pairs of ideas that
  share a group id, dup_pairs_true and dup_pairs_found.

Macro-F1 and accuracy give every idea its best theme (no threshold).
``--half dev|eval`` keeps only the rows of ``--data`` and ``--test`` with an
even or odd ``uid`` (``--train-half`` the same for ``--train``), so choices
made on one half are reported on the other.

Examples::

    python -m nlp.evaluate --data labeled.csv --cv 5
    python -m nlp.evaluate --train a.csv --test b.csv
    python -m nlp.evaluate --themes nlp/data/service_topics.json --test labeled.csv --cluster
    python -m nlp.evaluate --themes nlp/data/service_topics.json --test labeled.csv --bootstrap
    python -m nlp.evaluate --train labeled.csv --train-half dev --test labeled.csv --half eval
    python -m nlp.evaluate --themes ideas/data/default_themes.json --other-label 其他 \\
        --test nlp/data/eval/ten_themes_eval.jsonl --off-topic labeled.csv
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

from .bootstrap import BootstrappedThemeAssigner
from .calibration import expected_calibration_error, reliability_curve, staff_load
from .cluster import IdeaClusterer
from .segmenter import Segmenter, segment_many, set_default_segmenter
from .similar import SimilarIdeas
from .supervised import SupervisedThemeAssigner
from .theme_base import load_themes, theme_keywords
from .zero_shot import ZeroShotThemeAssigner

# Below this many rows one process is faster than starting a second one.
PARALLEL_ABOVE = 3000
STAFF_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8)


def read_rows(path, text_cols, label_col=None, group_cols=(), extra_cols=()):
    """Texts, labels (None if blank) and columns from a CSV or JSON-lines file.

    Returns ``(texts, labels, columns)`` where ``columns`` maps each of
    ``group_cols`` and ``extra_cols`` to its values (None if blank).
    """
    if str(path).endswith(".jsonl"):
        with open(path, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    texts = ["".join(row.get(col) or "" for col in text_cols) for row in rows]
    labels = [(row.get(label_col) or "").strip() or None for row in rows] if label_col else None
    columns = {col: [(row.get(col) or "").strip() or None for row in rows]
               for col in (*group_cols, *extra_cols)}
    return texts, labels, columns


def read_csv(path, text_cols, label_col=None, group_cols=()):
    """Texts (text columns joined), labels (None if blank) and group ids per column."""
    return read_rows(path, text_cols, label_col, group_cols)


def read_off_topic(path, split, n, seed=0, text_col="text", id_col="uid"):
    """Real messages as off-topic texts, read at run time (never stored).

    ``split`` picks the half: ``"dev"`` rows with an even ``uid``, ``"eval"``
    the odd ones, so tuning and reporting never share a message; ``n``
    random rows of that half (all if n is 0 or more than there are).
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle)
                if (int(row[id_col]) % 2 == 0) == (split == "dev")]
    texts = [row[text_col] for row in rows if (row.get(text_col) or "").strip()]
    if n and n < len(texts):
        keep = np.sort(np.random.RandomState(seed).choice(len(texts), n, replace=False))
        texts = [texts[i] for i in keep]
    return texts


def in_half(ids, half):
    """Row numbers whose id is even (``"dev"``) or odd (``"eval"``)."""
    return [row for row, value in enumerate(ids) if (int(value) % 2 == 0) == (half == "dev")]


def _scores(y_true, y_pred):
    return {"macro_f1": round(float(f1_score(y_true, y_pred, average="macro")), 4),
            "accuracy": round(float(accuracy_score(y_true, y_pred)), 4)}


def _coverage(assigner, docs, y_true, threshold, texts=None):
    """Share of ideas given a theme at ``threshold`` and accuracy on those."""
    assigner.threshold = threshold
    codes, _ = assigner.assign(docs, texts)
    assigned = np.array([code is not None for code in codes])
    correct = np.array([code == label for code, label in zip(codes, y_true)])
    return {"threshold": threshold, "coverage": round(float(assigned.mean()), 4),
            "accuracy_assigned": round(float(correct[assigned].mean()), 4)
            if assigned.any() else None}


def _take(items, rows):
    return None if items is None else [items[row] for row in rows]


def _fit_and_score(train_docs, train_labels, test_docs, test_labels, train_texts=None,
                   test_texts=None):
    # Threshold 0: every idea gets its best theme, as macro-F1 expects.
    model = SupervisedThemeAssigner(threshold=0.0).fit(train_docs, train_labels, train_texts)
    return _scores(test_labels, model.predict(test_docs, test_texts))["macro_f1"]


def evaluate_supervised(train_docs, train_labels, test_docs, test_labels, threshold,
                        train_texts=None, test_texts=None):
    start = time.perf_counter()
    model = SupervisedThemeAssigner(threshold=0.0).fit(train_docs, train_labels, train_texts)
    result = _scores(test_labels, model.predict(test_docs, test_texts))
    result.update(n_train=len(train_docs), n_test=len(test_docs),
                  seconds=round(time.perf_counter() - start, 2))
    result["at_threshold"] = _coverage(model, test_docs, test_labels, threshold, test_texts)
    return result


def evaluate_cv(docs, labels, folds, n_jobs, seed, texts=None):
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(docs, labels)
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(_take(docs, train), _take(labels, train),
                                _take(docs, test), _take(labels, test),
                                _take(texts, train), _take(texts, test))
        for train, test in splits)
    return {"cv_folds": folds, "cv_macro_f1": round(float(np.mean(scores)), 4),
            "cv_macro_f1_folds": scores}


def _fit_rows(n, fit_size, seed):
    if fit_size is None or fit_size >= n:
        return np.arange(n)
    return np.sort(np.random.RandomState(seed).choice(n, fit_size, replace=False))


def operating_points(results, labels, other_label, thresholds):
    """For each threshold: off-topic left unassigned, on-topic left unassigned
    and accuracy of the ideas given a theme."""
    on = np.array([label != other_label for label in labels])
    confidence = np.array([r.confidence for r in results])
    gated = np.array([r.status == "off_topic" for r in results])
    right = np.array([r.best == label for r, label in zip(results, labels)])
    points = []
    for threshold in thresholds:
        assigned = ~gated & (confidence >= threshold)
        points.append({"threshold": threshold,
                       "other_recall": round(float((~assigned[~on]).mean()), 4)
                       if (~on).any() else None,
                       "on_topic_unassigned": round(float((~assigned[on]).mean()), 4)
                       if on.any() else None,
                       "accuracy_assigned": round(float(right[assigned].mean()), 4)
                       if assigned.any() else None})
    return points


def evaluate_zero_shot(themes, docs, labels, threshold, other_label=None, secondary=None,
                       fit_size=None, gate=None, seed=0, prior_weight=2.0):
    """Zero-shot figures; rows labelled ``other_label`` are off-topic.

    The model is fitted on the unlabelled texts (``fit_size`` random rows of
    them when given) and scores every row.  ``gate`` defaults to on when
    there is an ``other_label``.
    """
    start = time.perf_counter()
    gate = other_label is not None if gate is None else gate
    fit = _fit_rows(len(docs), fit_size, seed)
    model = ZeroShotThemeAssigner(themes, threshold=threshold, gate=gate,
                                  prior_weight=prior_weight)
    model.fit([docs[i] for i in fit])
    results = model.analyse(docs)
    on = np.array([label != other_label for label in labels])
    best = np.array([r.best for r in results], dtype=object)
    primary = np.array([r.primary for r in results], dtype=object)
    truth = np.array(labels, dtype=object)
    scores = _scores(truth[on], best[on])
    out = {"zero_shot_macro_f1": scores["macro_f1"], "zero_shot_accuracy": scores["accuracy"],
           "n_on_topic": int(on.sum()), "n_fit": len(fit)}
    confidence = np.array([r.confidence for r in results])
    correct = np.array([r.best == label and label != other_label
                        for r, label in zip(results, labels)])
    out["ece"] = round(expected_calibration_error(confidence, correct), 4)
    out["reliability"] = reliability_curve(confidence, correct)
    assigned = np.array([p is not None for p in primary])
    out["coverage"] = round(float(assigned.mean()), 4)
    out["on_topic_unassigned"] = round(float((~assigned[on]).mean()), 4) if on.any() else None
    if other_label is not None:
        off = ~on
        out["n_off_topic"] = int(off.sum())
        out["other_recall"] = round(float((~assigned[off]).mean()), 4) if off.any() else None
        out["off_topic_by_gate"] = (round(float(np.mean([r.status == "off_topic"
                                                         for r, o in zip(results, off) if o])), 4)
                                    if off.any() else None)
        gated = np.where(assigned, primary, other_label)
        out["zero_shot_gated_macro_f1"] = round(float(f1_score(
            truth, gated, labels=sorted(set(truth[on])), average="macro")), 4)
        out["accuracy_with_other"] = round(float(np.mean(gated == truth)), 4)
    if secondary is not None:
        rows = [i for i, s in enumerate(secondary) if s]
        found = [results[i].secondary == secondary[i] or (
            results[i].best == secondary[i] and results[i].secondary == labels[i]) for i in rows]
        given = [i for i, r in enumerate(results) if r.secondary and on[i]]
        right = [results[i].secondary in (labels[i], secondary[i]) for i in given]
        out["secondary_recall"] = round(float(np.mean(found)), 4) if rows else None
        out["secondary_precision"] = round(float(np.mean(right)), 4) if given else None
        out["secondary_given"] = round(len(given) / max(int(on.sum()), 1), 4)
    if other_label is not None:
        out["operating_points"] = operating_points(results, labels, other_label,
                                                   STAFF_THRESHOLDS)
    out["staff_load"] = staff_load([r.confidence if r.status != "off_topic" else None
                                    for r in results], STAFF_THRESHOLDS)
    out["zero_shot_at_threshold"] = {"threshold": threshold, "coverage": out["coverage"],
                                     "accuracy_assigned": round(float(np.mean(
                                         primary[assigned] == truth[assigned])), 4)
                                     if assigned.any() else None}
    out["zero_shot_seconds"] = round(time.perf_counter() - start, 2)
    return out


def evaluate_bootstrap(themes, docs, texts, labels, other_label=None, gate=None):
    """Best-theme figures of the zero-shot model self-trained on these rows."""
    start = time.perf_counter()
    gate = other_label is not None if gate is None else gate
    model = BootstrappedThemeAssigner(themes, threshold=0.0, gate=gate).fit(docs, texts=texts)
    best = np.array([r.best for r in model.analyse(docs, texts)], dtype=object)
    on = np.array([label != other_label for label in labels])
    scores = _scores(np.array(labels, dtype=object)[on], best[on])
    return {"bootstrap_macro_f1": scores["macro_f1"], "bootstrap_accuracy": scores["accuracy"],
            "bootstrap_seconds": round(time.perf_counter() - start, 2)}


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


def _theme_codes(themes, labels):
    """Labels written as theme names become theme codes."""
    by_name = {t["name"]: t["code"] for t in themes}
    return [by_name.get(label, label) if label is not None else None for label in labels]


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m nlp.evaluate",
        description="评估意见的主题分配、聚类和相似意见查找；每次运行输出一行 JSON。",
        # The docstring's example commands, a wrapped one with its continuation line.
        epilog="示例：\n" + "\n".join(line[4:] for line in __doc__.splitlines()
                                      if line.startswith(("    python", "        --"))),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", help="训练有监督分配器的 CSV（与 --test 一起用）")
    parser.add_argument("--test", help="评估用的 CSV 或 JSONL（零样本、聚类、重复意见）")
    parser.add_argument("--data", help="交叉验证用的 CSV（与 --cv 一起用）")
    parser.add_argument("--cv", type=int, metavar="K", help="对 --data 做 K 折分层交叉验证")
    parser.add_argument("--themes", help="主题文件：应用的主题格式（如 ideas/data/default_themes.json）"
                                         '或 {标签: {"description", "keywords"}}；对 --test 做零样本分配')
    parser.add_argument("--other-label", help="表示“不属于任何主题”的标签（如 其他）：这些行未分配才算对")
    parser.add_argument("--off-topic", help="真实留言 CSV：运行时读入，作为非征集内容加入 --test")
    parser.add_argument("--off-topic-split", choices=("dev", "eval"), default="eval",
                        help="取留言的哪一半（uid 偶数为 dev，奇数为 eval）")
    parser.add_argument("--off-topic-n", type=int, default=300, help="加入多少条留言（0 为全部）")
    parser.add_argument("--gate", choices=("auto", "on", "off"), default="auto",
                        help="非征集内容闸门：auto 在给出 --other-label 时打开")
    parser.add_argument("--fit-size", type=int, metavar="N",
                        help="零样本模型只用随机 N 行拟合，再给全部行打分")
    parser.add_argument("--prior-weight", type=float, default=2.0,
                        help="默认主题自带词表的权重（0：只用主题自己的名称、说明和关键词）")
    parser.add_argument("--secondary-col", default="secondary", help="次要主题列（有则评估多标签）")
    parser.add_argument("--bootstrap", action="store_true",
                        help="再把零样本结果在 --test 各行上自训练（依赖这批语料，与语料规模有关）")
    parser.add_argument("--half", choices=("dev", "eval"),
                        help="--data 和 --test 只取一半行（--id-col 偶数为 dev，奇数为 eval）")
    parser.add_argument("--train-half", choices=("dev", "eval"), help="--train 只取一半行，同上")
    parser.add_argument("--id-col", default="uid", help="--half、--train-half 和 --off-topic 用的编号列")
    parser.add_argument("--cluster", action="store_true",
                        help="把 --test 聚成与其标签数相同的簇，输出 NMI 和 ARI")
    parser.add_argument("--dup-group-col", help="--test 中的重复分组列（逗号分隔）："
                                                "相似意见查找的精确率和召回率")
    parser.add_argument("--text-col", default="text", help="文本列，多列用逗号分隔后拼接")
    parser.add_argument("--label-col", default="label", help="标签列")
    parser.add_argument("--threshold", type=float, default=0.4,
                        help="计算覆盖率时的置信度阈值")
    parser.add_argument("--top-k", type=int, default=10, help="每条意见取的相似意见数")
    parser.add_argument("--min-score", type=float, default=0.9, help="判为重复的最低余弦相似度")
    parser.add_argument("--n-jobs", type=int, help=f"分词和交叉验证用的进程数"
                                                   f"（默认：不到 {PARALLEL_ABOVE} 行用 1 个，否则 2 个）")
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
    if args.off_topic and not args.other_label:
        parser.error("--off-topic 需要 --other-label（留言以这个标签加入）")
    themes = load_themes(args.themes) if args.themes else None
    segmenter = Segmenter(cache_dir=args.cache_dir or tempfile.gettempdir(),
                          user_words=theme_keywords(themes or []))
    set_default_segmenter(segmenter)
    text_cols = args.text_col.split(",")
    group_cols = args.dup_group_col.split(",") if args.dup_group_col else ()

    def segmented(texts):
        n_jobs = args.n_jobs or (1 if len(texts) < PARALLEL_ABOVE else 2)
        return segment_many(texts, n_jobs=n_jobs, segmenter=segmenter)

    def load(path, groups=(), extra=(), half=None):
        texts, labels, columns = read_rows(path, text_cols, args.label_col, groups,
                                           (*extra, args.id_col) if half else extra)
        if half:
            rows = in_half(columns.pop(args.id_col), half)
            texts, labels = _take(texts, rows), _take(labels, rows)
            columns = {col: _take(values, rows) for col, values in columns.items()}
        return texts, labels, columns

    result = {}
    if args.data and args.cv:
        texts, labels, _ = load(args.data, half=args.half)
        keep = [i for i, label in enumerate(labels) if label is not None]
        texts = _take(texts, keep)
        n_jobs = args.n_jobs or (1 if len(texts) < PARALLEL_ABOVE else 2)
        result.update(evaluate_cv(segmented(texts), _take(labels, keep), args.cv, n_jobs,
                                  args.seed, texts))
    if args.test:
        texts, test_labels, columns = load(args.test, group_cols, (args.secondary_col,), args.half)
        secondary = columns.get(args.secondary_col)
        if args.off_topic:
            extra = read_off_topic(args.off_topic, args.off_topic_split, args.off_topic_n,
                                   args.seed, id_col=args.id_col)
            texts += extra
            test_labels += [args.other_label] * len(extra)
            secondary = secondary + [None] * len(extra)
            for col in group_cols:
                columns[col] += [None] * len(extra)
        test_docs = segmented(texts)
        other_label = args.other_label
        if themes:
            test_labels = _theme_codes(themes, test_labels)
            secondary = _theme_codes(themes, secondary)
            other_label = _theme_codes(themes, [other_label])[0]
        labelled = [i for i, label in enumerate(test_labels) if label is not None]
        docs_l, labels_l = _take(test_docs, labelled), _take(test_labels, labelled)
        if args.train:
            train_texts, train_labels, _ = load(args.train, half=args.train_half)
            result.update(evaluate_supervised(segmented(train_texts), train_labels, docs_l,
                                              labels_l, args.threshold, train_texts,
                                              _take(texts, labelled)))
        gate = {"auto": None, "on": True, "off": False}[args.gate]
        if themes and labelled:
            result.update(evaluate_zero_shot(
                themes, docs_l, labels_l, args.threshold, other_label,
                _take(secondary, labelled) if secondary and any(secondary) else None,
                args.fit_size, gate, args.seed, args.prior_weight))
        if themes and labelled and args.bootstrap:
            result.update(evaluate_bootstrap(themes, docs_l, _take(texts, labelled), labels_l,
                                             other_label, gate))
        if args.cluster and labelled:
            result.update(evaluate_clusters(docs_l, labels_l, args.seed))
        if group_cols:
            result.update(evaluate_duplicates(test_docs, {c: columns[c] for c in group_cols},
                                              args.top_k, args.min_score))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


if __name__ == "__main__":
    main()
