"""Build a test campaign for `flask ideas triage-sim`: a CSV of messages with
columns text, label (a theme code, or 其他 for what is not a proposal) and
group (messages saying the same thing share it).

Proposals come from the ten-theme evaluation set (nlp/data/eval/ten_themes_eval.jsonl);
what is not a proposal are its 20 written adverts and chatter plus REAL citizen
complaints and requests for help read at run time from ../shared/data (``--data``) (never
copied into the repository); both are padded with near-duplicates made here:
re-posts, edits of a few characters and the same message in other words.

    python bench/triage_campaign.py --size 10000 --out /tmp/triage10k.csv
"""
import argparse
import csv
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "nlp" / "data" / "eval" / "ten_themes_eval.jsonl"
OTHER = "其他"

_OPENERS = ("", "", "再提一次：", "同意楼上，", "我也有同样的想法：", "强烈建议：", "补充一点，",
            "看到大家都在说，")
_SWAPS = (("建议", "希望"), ("应该", "应当"), ("企业", "企业单位"), ("政府", "有关部门"), ("问题", "情况"),
          ("很多", "不少"), ("我们", "我们这边"), ("要求", "规定"), ("能否", "能不能"), ("尽快", "早日"))


def _sentences(text):
    return [s for s in re.split(r"(?<=[。！？；])", text) if s.strip()]


def repost(text, rng):
    return text + rng.choice(("", "", "！", "。", " "))


def edit(text, rng):
    """A few characters changed: dropped, doubled or replaced."""
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(chars))
        what = rng.random()
        if what < 0.4:
            del chars[i]
        elif what < 0.7:
            chars.insert(i, chars[i])
        else:
            chars[i] = rng.choice("的了是在和，。")
    return "".join(chars)


def reword(text, rng):
    """The same message in other words: an opener, swapped words, one sentence left out, order changed."""
    parts = _sentences(text)
    if len(parts) > 2:
        parts.pop(rng.randrange(len(parts)))
        i = rng.randrange(len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    out = "".join(parts)
    for old, new in rng.sample(_SWAPS, 4):
        out = out.replace(old, new)
    return rng.choice(_OPENERS) + out


VARIANTS = (repost, edit, reword)


def real_messages(data):
    """(text, group) of real complaints and help requests, exact re-posts sharing a group."""
    seen, found = set(), []
    with open(data / "citizen_messages_labeled.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found.append((row["text"], f"c-l{row['uid']}"))
    with open(data / "citizen_messages_likes.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = re.sub(r"\s+", "", row["title"] + row["detail"])
            found.append((text, f"c-d{row['dup_exact_group']}" if row["dup_exact_group"]
                          else f"c-k{row['id']}"))
    out = []
    for text, group in found:
        if text and text not in seen:
            seen.add(text)
            out.append((text, group))
    return out


def build(size, proposal_share, seed, data, proposals_path=EVAL):
    rng = random.Random(seed)
    rows = [json.loads(line) for line in proposals_path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    proposals = [(r["text"], r["label"], f"p-{r['id']}") for r in rows if r["label"] != OTHER]
    own_other = [(r["text"], OTHER, f"o-{r['id']}") for r in rows if r["label"] == OTHER]
    n_prop = round(size * proposal_share)
    # Some ideas are raised by many people, most by one or two: copies drawn with Zipf-like weights.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(proposals))]
    rng.shuffle(weights)
    messages = list(proposals[:n_prop])
    while len(messages) < n_prop:
        text, label, group = rng.choices(proposals, weights)[0]
        messages.append((rng.choice(VARIANTS)(text, rng), label, group))
    real = real_messages(data)
    rng.shuffle(real)
    off = own_other + [(text, OTHER, group) for text, group in real]
    off = off[:size - len(messages)]
    base = list(off)
    while len(messages) + len(off) < size:
        text, label, group = rng.choice(base)
        off.append((rng.choice(VARIANTS)(text, rng), label, group))
    messages += off
    rng.shuffle(messages)
    return messages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--proposal-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--proposals", type=Path, default=EVAL,
                        help="JSONL of proposals with theme labels "
                             "(the dev set ten_themes_dev.jsonl to tune on)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"),
                        help="the folder of citizen_messages_labeled.csv and citizen_messages_likes.csv")
    args = parser.parse_args(argv)
    messages = build(args.size, args.proposal_share, args.seed, args.data, args.proposals)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(("text", "label", "group"))
        writer.writerows(messages)
    n_prop = sum(label != OTHER for _, label, _ in messages)
    groups = len({g for _, _, g in messages})
    print(f"{len(messages)} 条，其中建议 {n_prop} 条（{groups} 组相同内容）→ {args.out}")


if __name__ == "__main__":
    main()
