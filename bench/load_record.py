"""What the load bench records: one sample per request, and the summary of a phase
(latency percentiles per page, throughput, errors by kind)."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Sample:
    page: str
    start: float
    end: float
    outcome: str  # "ok", "unexpected", or the error: "500", "TimeoutError", ...

    @property
    def error(self):
        return self.outcome not in ("ok", "unexpected")


@dataclass
class Recorder:
    samples: list = field(default_factory=list)
    acknowledged: dict = field(default_factory=dict)  # idea id -> tracking code (None if not seen)
    unexpected: Counter = field(default_factory=Counter)
    resent: Counter = field(default_factory=Counter)  # sent again by the client after a dropped connection

    def errors(self):
        return [s for s in self.samples if s.error]

    def summary(self, window):
        """Latency and throughput of the requests started within ``window``
        (start, end); logins whenever they happened; errors over the whole phase."""
        start, end = window
        by_page = defaultdict(list)
        measured = [s for s in self.samples if start <= s.start < end]
        for s in self.samples:
            if not s.error and (start <= s.start < end or s.page == "login"):
                by_page[s.page].append((s.end - s.start) * 1000)
        return {
            "requests": len(measured),
            "rps": round(len(measured) / (end - start), 1),
            "errors": len(self.errors()),
            "error_kinds": dict(Counter(f"{s.page}:{s.outcome}" for s in self.errors())),
            "unexpected": dict(self.unexpected),
            "resent_by_client": dict(self.resent),
            "acknowledged": len(self.acknowledged),
            "latency_ms": {page: percentiles(values) for page, values in sorted(by_page.items())},
        }


def percentiles(values):
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"n": len(values), "p50": round(p50, 1), "p95": round(p95, 1), "p99": round(p99, 1)}
