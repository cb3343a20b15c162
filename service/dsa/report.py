"""The transparency report (Art. 15 and 24 DSA) over a period: notices, actions, appeals,
sanctions and the automated means' accuracy, as a document and as CSV rows. Pure: the blueprint
reads the logs and hands them over."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from . import vocabulary as v
from .statements import restriction_kind

AUTOMATION = {v.FULLY: "fully", v.PARTIALLY: "partially", v.NOT_AUTOMATED: "not_automated"}
GROUNDS = {v.GROUND_ILLEGAL: "illegal_content", v.GROUND_INCOMPATIBLE: "incompatible_content"}


def _median_s(values: list[float]) -> float | None:
    return round(statistics.median(values) / 1000, 1) if values else None


def notices_section(received: Iterable[Mapping[str, Any]], outcomes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Notices received in the period, and which of them were acted on, how fast."""
    got = list(received)
    ids = {n["notice_id"] for n in got}
    decided = [o for o in outcomes if o.get("notice_id") in ids]
    acted = [o for o in decided if o.get("confirmed")]
    by_source = Counter("trusted_flagger" if n.get("source") == v.SOURCE_TRUSTED_FLAGGER else "article_16" for n in got)
    return {
        "total": len(got),
        "by_category": dict(Counter(str(n.get("category")) for n in got)),
        "by_source": {"trusted_flagger": by_source["trusted_flagger"], "article_16": by_source["article_16"]},
        "decided": len(decided),
        "acted_on": len(acted),
        "median_time_to_action_s": _median_s([float(o["ms_to_action"]) for o in decided if "ms_to_action" in o]),
    }


def actions_section(statements: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Every restriction (one statement of reasons each), by ground, automation, type, category:
    counted in one pass, so that the statements can be read a page at a time."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in ("ground", "automation", "restriction", "category")}
    counts["source"], total, detected = Counter(), 0, 0
    for body in statements:
        total += 1
        detected += body.get("automated_detection") == v.YES
        counts["ground"][str(body.get("decision_ground"))] += 1
        counts["automation"][str(body.get("automated_decision"))] += 1
        counts["restriction"][restriction_kind(body)] += 1
        counts["category"][str(body.get("category"))] += 1
        counts["source"][str(body.get("source_type"))] += 1
    return {
        "total": total,
        "by_ground": {name: counts["ground"][key] for key, name in GROUNDS.items()},
        "by_automation": {name: counts["automation"][key] for key, name in AUTOMATION.items()},
        "automated_detection": detected,
        "by_restriction": dict(counts["restriction"]),
        "by_category": dict(counts["category"]),
        "by_source": dict(counts["source"]),
    }


def appeals_section(events: Iterable[tuple[str, int, Mapping[str, Any]]]) -> dict[str, Any]:
    """Appeals (Art. 20) from the events: received, upheld, reversed, median time to decide."""
    received: dict[str, int] = {}
    upheld = reversed_ = 0
    times: list[float] = []
    for kind, ts, data in events:
        item = str(data.get("item_id", ""))
        if kind == "appeal.received":
            received[item] = ts
        elif kind == "appeal.decided":
            decision = data.get("decision") if isinstance(data.get("decision"), Mapping) else {}
            action = (decision or {}).get("action") or data.get("outcome")
            if action == "reverse":
                reversed_ += 1
            else:
                upheld += 1
            if item in received:
                times.append(float(ts - received[item]))
    return {
        "received": len(received),
        "upheld": upheld,
        "reversed": reversed_,
        "median_time_to_decision_s": _median_s(times),
    }


def sanctions_section(events: Iterable[tuple[str, int, Mapping[str, Any]]]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for kind, _, data in events:
        if kind == "author.sanctioned":
            counts[str(data.get("action"))] += 1
        elif kind == "author.sanction_lifted":
            counts["lifted"] += 1
    return {"total": sum(v for k, v in counts.items() if k != "lifted"), **counts}


def csv_rows(report: Mapping[str, Any]) -> str:
    """The report as ``section,metric,value`` rows, nested keys joined with ``.``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "metric", "value"])

    def walk(section: str, prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(section, f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            writer.writerow([section, prefix, "" if value is None else value])

    for section, value in report.items():
        if section == "period":
            for key, inner in value.items():
                writer.writerow(["period", key, inner])
        else:
            walk(section, "", value)
    return out.getvalue()
