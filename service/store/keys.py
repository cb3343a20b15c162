"""Every Redis key the service uses, built here and nowhere else.

Items are spread over ``partitions`` hash tags ``{p:NN}`` (NN = crc32(item_id) mod P). An item's
keys share the tag with its partition's event stream, review queue and audit log, so each atomic
script touches a single Redis Cluster slot while the global structures are still spread over P slots.
Reporters and API keys carry their own tags. Ids are validated to exclude ``{`` and ``}``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache

PREFIX = "raqib"


def partition_of(item_id: str, partitions: int) -> int:
    return zlib.crc32(item_id.encode("utf-8")) % partitions


def event_id_prefix(partition: int) -> str:
    """Public event ids (also webhook-ids) are this prefix and the stream entry id: unique across
    partitions, stable across retries."""
    return f"evt_{partition:02d}_"


@cache  # a report builds a dozen keys of its partition
def partition_tag(partition: int) -> str:
    return f"{{p:{partition:02d}}}"


@dataclass(frozen=True)
class PartitionKeys:
    """The shared structures of one partition."""

    partition: int

    @property
    def tag(self) -> str:
        return partition_tag(self.partition)

    @property
    def events(self) -> str:
        return f"{PREFIX}:{self.tag}:events"

    @property
    def review(self) -> str:
        """Sorted set: item id -> review priority, for items awaiting a decision."""
        return f"{PREFIX}:{self.tag}:review"

    @property
    def audit(self) -> str:
        """Stream: every state change, claim and decision of the partition's items."""
        return f"{PREFIX}:{self.tag}:audit"

    @property
    def stats(self) -> str:
        return f"{PREFIX}:{self.tag}:stats"

    @property
    def notice_log(self) -> str:
        """Sorted set: the partition's notices (JSON: id, item, category, source, flagger) -> received ms."""
        return f"{PREFIX}:{self.tag}:notice_log"

    @property
    def notice_outcomes(self) -> str:
        """Sorted set: the partition's notice outcomes (JSON: id, flagger, action, time to act) -> decided ms."""
        return f"{PREFIX}:{self.tag}:notice_outcomes"

    @property
    def decision_times(self) -> str:
        """List: the latest times from first report to decision, in ms."""
        return f"{PREFIX}:{self.tag}:decision_times"

    @property
    def review_oldest(self) -> str:
        """Sorted set: the queued items -> minus the start of their reporting round (ms), so that
        the highest score is the longest waiting, read in the same order as the priority queue."""
        return f"{PREFIX}:{self.tag}:review_oldest"

    @property
    def review_hidden(self) -> str:
        """Set: the queued items that are hidden, so that counting them reads no item."""
        return f"{PREFIX}:{self.tag}:review_hidden"

    @property
    def review_held(self) -> str:
        """Set: the queued items that are held (submitted, awaiting a moderator before readers see them)."""
        return f"{PREFIX}:{self.tag}:review_held"

    @property
    def author_pending(self) -> str:
        """Sorted set: item id -> time (ms), for items whose author record owes updates (strikes,
        counts): the author lives in another partition."""
        return f"{PREFIX}:{self.tag}:author_pending"

    @property
    def bank_pending(self) -> str:
        """Sorted set: item id -> decision time (ms), for decided images whose bank change (add on
        remove, take out on restore) is not yet applied: the bank lives on its own slot."""
        return f"{PREFIX}:{self.tag}:bank_pending"


@dataclass(frozen=True)
class ItemKeys:
    """The keys of one item; ``partition`` holds its partition's shared structures."""

    item_id: str
    partition: PartitionKeys

    @classmethod
    def of(cls, item_id: str, partitions: int) -> ItemKeys:
        return cls(item_id, PartitionKeys(partition_of(item_id, partitions)))

    def _key(self, kind: str) -> str:
        return f"{PREFIX}:{self.partition.tag}:{kind}:{self.item_id}"

    @property
    def item(self) -> str:
        return self._key("item")

    @property
    def reporters(self) -> str:
        return self._key("reporters")

    @property
    def reports(self) -> str:
        return self._key("reports")

    @property
    def history(self) -> str:
        return self._key("history")

    @property
    def claim(self) -> str:
        return self._key("claim")

    @property
    def image(self) -> str:
        """Hash: the uploaded image (base64, until analysed), its preview, its URL, its crop hashes."""
        return self._key("image")

    @property
    def overruled(self) -> str:
        """Set: reporters of earlier rounds that a moderator overruled; their reports no longer count."""
        return self._key("overruled")

    @property
    def notices(self) -> str:
        """Hash: the item's DSA notices, notice id -> JSON (with its decision once told)."""
        return self._key("notices")


@dataclass(frozen=True)
class AuthorKeys:
    """One author's keys, in the partition of the author's id: a sanction and its event (in that
    partition's stream) are then one script."""

    author_id: str
    partition: PartitionKeys

    @classmethod
    def of(cls, author_id: str, partitions: int) -> AuthorKeys:
        return cls(author_id, PartitionKeys(partition_of(f"author:{author_id}", partitions)))

    def _key(self, kind: str) -> str:
        return f"{PREFIX}:{self.partition.tag}:{kind}:{self.author_id}"

    @property
    def record(self) -> str:
        """Hash: counts, first and last seen, the current sanction (JSON)."""
        return self._key("author")

    @property
    def strikes(self) -> str:
        """Hash: strike id -> JSON (item, reason code, when, expiry, lifted)."""
        return self._key("author_strikes")

    @property
    def items(self) -> str:
        """Sorted set: the author's item ids -> last change (ms)."""
        return self._key("author_items")

    @property
    def applied(self) -> str:
        """Set: the ids of the updates already applied (each applies once)."""
        return self._key("author_applied")


PSEUDONYM_SECRET = f"{PREFIX}:pseudonym_secret"  # string: the key of erased authors' pseudonyms


# sorted set: worker (consumer name, "<host>-<pid>") -> its last heartbeat (Redis time, ms)
WORKER_HEARTBEATS = f"{PREFIX}:{{workers}}:heartbeats"


MODELS = f"{PREFIX}:{{models}}:versions"  # hash: version -> JSON (path, checksum, card summary, added)
MODELS_ACTIVE = f"{PREFIX}:{{models}}:active"  # hash: active, previous (version names)


def shadow_items(version: str) -> str:
    """Set: the items a candidate version scored in shadow."""
    return f"{PREFIX}:{{models}}:shadow:{version}"


def model_slots(host: str) -> str:
    """Sorted set: the holders of one machine's slots for heavy model work (token -> lease end)."""
    return f"{PREFIX}:{{m:{host}}}:model_slots"


def reporter_rate(reporter_id: str) -> str:
    return f"{PREFIX}:{{r:{reporter_id}}}:rate"


def reporter_trust(reporter_id: str) -> str:
    """Hash: agreed, disagreed, weight, first_seen of one reporter."""
    return f"{PREFIX}:{{r:{reporter_id}}}:trust"


def api_key_rate(key_id: str) -> str:
    return f"{PREFIX}:{{k:{key_id}}}:rate"


WEBHOOKS = f"{PREFIX}:webhooks"  # set of subscription ids
DELIVERY_GROUP = "delivery"


@dataclass(frozen=True)
class WebhookKeys:
    """One subscription's keys, all under its own hash tag."""

    webhook_id: str

    @property
    def tag(self) -> str:
        return f"{{w:{self.webhook_id}}}"

    @property
    def endpoint(self) -> str:
        return f"{PREFIX}:{self.tag}:endpoint"

    @property
    def due(self) -> str:
        """Sorted set: delivery id -> time (ms) of its next attempt, or of its lease's end."""
        return f"{PREFIX}:{self.tag}:due"

    @property
    def log(self) -> str:
        """Sorted set: delivery id -> creation time (ms), for listing latest first."""
        return f"{PREFIX}:{self.tag}:log"

    def delivery(self, delivery_id: str) -> str:
        return f"{PREFIX}:{self.tag}:delivery:{delivery_id}"


IMAGE_JOBS = f"{PREFIX}:{{images}}:jobs"  # stream: item ids whose image awaits analysis
SCORE_JOBS = f"{PREFIX}:{{score}}:jobs"  # stream: comment ids whose first text awaits the classifier
SCORE_GROUP = "score"
IMAGE_GROUP = "analyse"
BANK = f"{PREFIX}:{{bank}}:pdq"  # hash: entry id -> JSON (item id, PDQ hashes, who added it, when)
BANK_VERSION = f"{PREFIX}:{{bank}}:version"  # bumped on every change, so workers reload their copy


# The policy lives in partition 0's slot, so that a change and its audit entry are one script.
POLICY = f"{PREFIX}:{partition_tag(0)}:policy"  # hash: version, document (JSON), updated_at, updated_by
POLICY_AUDIT = PartitionKeys(0).audit
WORDLISTS = f"{PREFIX}:wordlists"  # set: the names of the stored word lists


def wordlist(name: str) -> str:
    """Hash: a word list's ``words`` (JSON) and ``version`` (changes with every write)."""
    return f"{PREFIX}:{{wl:{name}}}:wordlist"


def author_recent(author_id: str) -> str:
    """Sorted set: an author's submissions of the last day (member -> ms), for the flood condition."""
    return f"{PREFIX}:{{a:{author_id}}}:recent"


# The bank of removed comments, on one slot: entry records, LSH buckets, the order of banking.
TEXT_BANK = f"{PREFIX}:{{tb}}:entries"  # hash: entry id -> JSON (item id, signature, buckets, excerpt, who, when)
TEXT_BANK_BUCKETS = f"{PREFIX}:{{tb}}:buckets"  # hash: LSH bucket -> comma-separated entry ids
TEXT_BANK_ORDER = f"{PREFIX}:{{tb}}:order"  # sorted set: entry id -> time banked (ms)

# The DSA: trusted flaggers, and the statements of reasons on one slot (their order, the index
# that makes each one once, the queue of those to send, each one's submission to the database).
TRUSTED_FLAGGERS = f"{PREFIX}:{{dsa}}:trusted_flaggers"  # hash: flagger id -> JSON (name, created_at)
FLAGGER_COUNTS = f"{PREFIX}:{{dsa}}:flagger_counts"  # hash: "<flagger id>:sent|confirmed|rejected" -> count
STATEMENTS = f"{PREFIX}:{{dsa}}:statements"  # stream: id, item_id, statement (JSON), created (ms)
STATEMENT_INDEX = f"{PREFIX}:{{dsa}}:statement_index"  # hash: statement id -> stream id
STATEMENT_PENDING = f"{PREFIX}:{{dsa}}:statement_pending"  # sorted set: statement id -> next attempt (ms)
STATEMENT_SUBMISSIONS = f"{PREFIX}:{{dsa}}:submissions"  # hash: statement id -> JSON (state, uuid, error, ...)
DSA_GROUP = "dsa"  # the consumer group that turns events into statements

# The Perspective-compatible API: texts kept at the client's request, and suggested scores.
PERSPECTIVE_KEPT = f"{PREFIX}:{{perspective}}:kept"  # stream: analysed texts (doNotStore=false), trimmed by age
PERSPECTIVE_SUGGESTIONS = f"{PREFIX}:{{perspective}}:suggestions"  # stream: comments:suggestscore verdicts


def session(digest: str) -> str:
    """Hash: a moderator's web session (key id, role, actor, CSRF token), by the digest of its id."""
    return f"{PREFIX}:{{s:{digest}}}:session"
