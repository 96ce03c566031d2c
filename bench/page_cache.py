"""Anonymous public pages rendered each time and served from the page cache, in
process (Flask's test client), on the site the environment names (INSTANCE_PATH,
DATABASE_URL): run `flask demo load` there first. Milliseconds, median of --repeat.

    INSTANCE_PATH=/tmp/site python bench/page_cache.py
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from app import create_app  # noqa: E402  (needs ROOT on the path)

PAGES = ("/", "/winners", "/gongshi", "/api/v1/stats")


def medians(cache_type, repeat):
    client = create_app("development", {"DEBUG": False, "CACHE_TYPE": cache_type}).test_client()
    result = {}
    for path in PAGES:
        client.get(path)  # warm: templates compiled, the cache filled
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            status = client.get(path).status_code
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}")
        result[path] = round(statistics.median(times), 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps({"rendered": medians("NullCache", args.repeat),
                      "cached": medians("SimpleCache", args.repeat)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
