"""Build ``nlp/data/theme_priors.json`` from texts outside any campaign.

The file holds two things the zero-shot model uses from the first idea on:

* ``generic``: a factor in (0, 1] for words that proposals use for every
  theme alike (share of their documents in their most frequent theme);
* ``themes``: for each default theme (matched by code *and* name, so a
  renamed or new theme does not inherit them), the heaviest terms of the
  centroid of its demo ideas — the words real proposals use for a theme
  that its short official text does not contain.

Rebuild after changing the demo ideas or the default themes::

    python -m nlp.priors --demo ops/demo/data --themes ideas/data/default_themes.json
"""
import argparse
import glob
import json
import os
import tempfile

from .background import PRIORS_PATH, TermSpace, TermWeights, spread, top_terms
from .segmenter import Segmenter

# Demo ideas written as proposals for a theme (not the off-topic examples).
PROPOSAL_KINDS = ("good", "weak", "duplicate")
TERMS_PER_THEME = 300


def demo_texts(demo_dir):
    """``{theme code: [text, ...]}`` of the demo proposals."""
    by_theme = {}
    for path in sorted(glob.glob(os.path.join(demo_dir, "ideas_*.json"))):
        with open(path, encoding="utf-8") as handle:
            for idea in json.load(handle):
                if idea.get("kind", "good") in PROPOSAL_KINDS:
                    text = "。".join(idea.get(key) or "" for key in
                                    ("title", "problem", "suggestion", "benefit"))
                    by_theme.setdefault(idea["theme"], []).append(text)
    return by_theme


def build_priors(by_theme, themes, segmenter, terms_per_theme=TERMS_PER_THEME):
    """The priors dict from demo texts per theme code and the theme list."""
    tokens = {code: [segmenter.cut(text) for text in texts] for code, texts in by_theme.items()}
    generic = spread(tokens)
    space = TermSpace(TermWeights(generic=generic))
    out = {}
    for theme in themes:
        docs = tokens.get(theme["code"])
        if theme.get("is_other") or not docs:
            continue
        vector = space.vector([" ".join(doc) for doc in docs])
        out[theme["code"]] = {"name": theme["name"], "n_texts": len(docs),
                              "terms": top_terms(space, vector, terms_per_theme)}
    return {"generic": dict(sorted(generic.items())), "themes": out}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m nlp.priors",
                                     description="由演示建议生成零样本主题的先验词表。")
    parser.add_argument("--demo", default="ops/demo/data", help="演示建议目录（ideas_*.json）")
    parser.add_argument("--themes", default="ideas/data/default_themes.json", help="默认主题文件")
    parser.add_argument("--out", default=str(PRIORS_PATH), help="输出文件")
    args = parser.parse_args(argv)
    with open(args.themes, encoding="utf-8") as handle:
        themes = json.load(handle)
    segmenter = Segmenter(cache_dir=tempfile.gettempdir(),
                          user_words=[w for t in themes for w in t.get("keywords", ())])
    priors = build_priors(demo_texts(args.demo), themes, segmenter)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(priors, handle, ensure_ascii=False, indent=0, sort_keys=True)
        handle.write("\n")
    print(json.dumps({"generic_terms": len(priors["generic"]),
                      "themes": {code: t["n_texts"] for code, t in priors["themes"].items()}},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
