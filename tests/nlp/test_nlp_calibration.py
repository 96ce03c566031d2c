"""Confidence that means something: reliability, ECE, Platt, the staff dial."""
import json

import numpy as np
import pytest

from nlp.calibration import (PlattCalibrator, expected_calibration_error, load_calibration,
                             reliability_curve, staff_load)
from nlp.zero_shot import ZeroShotThemeAssigner


def test_perfectly_calibrated_scores_have_no_error():
    rng = np.random.RandomState(0)
    confidence = rng.uniform(size=20000)
    correct = rng.uniform(size=20000) < confidence
    assert expected_calibration_error(confidence, correct) < 0.02
    curve = reliability_curve(confidence, correct, n_bins=5)
    assert [b["low"] for b in curve] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert sum(b["n"] for b in curve) == 20000
    assert all(abs(b["confidence"] - b["accuracy"]) < 0.03 for b in curve)


def test_overconfident_scores_show_their_gap():
    confidence = np.full(100, 0.9)
    correct = np.r_[np.ones(60), np.zeros(40)]
    assert expected_calibration_error(confidence, correct) == pytest.approx(0.3)
    assert reliability_curve(confidence, correct) == [
        {"low": 0.8, "high": 0.9, "n": 100, "confidence": 0.9, "accuracy": 0.6}]


def test_platt_fixes_overconfidence():
    rng = np.random.RandomState(1)
    truth = rng.uniform(0.05, 0.95, size=5000)
    raw = truth ** 0.3  # says 0.8 when right half the time
    correct = rng.uniform(size=5000) < truth
    platt = PlattCalibrator().fit(raw, correct)
    assert expected_calibration_error(platt(raw), correct) < expected_calibration_error(raw, correct)
    assert expected_calibration_error(platt(raw), correct) < 0.03
    assert np.all(np.diff(platt(np.linspace(0.01, 0.99, 50))) > 0)  # keeps the order
    assert json.loads(json.dumps(platt.to_dict())) == platt.to_dict()


def test_staff_load_is_a_dial():
    load = staff_load([0.95, 0.8, 0.55, 0.35, None, 0.1], thresholds=(0.3, 0.5, 0.9))
    assert [row["to_staff"] for row in load] == [2, 3, 5]
    assert load[0]["share"] == pytest.approx(2 / 6, abs=1e-4)
    assert load[2]["expected_correct"] == 0.95
    assert staff_load([], (0.5,)) == [{"threshold": 0.5, "to_staff": 0, "share": 0.0,
                                        "expected_correct": None}]


def test_shipped_calibration_gives_probabilities(themes, docs):
    shipped = load_calibration()
    assert set(shipped) >= {"gate", "platt"}
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit([])
    results = model.analyse(docs)
    confidence = np.array([r.confidence for r in results])
    assert np.all((confidence >= 0) & (confidence <= 1))
    # Calibrated, so a clearly written idea is confident and the raw
    # softmax share is not what is reported.
    assert np.median(confidence) > 0.5
    raw = model.raw_confidence(docs)
    assert not np.allclose(raw, confidence)


def test_threshold_moves_ideas_to_staff(themes, docs):
    model = ZeroShotThemeAssigner(themes).fit([])
    confidence = np.array([r.confidence for r in model.analyse(docs)])
    for threshold in (0.3, 0.6, 0.9):
        model.threshold = threshold
        codes, _ = model.assign(docs)
        assert [code is None for code in codes] == list(confidence < threshold)
