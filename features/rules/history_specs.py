"""What each history rule input counts, stated once as data, and how the inputs combine.

A :class:`Channel` names the rows it looks at (incidents, history events of some kinds, or
assessments referred to MARAC), the key they are matched on (the victim, the perpetrator or
the pair of them) and what is asked of the rows of the query's key strictly before the
assessment's ``completed_at`` (``t``): how many lie in ``[t - window, t)``, how many in all,
or how long ago the latest was. Two interpreters answer the same channels: the cohort's
(:mod:`features.rules.history_inputs`, on the features' timeline kernel) and one case's
(:mod:`features.rules.history_scalar`, plain Python over its few rows). :func:`combine`
turns their answers into :class:`features.rules.inputs_table.RuleInputs` fields with
operators that mean the same on Python ints and numpy arrays.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from features.rules.config import NS_PER_DAY, Thresholds
from features.vocab import PERIOD_KINDS

CONVICTION_KINDS: Final[tuple[str, ...]] = ("da_conviction", "violent_conviction")
ORDER_KIND: Final[str] = "licence_or_community_order"
MARAC_KIND: Final[str] = "marac_referral"
# Row keys: "dyad" (an incident's or a referred assessment's victim and perpetrator),
# "victim", "person" (an event's person), "referral" (event person, then counterpart: a
# victim's referral naming the perpetrator), "conviction" (counterpart, then person: the
# perpetrator's conviction naming the victim). Pair keys are matched against the query's dyad.
PAIR_KEYS: Final[frozenset[str]] = frozenset({"dyad", "referral", "conviction"})


class Source(NamedTuple):
    """Rows of one table a channel looks at, keyed and timed."""

    table: str  # "incidents", "events" or "referred" (assessments referred to MARAC)
    key: str  # see PAIR_KEYS above
    kinds: tuple[str, ...] = ()  # events only: their kinds
    counterpart: str = "any"  # events only: "named", "unnamed" or "any"
    time: str = "start"  # "start", or "end" (events with an end date, at their end)


class Channel(NamedTuple):
    """One question asked per assessment about the rows of ``sources`` before ``t``."""

    name: str
    sources: tuple[Source, ...]
    query: str  # "dyad", "victim" or "perp" of the assessment's incident
    reduce: str  # "count" (in the window), "total" or "age" (ns since the latest, -1: none)
    window: str = ""  # a Thresholds attribute in nanoseconds, for "count"


def _events(key: str, kinds: tuple[str, ...], counterpart: str = "any") -> Source:
    return Source("events", key, kinds, counterpart)


_MARAC, _CONV = (MARAC_KIND,), CONVICTION_KINDS
_PERIODS = tuple(sorted(PERIOD_KINDS))
_TRIGGER = "trigger_ns"


def _either(name: str, source: Source) -> tuple[Channel, ...]:
    """Return the same count for the victim and the perpetrator (summed by :func:`combine`)."""
    return tuple(
        Channel(f"{name}_{q}", (source,), q, "count", _TRIGGER) for q in ("victim", "perp")
    )


CHANNELS: Final[tuple[Channel, ...]] = (
    Channel("inc_dyad", (Source("incidents", "dyad"),), "dyad", "count", "esc_window_ns"),
    Channel("inc_victim", (Source("incidents", "victim"),), "victim", "count",
            "csc_third_window_ns"),
    Channel("marac_dyad", (_events("referral", _MARAC, "named"), Source("referred", "dyad")),
            "dyad", "age"),
    Channel("marac_alone", (_events("person", _MARAC, "unnamed"),), "victim", "age"),
    Channel("marac_any", (_events("person", _MARAC), Source("referred", "victim")), "victim",
            "age"),
    Channel("conv_all", (_events("person", _CONV),), "perp", "total"),
    Channel("conv_known", (_events("person", _CONV, "named"),), "perp", "count",
            "dvds_unspent_ns"),
    Channel("conv_same", (_events("conviction", _CONV, "named"),), "dyad", "count",
            "dvds_unspent_ns"),
    Channel("order_started", (_events("person", (ORDER_KIND,)),), "perp", "total"),
    Channel("order_stopped", (Source("events", "person", (ORDER_KIND,), time="end"),), "perp",
            "total"),
    Channel("release", (_events("person", ("release_from_custody",)),), "perp", "age"),
    *_either("period_start", _events("person", _PERIODS)),
    *_either("period_end", Source("events", "person", _PERIODS, time="end")),
    *_either("contact", _events("person", ("child_contact_proceedings",))),
    Channel("new_relationship", (_events("person", ("new_relationship",)),), "victim", "count",
            _TRIGGER),
    Channel("separation", (_events("person", ("separation",)),), "victim", "count", _TRIGGER),
    Channel("csc", (_events("person", ("csc_referral",)),), "victim", "age"),
)  # fmt: skip


def channels(th: Thresholds) -> tuple[Channel, ...]:
    """Return the channels a version reads (v1 counts every conviction, v2 unspent ones)."""
    unused = ("conv_all",) if th.dvds_other_victims_only else ("conv_known", "conv_same")
    return tuple(ch for ch in CHANNELS if ch.name not in unused)


def window_ns(channel: Channel, th: Thresholds) -> int:
    """Return a channel's window in nanoseconds (0 where it counts no window)."""
    return int(getattr(th, channel.window)) if channel.window else 0


def _days(age: Any) -> Any:
    """Whole days of an age, -1 where there is none (-1 in)."""
    return (age >= 0) * (age // NS_PER_DAY + 1) - 1


def _current_in(t: Any, s: Any, window: int) -> Any:
    """1 where the current incident (at ``s``) lies in ``[t - window, t)``: counted once."""
    return ((s >= t - window) & (s < t)) * 1


def combine(p: dict[str, Any], t: Any, s: Any, th: Thresholds) -> dict[str, Any]:
    """Return the history inputs from the channels' answers ``p`` (``s``: the incident's time)."""
    # v2: unspent convictions against other victims; rules v1: every conviction, any age
    convictions = p["conv_known"] - p["conv_same"] if th.dvds_other_victims_only else p["conv_all"]
    out = {
        "dyad_incidents": p["inc_dyad"] - _current_in(t, s, th.esc_window_ns) + 1,
        "victim_incidents": p["inc_victim"] - _current_in(t, s, th.csc_third_window_ns) + 1,
        "relevant_convictions": convictions,
        "order_active": (p["order_started"] - p["order_stopped"]) > 0,
        "order_changes": sum(p[f"period_{e}_{q}"] for e in ("start", "end") for q in
                             ("victim", "perp")),
        "contact_proceedings": p["contact_victim"] + p["contact_perp"],
        "new_relationships": p["new_relationship"],
        "separations": p["separation"],
    }  # fmt: skip
    ages = {"marac": "marac_dyad", "marac_victim": "marac_alone", "marac_any": "marac_any",
            "release": "release", "csc_referral": "csc"}  # fmt: skip
    for name, channel in ages.items():
        out[f"{name}_age_ns"] = p[channel]
        out[f"{name}_age_days"] = _days(p[channel])
    return out
