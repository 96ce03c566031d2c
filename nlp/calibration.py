"""Confidence that means something: calibration maps, reliability, staff load.

A confidence of 0.8 should be right about 80 % of the time.  The zero-shot
model's raw score (the top theme's share of a softmax over cosines) is mapped
to a probability by a Platt sigmoid fitted on the dev set and shipped in
``nlp/data/calibration.json`` together with the off-topic gate (see
:mod:`nlp.gate`); ``python -m nlp.calibration`` rebuilds that file.

:func:`reliability_curve` and :func:`expected_calibration_error` measure it;
:func:`staff_load` turns the 待人工确认 threshold into a dial: for each
threshold, how many ideas go to staff.
"""
import argparse
import functools
import json
import os
import tempfile

import numpy as np

from .segmenter import DATA_DIR

CALIBRATION_PATH = DATA_DIR / "calibration.json"


@functools.lru_cache(maxsize=4)
def load_calibration(path=CALIBRATION_PATH):
    """The shipped gate and confidence parameters (None if not built yet)."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


class PlattCalibrator:
    """``P(correct) = sigmoid(a · logit(score) + b)``, fitted by logistic regression."""

    def __init__(self, a=1.0, b=0.0):
        self.a = a
        self.b = b

    def fit(self, scores, correct):
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1.0).fit(_logit(scores).reshape(-1, 1),
                                              np.asarray(correct, dtype=int))
        self.a, self.b = float(model.coef_[0, 0]), float(model.intercept_[0])
        return self

    def __call__(self, scores):
        return sigmoid(self.a * _logit(scores) + self.b)

    def to_dict(self):
        return {"a": self.a, "b": self.b}


def reliability_curve(confidence, correct, n_bins=10):
    """Per confidence bin: ``{"low", "high", "n", "confidence", "accuracy"}``.

    Empty bins are left out.  ``correct`` is 1 where the idea's top theme is
    its true theme (an off-topic idea is never correct).
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=float)
    edges = np.linspace(0, 1, n_bins + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    curve = []
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            curve.append({"low": round(float(edges[b]), 2), "high": round(float(edges[b + 1]), 2),
                          "n": int(mask.sum()),
                          "confidence": round(float(confidence[mask].mean()), 4),
                          "accuracy": round(float(correct[mask].mean()), 4)})
    return curve


def expected_calibration_error(confidence, correct, n_bins=10):
    """Size-weighted mean gap between confidence and accuracy over the bins."""
    n = len(confidence)
    if not n:
        return 0.0
    return float(sum(b["n"] / n * abs(b["confidence"] - b["accuracy"])
                     for b in reliability_curve(confidence, correct, n_bins)))


def staff_load(confidences, thresholds=(0.3, 0.4, 0.5, 0.6, 0.7, 0.8)):
    """How many ideas each 待人工确认 threshold sends to staff.

    ``confidences`` holds each idea's confidence (None or NaN for an idea
    that has none, e.g. off-topic: it goes to staff at any threshold).
    Returns ``[{"threshold", "to_staff", "share", "expected_correct"}]``:
    ``expected_correct`` is the mean confidence of the ideas given a theme,
    which calibration makes the share of them that staff would confirm.
    """
    values = np.array([np.nan if c is None else float(c) for c in confidences], dtype=float)
    known = np.nan_to_num(values, nan=-1.0)
    return dial_rows(len(values), [(t, int((known >= t).sum()), float(values[known >= t].sum()))
                                   for t in thresholds])


def dial_rows(n, assigned):
    """``staff_load``'s rows from counts: ``n`` ideas and, per threshold,
    (threshold, ideas at or above it, the sum of their confidences) — what a
    database can count in one pass without sending every confidence over."""
    rows = []
    for threshold, count, total in assigned:
        rows.append({"threshold": float(threshold), "to_staff": int(n - count),
                     "share": round(float((n - count) / n), 4) if n else 0.0,
                     "expected_correct": round(float(total / count), 4) if count else None})
    return rows


def fit_calibration(on_docs, on_labels, off_docs, themes):
    """Fit the gate and the Platt map on dev documents; the calibration dict.

    ``on_docs``/``on_labels``: dev proposals and their theme codes;
    ``off_docs``: dev off-topic messages.  The zero-shot model is built
    without the shipped calibration (raw scores), which is what it maps.
    """
    from .gate import fit_gate
    from .zero_shot import ZeroShotThemeAssigner

    model = ZeroShotThemeAssigner(themes, calibration=False).fit([])
    gate = fit_gate(model, on_docs, off_docs)
    raw = model.raw_confidence(on_docs)
    predicted = model.classes_[model.predict_proba(on_docs).argmax(axis=1)]
    correct = predicted == np.asarray(on_labels, dtype=object)
    platt = PlattCalibrator().fit(raw, correct)
    return {"gate": gate, "platt": platt.to_dict(),
            "dev": {"n_on_topic": len(on_docs), "n_off_topic": len(off_docs),
                    "accuracy": round(float(correct.mean()), 4)}}


def main(argv=None):
    from .evaluate import read_rows, read_off_topic
    from .segmenter import Segmenter, segment_many, set_default_segmenter
    from .theme_base import load_themes, theme_keywords

    parser = argparse.ArgumentParser(
        prog="python -m nlp.calibration",
        description="在开发集上拟合非征集内容闸门和置信度校准，写入 nlp/data/calibration.json。")
    parser.add_argument("--dev", default="nlp/data/eval/ten_themes_dev.jsonl", help="开发集")
    parser.add_argument("--themes", default="ideas/data/default_themes.json", help="主题文件")
    parser.add_argument("--off-topic", required=True,
                        help="非征集内容（真实留言 CSV，取 uid 为偶数的一半）")
    parser.add_argument("--off-topic-n", type=int, default=300, help="取多少条非征集内容")
    parser.add_argument("--out", default=str(CALIBRATION_PATH), help="输出文件")
    args = parser.parse_args(argv)
    themes = load_themes(args.themes)
    segmenter = Segmenter(cache_dir=tempfile.gettempdir(), user_words=theme_keywords(themes))
    set_default_segmenter(segmenter)
    texts, labels, _ = read_rows(args.dev, ["text"], "label")
    on = [(t, label) for t, label in zip(texts, labels) if label in {th["code"] for th in themes}]
    off = [t for t, label in zip(texts, labels) if label not in {th["code"] for th in themes}]
    off += read_off_topic(args.off_topic, "dev", args.off_topic_n, seed=0)
    on_docs = segment_many([t for t, _ in on], n_jobs=1, segmenter=segmenter)
    off_docs = segment_many(off, n_jobs=1, segmenter=segmenter)
    result = fit_calibration(on_docs, [label for _, label in on], off_docs, themes)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
