"""Coverage of the vendor contract: what happened since start or reset, against what could have.

The emulator knows every operation of every vendor (their contracts), every status and
transition of their machines, every neutral outcome, every webhook event a vendor sends and
every way a delivery can go. ``Tally`` counts what happened, per vendor and tenant, with one
dict increment at the one place each fact happens (the journal records a request, the engine
moves a fax, the dispatcher settles a delivery, a scenario rule acts); ``report`` sets the
counts against the universe, so a team learns which parts of the provider's behaviour its
own code was never tested against ("your code never saw a Kazoo job fail after its retries").

What counts toward a vendor's percentage (``COUNTED``): each operation answered 2xx, each
status entered, each neutral outcome reached, each webhook event delivered. The rest
(error answers, transitions, delivery paths, inbound faxes, scenario rules) is reported
item by item, covered or not, without weighing in the percentage: a client need not make
the emulator answer every 4xx to be well tested, but it must have seen every outcome.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.core.lifecycle import Machine
from emulator.core.outcomes import Outcome
from emulator.core.tally import DELIVERY_PATHS, KINDS, Tally

#: the kinds of item that count toward the percentage
COUNTED = frozenset({"operations", "statuses", "outcomes", "webhooks"})


@dataclass(slots=True, repr=False, eq=False)
class Universe:
    """Everything one vendor can do: the items a tally is measured against."""

    vendor: str
    title: str
    items: Mapping[str, tuple[str, ...]]  # kind -> every item of that kind, in a stable order

    @classmethod
    def of(
        cls,
        vendor: str,
        title: str,
        operations: Iterable[str],
        answers: Iterable[str],
        machine: Machine,
        webhook_events: Iterable[str],
        inbound: bool,
    ) -> Universe:
        """From a vendor's spec: its operations, the error statuses it documents, its machine,
        the webhook events it sends, and whether faxes reach it."""
        transitions = sorted(f"{a or 'new'} -> {b}" for a, b in machine.transitions())
        return cls(
            vendor,
            title,
            {
                "operations": tuple(operations),
                "answers": tuple(answers),
                "statuses": machine.states,
                "transitions": tuple(transitions),
                "outcomes": tuple(o.value for o in Outcome),
                "webhooks": tuple(webhook_events),
                "deliveries": DELIVERY_PATHS if webhook_events else (),
                "inbound": ("received",) if inbound else (),
                "rules": (),  # scenario rules are the user's own: reported as seen, never as missing
            },
        )


def _counts_for(tally: Tally, vendor: str, tenant: str | None) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    for (kind, who, owner, item), count in tally.items().items():
        if who == vendor and (tenant is None or owner == tenant):
            found[kind][item] = found[kind].get(item, 0) + count
    return found


def vendor_report(universe: Universe, tally: Tally, tenant: str | None = None) -> dict[str, Any]:
    """One vendor's coverage: per kind, each item with its count (0: never exercised), then
    what was seen outside the universe (scripted faults, other answers, rules)."""
    counts = _counts_for(tally, universe.vendor, tenant)
    kinds: dict[str, Any] = {}
    counted = covered_counted = 0
    for kind in KINDS:
        known = universe.items.get(kind, ())
        seen = counts[kind]
        items = [{"item": item, "count": seen.get(item, 0)} for item in known]
        items += [{"item": item, "count": n, "extra": True} for item, n in sorted(seen.items()) if item not in known]
        covered = sum(1 for item in known if seen.get(item, 0))
        kinds[kind] = {"covered": covered, "total": len(known), "counted": kind in COUNTED, "items": items}
        if kind in COUNTED:
            counted += len(known)
            covered_counted += covered
    return {
        "vendor": universe.vendor,
        "title": universe.title,
        "covered": covered_counted,
        "total": counted,
        "percent": percent(covered_counted, counted),
        "kinds": kinds,
    }


def report(
    universes: Iterable[Universe], tally: Tally, vendor: str | None = None, tenant: str | None = None
) -> dict[str, Any]:
    """Every vendor's coverage (or one's), and the overall percentage over the counted items."""
    vendors = [vendor_report(u, tally, tenant) for u in universes if vendor is None or u.vendor == vendor]
    covered = sum(v["covered"] for v in vendors)
    total = sum(v["total"] for v in vendors)
    return {
        "tenant": tenant,
        "covered": covered,
        "total": total,
        "percent": percent(covered, total),
        "counted": sorted(COUNTED),
        "vendors": vendors,
    }


def merge(reports: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Several reports of the same vendors (each test's emulator) as one: counts add up."""
    merged: dict[str, Any] | None = None
    for found in reports:
        if merged is None:
            merged = dict(copy.deepcopy(found))
            continue
        vendors = {v["vendor"]: v for v in merged["vendors"]}
        for vendor in found["vendors"]:
            into = vendors.get(vendor["vendor"])
            if into is None:
                merged["vendors"].append(copy.deepcopy(vendor))
                continue
            for kind, entry in vendor["kinds"].items():
                items = {i["item"]: i for i in into["kinds"][kind]["items"]}
                for item in entry["items"]:
                    if item["item"] in items:
                        items[item["item"]]["count"] += item["count"]
                    else:
                        into["kinds"][kind]["items"].append(dict(item))
    if merged is not None:
        _recount(merged)
    return merged


def _recount(found: dict[str, Any]) -> None:
    for vendor in found["vendors"]:
        covered = total = 0
        for entry in vendor["kinds"].values():
            entry["covered"] = sum(1 for i in entry["items"] if i["count"] and not i.get("extra"))
            if entry["counted"]:
                covered, total = covered + entry["covered"], total + entry["total"]
        vendor["covered"], vendor["total"], vendor["percent"] = covered, total, percent(covered, total)
    found["covered"] = sum(v["covered"] for v in found["vendors"])
    found["total"] = sum(v["total"] for v in found["vendors"])
    found["percent"] = percent(found["covered"], found["total"])


def below(found: Mapping[str, Any], thresholds: Iterable[str]) -> list[str]:
    """What falls short of each threshold (``PERCENT`` overall, or ``VENDOR:PERCENT``), in words."""
    short = []
    by_vendor = {v["vendor"]: v for v in found["vendors"]}
    for spec in thresholds:
        name, _, wanted = spec.rpartition(":")
        try:
            target = float(wanted)
        except ValueError:
            short.append(f"{spec!r} is not a threshold: PERCENT or VENDOR:PERCENT")
            continue
        entry = by_vendor.get(name) if name else found
        if entry is None:
            short.append(f"{name}: no such vendor in the report (expected one of {', '.join(by_vendor)})")
        elif entry["percent"] < target:
            short.append(f"{name or 'overall'}: {entry['percent']}% is below {target:g}%")
    return short


def percent(covered: int, total: int) -> float:
    return round(100.0 * covered / total, 1) if total else 100.0


FORMATS = ("table", "markdown", "json")


def render(found: Mapping[str, Any], form: str = "table", *, missing_only: bool = False) -> str:
    """A report (``report``'s answer) as text: an aligned table, Markdown (a CI job summary) or JSON.

    Each vendor gets a line with its percentage, then each kind with its covered/total, then
    the items not covered (and, unless ``missing_only``, those covered, with their counts).
    """
    if form == "json":
        import json

        return json.dumps(found, indent=2)
    markdown = form == "markdown"
    lines = ["## Fax provider coverage" if markdown else "fax provider coverage", "", f"{_overall(found)}", ""]
    for vendor in found["vendors"]:
        head = f"{vendor['title']}: {vendor['percent']}% ({vendor['covered']} of {vendor['total']} counted items)"
        lines += [f"### {head}" if markdown else head, ""]
        if markdown:
            lines += ["| kind | covered | not covered |", "|---|---|---|"]
        for kind, entry in vendor["kinds"].items():
            if not entry["total"] and not entry["items"]:
                continue
            missing = [i["item"] for i in entry["items"] if not i["count"] and not i.get("extra")]
            seen = [f"{i['item']} (x{i['count']})" for i in entry["items"] if i["count"]]
            label = f"{kind}{'' if entry['counted'] else ' (not counted)'}"
            ratio = f"{entry['covered']}/{entry['total']}" if entry["total"] else f"{len(seen)} seen"
            if markdown:
                shown = ", ".join(f"`{m}`" for m in missing) or "—"
                lines.append(f"| {label} | {ratio} | {shown} |")
                continue
            lines.append(f"  {label:<28} {ratio:>8}")
            lines += [f"      not covered: {m}" for m in missing]
            if not missing_only:
                lines += [f"      covered:     {s}" for s in seen]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _overall(found: Mapping[str, Any]) -> str:
    who = f" (tenant {found['tenant']})" if found.get("tenant") else ""
    return (
        f"overall{who}: {found['percent']}% ({found['covered']} of {found['total']} counted items: "
        f"{', '.join(found['counted'])})"
    )
