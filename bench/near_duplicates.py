"""Near-duplicate variants of the evaluation proposals, looked up as a citizen types them.

The index holds the 313 proposals of ``nlp/data/eval/ten_themes_eval.jsonl`` among
the real complaints and help requests of ``--data`` (read at run time, never
copied). Each proposal is typed again as each variant of ``triage_campaign``:
re-posted as it was, a few characters changed, reworded (an opener, swapped
words, a sentence left out, two sentences swapped) and, harder, half of its
sentences reworded. For each variant the
site's look-up (``SimilarIdeas.lookup``, the floors of the app) answers; the
original should be among its first five (recall@5) and, for copies and small
edits, in the 可能重复 list. One JSON line.

    python bench/near_duplicates.py --data ../shared/data
"""
import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.segmenter import segment_many  # noqa: E402  (needs ROOT on the path)
from nlp.similar import SimilarIdeas  # noqa: E402

from nlp_bench import install_segmenter, load_themes  # noqa: E402
from triage_campaign import EVAL, OTHER, VARIANTS, _sentences, reword, real_messages  # noqa: E402

TOP = 5


def half(text, rng):
    """The harder case: half of the sentences (a run of them), reworded — the same point made briefly."""
    parts = _sentences(text)
    keep = max(1, len(parts) // 2)
    start = rng.randrange(len(parts) - keep + 1)
    return reword("".join(parts[start:start + keep]), rng)


KINDS = (*VARIANTS, half)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of the shared citizen messages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variants", type=int, default=3, help="variants of each kind per proposal")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    install_segmenter(Path(tempfile.mkdtemp()), load_themes())
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    proposals = [r["text"] for r in rows if r["label"] != OTHER]
    noise = [text for text, _ in real_messages(args.data)]
    started = time.perf_counter()
    docs = segment_many(proposals + noise, n_jobs=2)
    index = SimilarIdeas(top_k=TOP).fit(docs, range(len(docs)))
    queries = [(kind.__name__, n, kind(text, rng)) for n, text in enumerate(proposals)
               for kind in KINDS for _ in range(args.variants)]
    typed = segment_many([text for _, _, text in queries], n_jobs=2)
    found = {kind.__name__: {"variants": 0, "recall_at_5": 0, "in_duplicates": 0, "scores": []}
             for kind in KINDS}
    for (kind, original, _), doc in zip(queries, typed):
        answer = index.lookup(doc, top_k=TOP)
        shown = answer.duplicates + answer.related
        tally = found[kind]
        tally["variants"] += 1
        tally["recall_at_5"] += original in [idea for idea, _ in shown[:TOP]]
        tally["in_duplicates"] += original in [idea for idea, _ in answer.duplicates]
        tally["scores"].append(next((score for idea, score in shown if idea == original), 0.0))
    report = {"indexed": len(docs), "proposals": len(proposals), "noise": len(noise),
              "duplicate_score": index.duplicate_score, "related_score": index.related_score}
    for kind, tally in found.items():
        n = tally["variants"]
        report[kind] = {"variants": n, "recall_at_5": round(tally["recall_at_5"] / n, 4),
                        "in_duplicates": round(tally["in_duplicates"] / n, 4),
                        "median_score": round(statistics.median(tally["scores"]), 3)}
    everything = sum(t["variants"] for t in found.values())
    report["recall_at_5"] = round(sum(t["recall_at_5"] for t in found.values()) / everything, 4)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
