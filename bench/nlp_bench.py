"""Benchmarks of nlp/ on synthetic ideas grown from real messages.

Ideas are made by recombining sentences of the messages in ``--data``
(2–10 sentences each, fixed seed), at 10k, 100k, 300k and 1M ideas (up to
``--max-ideas``).  Every stage runs in a fresh process so its peak RSS is its own.
Each figure sits next to the naive way of doing the same thing.  Prints one
JSON document (and writes it to ``--out`` if given); progress goes to stderr.

    python bench/nlp_bench.py --data /work/shared/data/citizen_messages_likes.csv
    python bench/nlp_bench.py --data ... --max-ideas 100000 --out bench-nlp.json
"""
import argparse
import csv
import json
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

THEMES_PATH = ROOT / "ideas" / "data" / "default_themes.json"
# New ideas an update takes in, after a rebuild of each size.
INCREMENT = 10_000
SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")


def log(message):
    print(f"[nlp-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mb():
    """Peak resident memory of this process, in MB.

    VmHWM rather than ru_maxrss: Linux carries ru_maxrss over from the
    parent through fork and exec, so a fresh stage would report the peak of
    the bench process that started it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def millis(seconds):
    return round(seconds * 1000, 3)


# ---------------------------------------------------------------- data

def read_sentences(path, text_cols):
    """Distinct sentences (each ending in punctuation) of the messages."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        texts = ["".join(row.get(col) or "" for col in text_cols) for row in csv.DictReader(handle)]
    seen = {}
    for text in texts:
        for sentence in SENTENCE_END.split(text):
            sentence = "".join(sentence.split())
            if len(sentence) >= 6:
                # A closing mark keeps sentences apart when they are joined.
                seen.setdefault(sentence if sentence[-1] in "。！？；!?;" else sentence + "。")
    return list(seen)


def make_ideas(n_sentences, n_ideas, seed):
    """Each idea as the indices of its sentences."""
    rng = random.Random(seed)
    return [[rng.randrange(n_sentences) for _ in range(rng.randint(2, 10))]
            for _ in range(n_ideas)]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(line + "\n" for line in lines)
    return str(path)


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


def load_themes():
    with open(THEMES_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def install_segmenter(cache_dir, themes):
    from nlp.segmenter import Segmenter, set_default_segmenter
    from nlp.theme_base import theme_keywords
    segmenter = Segmenter(cache_dir=cache_dir, user_words=theme_keywords(themes))
    set_default_segmenter(segmenter)
    return segmenter


# ---------------------------------------------------------------- stages
# Each stage runs in its own spawned process and returns a dict.

def stage_segmentation(raw_path, cache_dir):
    from nlp.segmenter import segment_many
    themes = load_themes()
    segmenter = install_segmenter(cache_dir, themes)
    texts = read_lines(raw_path)
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    start = time.perf_counter()
    serial = [segmenter.segment(text) for text in texts]
    one = time.perf_counter() - start
    start = time.perf_counter()
    parallel = segment_many(texts, n_jobs=2, segmenter=segmenter)
    two = time.perf_counter() - start
    assert parallel == serial
    return {"texts": len(texts), "megabytes": round(megabytes, 2),
            "mb_per_s_1_process": round(megabytes / one, 3),
            "mb_per_s_2_processes": round(megabytes / two, 3),
            "speedup_2_vs_1": round(one / two, 2),
            "note": "2-process figure includes starting the pool and loading jieba twice"}


def rebuild(docs, themes, labels=None):
    """What the app does on a rebuild: the gate and themes for every idea, the
    clusters, then the near-duplicate groups of the ideas the gate kept."""
    from nlp.cluster import IdeaClusterer
    from nlp.features import TokenCorpus, TokenTfidf
    from nlp.grouping import near_duplicate_groups
    from nlp.themes import ThemeAssigner
    timings = {}
    start = time.perf_counter()
    corpus = TokenCorpus(docs)
    corpus.counts()
    timings["count_tokens_s"] = time.perf_counter() - start
    step = time.perf_counter()
    assigner = ThemeAssigner(themes).fit(corpus, labels)
    results = assigner.analyse(corpus)
    timings["assign_s"] = time.perf_counter() - step
    step = time.perf_counter()
    clusterer = IdeaClusterer(themes=themes).fit(corpus)
    timings["cluster_s"] = time.perf_counter() - step
    step = time.perf_counter()
    kept = [row for row, result in enumerate(results) if result.status != "off_topic"]
    X = TokenTfidf().fit_transform(corpus)
    groups = near_duplicate_groups(X[kept]) if len(kept) > 1 else []
    timings["groups_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - start
    result = {key: round(value, 2) for key, value in timings.items()}
    result.update(strategy=assigner.strategy_, n_clusters=clusterer.n_clusters_,
                  unassigned_share=round(sum(r.primary is None for r in results) / len(results), 3),
                  off_topic_share=round(1 - len(kept) / len(results), 3),
                  n_groups=len(groups), grouped_ideas=sum(map(len, groups)))
    return result


def stage_rebuild_tokens(tokens_path, cache_dir, n_labels):
    themes = load_themes()
    install_segmenter(cache_dir, themes)
    docs = read_lines(tokens_path)
    baseline = peak_rss_mb()
    labels = None
    if n_labels:
        # Staff labels: a zero-shot guess for a random subset, enough per theme
        # (without the gate: the synthetic ideas are hotline messages).
        from nlp.zero_shot import ZeroShotThemeAssigner
        guesses = ZeroShotThemeAssigner(themes, threshold=0.0, gate=False).fit(docs).predict(docs)
        rng = random.Random(1)
        labels = [None] * len(docs)
        for row in rng.sample(range(len(docs)), n_labels):
            labels[row] = guesses[row]
    result = rebuild(docs, themes, labels)
    result.update(ideas=len(docs), rss_after_loading_mb=baseline, peak_rss_mb=peak_rss_mb())
    return result


def stage_rebuild_raw(raw_path, cache_dir):
    from nlp.segmenter import segment_many
    themes = load_themes()
    segmenter = install_segmenter(cache_dir, themes)
    texts = read_lines(raw_path)
    start = time.perf_counter()
    docs = segment_many(texts, n_jobs=2, segmenter=segmenter)
    segmentation = time.perf_counter() - start
    result = rebuild(docs, themes)
    result.update(ideas=len(texts), segmentation_s=round(segmentation, 2),
                  total_s=round(segmentation + result["total_s"], 2),
                  peak_rss_mb=peak_rss_mb(),
                  note="peak RSS of the rebuild process; each of the two segmentation "
                       "workers holds its own jieba dictionary besides")
    return result


def stage_naive_rebuild(tokens_path):
    """Library parts against the textbook versions, on the same 100k ideas."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    from nlp.features import TokenTfidf
    from nlp.segmenter import split_tokens
    docs = read_lines(tokens_path)
    result = {"ideas": len(docs)}
    start = time.perf_counter()
    TfidfVectorizer(tokenizer=split_tokens, token_pattern=None, lowercase=False,
                    sublinear_tf=True, min_df=2, max_df=0.5).fit_transform(docs)
    result["sklearn_tfidf_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    X = TokenTfidf(min_df=2, max_df=0.5).fit_transform(docs)
    result["token_tfidf_s"] = round(time.perf_counter() - start, 2)
    result["tfidf_speedup"] = round(result["sklearn_tfidf_s"] / result["token_tfidf_s"], 2)
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        Z = normalize(TruncatedSVD(100, random_state=0).fit_transform(X))
        result["svd_all_rows_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        sample = random.Random(0).sample(range(X.shape[0]), min(10000, X.shape[0]))
        svd = TruncatedSVD(100, random_state=0).fit(X[sorted(sample)])
        normalize(svd.transform(X))
        result["svd_10k_sample_s"] = round(time.perf_counter() - start, 2)
        for name, model in (("kmeans", KMeans(16, n_init=3, random_state=0)),
                            ("minibatch_kmeans", MiniBatchKMeans(16, batch_size=4096, n_init=3,
                                                                 random_state=0))):
            start = time.perf_counter()
            model.fit(Z)
            result[f"{name}_s"] = round(time.perf_counter() - start, 2)
            result[f"{name}_inertia"] = round(float(model.inertia_), 1)
    result["kmeans_vs_minibatch_speedup"] = round(result["kmeans_s"] / result["minibatch_kmeans_s"],
                                                  2)
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def stage_groups(tokens_path, compare_exact):
    """Near-duplicate groups over every idea, as if the gate kept them all (a
    campaign where nearly everything is a proposal). With ``compare_exact``
    the exact way runs too, and what the approximate way found is compared
    with it: the rows it joined to an earlier one, and the leaders."""
    import numpy as np

    from nlp.features import TokenTfidf
    from nlp.grouping import group_leaders, near_duplicate_groups
    X = TokenTfidf().fit_transform(read_lines(tokens_path))
    n = X.shape[0]
    result = {"ideas": n, "rss_after_tfidf_mb": peak_rss_mb()}
    start = time.perf_counter()
    approximate = near_duplicate_groups(X, exact_up_to=0)
    result.update(approximate_s=round(time.perf_counter() - start, 2), peak_rss_mb=peak_rss_mb(),
                  groups=len(approximate), grouped_ideas=sum(map(len, approximate)))
    if compare_exact:
        start = time.perf_counter()
        exact = near_duplicate_groups(X, exact_up_to=n)
        result["exact_s"] = round(time.perf_counter() - start, 2)
        result["exact_vs_approximate_time_x"] = round(result["exact_s"] / result["approximate_s"], 1)
        exact_leader, found_leader = group_leaders(exact, n), group_leaders(approximate, n)
        joined, found = exact_leader != np.arange(n), found_leader != np.arange(n)
        result.update(exact_groups=len(exact), exact_grouped_ideas=sum(map(len, exact)),
                      joined_recall=round(float((joined & found).sum() / max(1, joined.sum())), 4),
                      joined_precision=round(float((joined & found).sum() / max(1, found.sum())), 4),
                      same_leader_share=round(float((exact_leader == found_leader).mean()), 4))
    return result


def stage_similar(tokens_path, query_path, add_path, naive_size):
    import numpy as np
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.segmenter import split_tokens
    from nlp.similar import SimilarIdeas
    docs, queries, additions = read_lines(tokens_path), read_lines(query_path), read_lines(add_path)
    queries += docs[:len(queries) // 2]  # existing ideas too: their duplicates score 1
    start = time.perf_counter()
    index = SimilarIdeas(top_k=5, min_score=0.3).fit(docs, range(len(docs)))
    result = {"ideas": len(docs), "fit_s": round(time.perf_counter() - start, 2)}
    query_times = []
    for doc in queries:
        start = time.perf_counter()
        index.query(doc)
        query_times.append(time.perf_counter() - start)
    result.update(queries=len(queries), query_p50_ms=millis(percentile(query_times, 50)),
                  query_p95_ms=millis(percentile(query_times, 95)),
                  query_max_ms=millis(max(query_times)))
    add_times = []
    for n, doc in enumerate(additions):
        start = time.perf_counter()
        index.add(f"new{n}", doc)
        add_times.append(time.perf_counter() - start)
    result.update(adds=len(additions), add_p50_ms=millis(percentile(add_times, 50)),
                  add_p95_ms=millis(percentile(add_times, 95)), add_max_ms=millis(max(add_times)))
    query_times = []
    for doc in queries:
        start = time.perf_counter()
        index.query(doc)
        query_times.append(time.perf_counter() - start)
    result["query_p95_with_pending_adds_ms"] = millis(percentile(query_times, 95))
    start = time.perf_counter()
    index.compact()
    result["compact_s"] = round(time.perf_counter() - start, 2)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        joblib.dump(index, Path(folder) / "similar.joblib")
        joblib.load(Path(folder) / "similar.joblib")
        result["joblib_round_trip_s"] = round(time.perf_counter() - start, 2)
        result["joblib_mb"] = round((Path(folder) / "similar.joblib").stat().st_size / 1e6, 1)

    # Naive 1: brute force over a prefitted matrix (every row, every query).
    X = index.vectorizer_.transform(docs)
    brute = []
    for doc in queries:
        start = time.perf_counter()
        scores = X @ index.vectorizer_.transform([doc]).T
        np.argsort(-scores.toarray().ravel())[:5]
        brute.append(time.perf_counter() - start)
    result["naive_brute_force_p95_ms"] = millis(percentile(brute, 95))
    # Naive 2: refit TF-IDF on the corpus for every lookup; timed on a sample
    # and scaled linearly (the refit is linear in the corpus size).
    sample = docs[:naive_size]
    refit = []
    for doc in queries[:3]:
        start = time.perf_counter()
        matrix = TfidfVectorizer(tokenizer=split_tokens, token_pattern=None,
                                 lowercase=False).fit_transform(sample + [doc])
        np.argsort(-(matrix[:-1] @ matrix[-1].T).toarray().ravel())[:5]
        refit.append(time.perf_counter() - start)
    scale = len(docs) / len(sample)
    result.update(naive_refit_sample=len(sample),
                  naive_refit_per_lookup_ms_on_sample=millis(max(refit)),
                  naive_refit_per_lookup_ms_extrapolated=millis(max(refit) * scale),
                  naive_add_by_refit_s=result["fit_s"],
                  query_speedup_vs_brute_force=round(
                      result["naive_brute_force_p95_ms"] / result["query_p95_ms"], 1),
                  query_speedup_vs_refit=round(
                      max(refit) * scale * 1000 / result["query_p95_ms"], 1),
                  peak_rss_mb=peak_rss_mb())
    return result


def stage_incremental(tokens_path, new_path, cache_dir):
    """The update after a rebuild (``ideas.analysis_services.update``): new ideas
    read with the rebuild's fitted models, no refit. The rebuild's parts come
    first (untimed: the rebuild stages time them); then the update, timed: the
    gate and themes of the new ideas, their keywords, their entry in the
    similar-ideas index, and for each one the gate kept its nearest earlier
    kept idea at or above the group floor (``ideas.groups.extend``)."""
    from nlp.features import TokenCorpus
    from nlp.keywords import KeywordExtractor
    from nlp.similar import SimilarIdeas
    from nlp.themes import ThemeAssigner
    themes = load_themes()
    install_segmenter(cache_dir, themes)
    docs, new = read_lines(tokens_path), read_lines(new_path)
    corpus = TokenCorpus(docs)
    model = ThemeAssigner(themes).fit(corpus)
    kept = [result.status != "off_topic" for result in model.analyse(corpus)]
    keywords = KeywordExtractor(top_n=8).fit(corpus)
    index = SimilarIdeas(top_k=5).fit(docs, range(len(docs)))
    result = {"ideas": len(docs), "new_ideas": len(new), "rss_after_rebuild_mb": peak_rss_mb()}
    timings = {}
    start = time.perf_counter()
    new_corpus = TokenCorpus(new)
    found = model.analyse(new_corpus, texts=None)
    timings["assign_s"] = time.perf_counter() - start
    step = time.perf_counter()
    keywords.extract(new_corpus)
    timings["keywords_s"] = time.perf_counter() - step
    step = time.perf_counter()
    index.add_many(range(len(docs), len(docs) + len(new)), new)
    timings["index_add_s"] = time.perf_counter() - step

    def group(kept):
        """How many new ideas the gate kept join an earlier kept one, and in how long."""
        step = time.perf_counter()
        rows = [row for row in range(len(docs), len(docs) + len(new)) if kept[row]]
        found = index.query_many([new[row - len(docs)] for row in rows], top_k=10, min_score=0.5,
                                 excludes=rows)
        joined = sum(any(kept[hit] and hit < row for hit, _ in hits) for row, hits in zip(rows, found))
        return time.perf_counter() - step, joined

    timings["groups_s"], joined = group(kept + [r.status != "off_topic" for r in found])
    timings["total_s"] = time.perf_counter() - start
    result.update({key: round(value, 2) for key, value in timings.items()})
    # The worst case: a campaign where the gate keeps everything, old and new.
    every_s, every_joined = group([True] * (len(docs) + len(new)))
    result.update(kept_new=sum(r.status != "off_topic" for r in found), joined_a_group=joined,
                  groups_if_all_kept_s=round(every_s, 2), joined_if_all_kept=every_joined,
                  total_if_all_kept_s=round(timings["total_s"] - timings["groups_s"] + every_s, 2),
                  peak_rss_mb=peak_rss_mb())
    return result


def run_stage(function, *args):
    """Run one stage in a fresh process so that its peak RSS is its own."""
    log(f"{function.__name__}{tuple(Path(a).name if isinstance(a, str) else a for a in args)}")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="CSV of real messages")
    parser.add_argument("--text-col", default="title,detail",
                        help="text column(s), comma-separated")
    parser.add_argument("--max-ideas", type=int, default=1_000_000,
                        help="largest campaign of the growth curve")
    parser.add_argument("--skip-raw", action="store_true",
                        help="skip the rebuild from raw text (the longest stage)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the JSON here")
    args = parser.parse_args(argv)
    sizes = [n for n in (10_000, 100_000, 300_000, 1_000_000) if n <= max(args.max_ideas, 100_000)]
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="nlp-bench-") as folder:
        folder = Path(folder)
        cache_dir = str(folder / "jieba")
        sentences = read_sentences(args.data, args.text_col.split(","))
        log(f"{len(sentences)} distinct sentences; segmenting them once")
        from nlp.segmenter import segment_many
        segmenter = install_segmenter(cache_dir, load_themes())
        # Joining sentences that end in punctuation joins their tokens exactly,
        # so ideas of any size get their tokens without segmenting them again.
        sentence_tokens = segment_many(sentences, n_jobs=2, segmenter=segmenter)
        ideas = make_ideas(len(sentences), max(sizes) + 1300 + INCREMENT, args.seed)
        extra, ideas = ideas[max(sizes):], ideas[:max(sizes)]

        def raw(idea):
            return "".join(sentences[i] for i in idea)

        def tokens(idea):
            return " ".join(sentence_tokens[i] for i in idea if sentence_tokens[i])

        paths = {n: write_lines(folder / f"tokens_{n}.txt", (tokens(i) for i in ideas[:n]))
                 for n in sizes}
        raw_100k = write_lines(folder / "raw_100000.txt", (raw(i) for i in ideas[:100_000]))
        raw_sample = write_lines(folder / "raw_sample.txt", (raw(i) for i in ideas[:8000]))
        queries = write_lines(folder / "queries.txt", (tokens(i) for i in extra[:200]))
        additions = write_lines(folder / "additions.txt", (tokens(i) for i in extra[200:1200]))
        increment = write_lines(folder / "increment.txt", (tokens(i) for i in extra[1300:]))
        chars = [sum(len(sentences[s]) for s in idea) for idea in ideas[:100_000]]

        report = {"data": Path(args.data).name, "seed": args.seed,
                  "idea_chars_mean": round(sum(chars) / len(chars), 1),
                  "raw_100k_megabytes": round(Path(raw_100k).stat().st_size / 1e6, 1),
                  "cpu_count": multiprocessing.cpu_count()}
        report["segmentation"] = run_stage(stage_segmentation, raw_sample, cache_dir)
        report["rebuild_from_tokens"] = {
            str(n): run_stage(stage_rebuild_tokens, paths[n], cache_dir, 0) for n in sizes}
        report["rebuild_from_tokens_supervised_100k"] = run_stage(
            stage_rebuild_tokens, paths[100_000], cache_dir, 5000)
        if not args.skip_raw:
            report["rebuild_from_raw_100k"] = run_stage(stage_rebuild_raw, raw_100k, cache_dir)
            report["raw_vs_tokens_ratio"] = round(
                report["rebuild_from_raw_100k"]["total_s"]
                / report["rebuild_from_tokens"]["100000"]["total_s"], 1)
        growth = report["rebuild_from_tokens"]
        report["growth"] = {f"{small}->{large}": {
            "ideas_x": large // small,
            "time_x": round(growth[str(large)]["total_s"] / growth[str(small)]["total_s"], 2),
            "peak_rss_x": round(
                growth[str(large)]["peak_rss_mb"] / growth[str(small)]["peak_rss_mb"], 2),
        } for small, large in zip(sizes, sizes[1:])}
        report["naive_rebuild_parts_100k"] = run_stage(stage_naive_rebuild, paths[100_000])
        groups_30k = write_lines(folder / "tokens_30000.txt", (tokens(i) for i in ideas[:30_000]))
        report["groups_every_idea"] = {"30000": run_stage(stage_groups, groups_30k, True)} | {
            str(n): run_stage(stage_groups, paths[n], False) for n in sizes if n >= 100_000}
        report["similar_100k"] = run_stage(stage_similar, paths[100_000], queries, additions,
                                           10_000)
        report["update_after_rebuild"] = {
            str(n): run_stage(stage_incremental, paths[n], increment, cache_dir)
            for n in sizes if n >= 100_000 and n != 300_000}
        for n, update in report["update_after_rebuild"].items():
            update["full_rebuild_s"] = growth[n]["total_s"]
            update["full_rebuild_vs_update_time_x"] = round(growth[n]["total_s"] / update["total_s"], 1)
    report["targets"] = {
        "rebuild_100k_from_tokens_s<=30": growth["100000"]["total_s"] <= 30,
        "rebuild_100k_peak_rss_mb<=1536": growth["100000"]["peak_rss_mb"] <= 1536,
        "rebuild_1m_from_tokens_s<=300": growth["1000000"]["total_s"] <= 300
        if "1000000" in growth else None,
        "rebuild_1m_peak_rss_mb<=8192": growth["1000000"]["peak_rss_mb"] <= 8192
        if "1000000" in growth else None,
        "rebuild_100k_from_raw_s<=180": report.get("rebuild_from_raw_100k", {}).get(
            "total_s", float("inf")) <= 180 if not args.skip_raw else None,
        "similar_query_p95_ms<=30": report["similar_100k"]["query_p95_ms"] <= 30,
        "similar_add_p95_ms<=10": report["similar_100k"]["add_p95_ms"] <= 10,
        **{f"update_{INCREMENT}_new_at_{n}_s<=30": update["total_s"] <= 30
           for n, update in report["update_after_rebuild"].items()},
    }
    report["bench_seconds"] = round(time.perf_counter() - started, 1)
    return emit(report, args.out)


def emit(report, out=None):
    """Print the report as JSON, and write it to ``out`` too when given."""
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
