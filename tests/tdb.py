"""A local stand-in for the DSA Transparency Database's statements API on 127.0.0.1: it checks the
bearer token and validates every statement as the database's rules do (written here from its
source, independently of the service's code: the lists in ``tdb_lists``, with the commit they were
read at), refuses a known puid, and answers 201 with a uuid per statement or 422 with the
database's error shapes. ``fail_next`` makes it answer 503."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import tdb_lists as db

LANGUAGES = {"AR", "FR", "EN", "ES", "NL", "DE", "IT", "PT"}
PUID = re.compile(r"^[a-zA-Z0-9-_]+$")
KNOWN_FIELDS = {
    "decision_visibility", "decision_visibility_other", "decision_monetary", "decision_monetary_other",
    "decision_provision", "decision_account", "account_type", "category_specification",
    "category_specification_other", "decision_ground", "decision_ground_reference_url",
    "illegal_content_legal_ground", "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type", "content_type_other",
    "category", "category_addition", "territorial_scope", "content_language", "content_date", "application_date",
    "end_date_account_restriction", "end_date_monetary_restriction", "end_date_service_restriction",
    "end_date_visibility_restriction", "decision_facts", "source_type", "source_identity", "automated_detection",
    "automated_decision", "puid", "content_id",
}  # fmt: skip


def _date(value: Any, low: str, high: str = "2038-01-01") -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return low <= value <= high


def _array_of(value: Any, allowed: frozenset[str]) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) and x in allowed for x in value)


def _category_problems(s: dict[str, Any], bad: Any) -> None:
    """``category`` (required), ``category_addition`` and ``category_specification`` from the
    database's lists; a keyword filed under neither the category nor an addition is refused."""
    category = s.get("category")
    if category not in db.CATEGORIES:
        bad("category", "required, one of the STATEMENT_CATEGORY_*")
    additions = s.get("category_addition", [])
    if not _array_of(additions, db.CATEGORIES):
        bad("category_addition", "array of STATEMENT_CATEGORY_*")
        additions = []
    keywords = s.get("category_specification")
    if keywords is None:
        keywords = []
    elif not _array_of(keywords, db.KEYWORDS):
        bad("category_specification", "array of KEYWORD_*")
        keywords = []
    under = {category, *additions}
    for keyword in keywords:
        if keyword in db.FILED_UNDER and db.FILED_UNDER[keyword] not in under:
            bad("category_specification", f"{keyword} is filed under {db.FILED_UNDER[keyword]}")
    other = s.get("category_specification_other")
    if other is not None and (not isinstance(other, str) or len(other) > 500):
        bad("category_specification_other", "at most 500 characters")
    if other and "KEYWORD_OTHER" not in keywords:
        bad("category_specification_other", "dropped unless category_specification has KEYWORD_OTHER")


def validate(s: dict[str, Any]) -> dict[str, list[str]]:
    """Field -> problems, as the database's batch endpoint's rules say."""
    errors: dict[str, list[str]] = {}

    def bad(field: str, why: str) -> None:
        errors.setdefault(field, []).append(why)

    for extra in set(s) - KNOWN_FIELDS:
        bad(extra, "unknown field")
    restrictions = {
        "decision_visibility": s.get("decision_visibility"),
        "decision_monetary": s.get("decision_monetary"),
        "decision_provision": s.get("decision_provision"),
        "decision_account": s.get("decision_account"),
    }
    if all(value is None for value in restrictions.values()):
        bad("decision_visibility", "required without decision_monetary, decision_provision, decision_account")
    visibility = restrictions["decision_visibility"]
    if visibility is not None and not _array_of(visibility, db.VISIBILITIES):
        bad("decision_visibility", "must be an array of DECISION_VISIBILITY_*")
    if "DECISION_VISIBILITY_OTHER" in (visibility or []) and not s.get("decision_visibility_other"):
        bad("decision_visibility_other", "required when decision visibility is other")
    for field, allowed in (
        ("decision_monetary", db.MONETARIES),
        ("decision_provision", db.PROVISIONS),
        ("decision_account", db.ACCOUNTS),
        ("account_type", db.ACCOUNT_TYPES),
    ):
        if s.get(field) is not None and s[field] not in allowed:
            bad(field, "invalid")
    ground = s.get("decision_ground")
    if ground not in db.GROUNDS:
        bad("decision_ground", "required, one of the DECISION_GROUND_*")
    pairs = {
        "DECISION_GROUND_ILLEGAL_CONTENT": "illegal_content",
        "DECISION_GROUND_INCOMPATIBLE_CONTENT": "incompatible_content",
    }
    for key, stem in pairs.items():
        for part, cap in (("legal_ground" if stem == "illegal_content" else "ground", 500), ("explanation", 2000)):
            field = f"{stem}_{part}"
            if ground == key and not s.get(field):
                bad(field, f"required when decision ground is {key}")
            if field in s and len(str(s[field])) > cap:
                bad(field, f"at most {cap} characters")
            if ground != key and s.get(field):
                bad(field, "excluded unless its ground")
    illegal_too = s.get("incompatible_content_illegal")
    if illegal_too is not None and illegal_too not in db.INCOMPATIBLE_ILLEGAL:
        bad("incompatible_content_illegal", "Yes or No")
    content = s.get("content_type")
    if not content or not _array_of(content, db.CONTENT_TYPES):
        bad("content_type", "required array of CONTENT_TYPE_*")
    if "CONTENT_TYPE_OTHER" in (content or []) and not s.get("content_type_other"):
        bad("content_type_other", "required when content is other")
    _category_problems(s, bad)
    scope = s.get("territorial_scope")
    if scope is not None and not _array_of(scope, db.COUNTRIES):
        bad("territorial_scope", "array of EU/EEA country codes")
    if s.get("content_language") is not None and s["content_language"] not in LANGUAGES:
        bad("content_language", "an upper-case ISO 639-1 code")
    if not _date(s.get("content_date"), "2000-01-01"):
        bad("content_date", "The content date does not match the format YYYY-MM-DD.")
    if not _date(s.get("application_date"), "2020-01-01"):
        bad("application_date", "The application date does not match the format YYYY-MM-DD.")
    for field in (
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ):
        if s.get(field) is not None and not _date(s[field], "0000-01-01"):
            bad(field, "YYYY-MM-DD")
    facts = s.get("decision_facts")
    if not facts or len(str(facts)) > 5000:
        bad("decision_facts", "required, at most 5000 characters")
    if s.get("source_type") not in db.SOURCE_TYPES:
        bad("source_type", "required, one of the SOURCE_*")
    if s.get("source_identity") is not None and len(str(s["source_identity"])) > 500:
        bad("source_identity", "at most 500 characters")
    if s.get("automated_detection") not in db.AUTOMATED_DETECTIONS:
        bad("automated_detection", "required, Yes or No")
    if s.get("automated_decision") not in db.AUTOMATED_DECISIONS:
        bad("automated_decision", "required, one of the AUTOMATED_DECISION_*")
    puid = s.get("puid")
    if not isinstance(puid, str) or not PUID.match(puid) or len(puid) > 500:
        bad("puid", "required, ^[a-zA-Z0-9-_]+$, at most 500")
    return errors


class TransparencyDatabase:
    """The stand-in server: ``url``, the statements it ``stored``, the ``calls`` it received."""

    def __init__(self, token: str) -> None:
        self.token, self.fail_next = token, 0
        self.stored: dict[str, dict[str, Any]] = {}
        self.calls: list[bytes] = []
        self.lock = threading.Lock()
        db = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = db.handle(self.path, self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def handle(self, path: str, auth: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append(raw)
            if path != "/api/v1/statements":
                return 404, {"message": "not found"}
            if auth != f"Bearer {self.token}":
                return 401, {"message": "Unauthenticated."}
            if self.fail_next:
                self.fail_next -= 1
                return 503, {"message": "Service Unavailable"}
            statements = json.loads(raw or b"{}").get("statements")
            if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
                return 422, {"message": "statements: 1 to 100", "errors": {"statements": ["1 to 100"]}}
            errors = {f"statement_{i}": e for i, s in enumerate(statements) if (e := validate(s))}
            if errors:
                return 422, {"message": "The given data was invalid.", "errors": errors}
            puids = [s["puid"] for s in statements]
            known = [p for p in puids if p in self.stored]
            if known or len(set(puids)) != len(puids):
                message = "The platform identifier(s) given are not all unique within this platform."
                return 422, {"message": message, "errors": {"puid": [message], "existing_puids": known}}
            out = []
            for s in statements:
                saved = {**s, "uuid": str(uuid.uuid4())}
                self.stored[s["puid"]] = saved
                out.append(saved)
            return 201, {"statements": out}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
