"""What /metrics shows: the bot's counters and gauges, in a registry the application owns.

One CollectorRegistry per Application (built in bot/app.py, kept in its services), not
prometheus-client's global one: tests, benchmarks and several Applications in one process
each count their own. The figures live in this process's memory: counters restart from
zero when the process does (Prometheus' rate() and increase() read that as a reset), and
with several replicas each exposes its own, which Prometheus sums across its targets.
The subscriber gauges are the exception: they are the database's figures, counted in the
background (bot/web/metrics.py), so they survive a restart (absent until the first count)
and every replica on one database shows the same: aggregate them with max(), not sum().

Labels take only values from fixed sets (update kinds, as the adapter names them:
bot/telegram/updates.py; Bot API method names the bot's own code calls; result kinds),
never anything a user typed, so the series stay few.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from bot.core.limits.load import UpdateRate
from bot.core.push.tally import Outcome as PushOutcome
from bot.core.push.tally import Tally
from bot.core.scope import UpdateOutcome
from bot.version import briefbot_version, python_version
from storage import SubscriberCounts

# What a Bot API call came to, by the HTTP status the Bot API answered with (its
# error_code is the same number); "timeout" and "network" when no answer came.
_RESULTS: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "bad_request",
    HTTPStatus.UNAUTHORIZED: "unauthorized",
    HTTPStatus.FORBIDDEN: "forbidden",
    HTTPStatus.NOT_FOUND: "not_found",
    HTTPStatus.CONFLICT: "conflict",
    HTTPStatus.TOO_MANY_REQUESTS: "too_many_requests",
}
TIMEOUT = "timeout"
NETWORK = "network"


def result_of(status: int) -> str:
    """The result label for an answer with this HTTP status."""
    if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        return "ok"
    return _RESULTS.get(status, "server_error" if status >= 500 else f"http_{status}")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # Which briefbot answers, on which Python: briefbot_build_info{version, python_version} 1.
        Info(
            "briefbot_build", "The briefbot version running, and its Python", registry=self.registry
        ).info({"version": briefbot_version(), "python_version": python_version()})
        self._declare_updates(self.registry)
        self._declare_push(self.registry)
        # The updates handled a second, lately: no series of its own (/metrics has the
        # counter), but the load the voice notes' engines give way to (bot/core/audio/
        # yielding.py). Counted as each update ends, whichever chat app it came from.
        self.updates = UpdateRate()
        # The push runs in progress in this process, by id(): their tallies give what remains.
        self._runs: dict[int, Tally] = {}
        self._push_remaining.set_function(self._remaining)

    def _declare_updates(self, registry: CollectorRegistry) -> None:
        """The series of updates and of the Bot API's answers."""
        self._updates = Counter(
            "briefbot_updates",
            "Updates received, by kind, and whether they were handled, dropped by the flood "
            "gate, or failed with an error",
            ["kind", "outcome"],
            registry=registry,
        )
        self._handling = Histogram(
            "briefbot_update_handling_seconds",
            "Time the handlers of one update took, sends waiting for their turn included",
            ["kind"],
            registry=registry,
        )
        self._api_calls = Counter(
            "briefbot_bot_api_requests",
            "Requests to the Bot API, by method and result (ok, or the kind of error)",
            ["method", "result"],
            registry=registry,
        )
        self._flood_wait = Counter(
            "briefbot_flood_wait_seconds",
            "Seconds every send was held because Telegram answered 429 Too Many Requests",
            registry=registry,
        )

    def _declare_push(self, registry: CollectorRegistry) -> None:
        """The series of the push, its subscribers and its scheduler."""
        self._push = Counter(
            "briefbot_push_messages",
            "Push deliveries (one brief to one chat), by outcome: sent, skipped (already "
            "sent), failed (tried again later), refused, unreachable (the bot was blocked)",
            ["outcome"],
            registry=registry,
        )
        self._push_remaining = Gauge(
            "briefbot_push_messages_remaining",
            "Deliveries the push runs in progress still have to make",
            registry=registry,
        )
        self._subscribers = Gauge(
            "briefbot_subscribers",
            "Subscribers by state (active, blocked, inactive), counted in the database every "
            "30 s, not at each scrape: the same figure on every replica sharing it",
            ["state"],
            registry=registry,
        )
        self._scheduler_lag = Gauge(
            "briefbot_scheduler_lag_seconds",
            "How late the push scheduler's last tick ran after the time it was due",
            registry=registry,
        )

    def update_handled(self, kind: str, outcome: UpdateOutcome, seconds: float) -> None:
        self._updates.labels(kind, outcome.value).inc()
        self._handling.labels(kind).observe(seconds)
        if outcome is not UpdateOutcome.DROPPED:  # a dropped update cost next to nothing
            self.updates.arrived()

    def update_dropped_unread(self, kind: str) -> None:
        """An update the flood gate dropped before PTB read it (bot/telegram/limits/early.py)."""
        self._updates.labels(kind, UpdateOutcome.DROPPED.value).inc()

    def bot_api_call(self, method: str, result: str) -> None:
        self._api_calls.labels(method, result).inc()

    def flood_waited(self, seconds: float) -> None:
        self._flood_wait.inc(seconds)

    def scheduler_late(self, seconds: float) -> None:
        self._scheduler_lag.set(seconds)

    def subscribers(self, counts: SubscriberCounts) -> None:
        self._subscribers.labels("active").set(counts.active)
        self._subscribers.labels("blocked").set(counts.blocked)
        self._subscribers.labels("inactive").set(counts.inactive)

    @contextmanager
    def push_run(self, tally: Tally) -> Iterator[None]:
        """Counts the run's deliveries as it makes them, and what it has left while it runs."""
        tally.on_count = self._push_counted
        self._runs[id(tally)] = tally
        try:
            yield
        finally:
            del self._runs[id(tally)]

    def _push_counted(self, outcome: PushOutcome, times: int) -> None:
        self._push.labels(outcome.value).inc(times)

    def _remaining(self) -> float:
        return float(sum(tally.progress().remaining for tally in self._runs.values()))
