"""A local stand-in for the DSA Transparency Database's statements API on 127.0.0.1: it checks the
bearer token and validates every statement as the database's rules do (written here from its
published rules, independently of the service's code), refuses a known puid, and answers 201 with
a uuid per statement or 422 with the database's error shapes. ``fail_next`` makes it answer 503."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VISIBILITY = {
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
}
ACCOUNT = {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}
GROUND = {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
CONTENT = {"APP", "AUDIO", "IMAGE", "PRODUCT", "SYNTHETIC_MEDIA", "TEXT", "VIDEO", "OTHER"}
CATEGORY_WORDS = (
    "ANIMAL_WELFARE DATA_PROTECTION_AND_PRIVACY_VIOLATIONS ILLEGAL_OR_HARMFUL_SPEECH "
    "INTELLECTUAL_PROPERTY_INFRINGEMENTS NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS NON_CONSENSUAL_BEHAVIOUR "
    "PORNOGRAPHY_OR_SEXUALIZED_CONTENT PROTECTION_OF_MINORS RISK_FOR_PUBLIC_SECURITY SCAMS_AND_FRAUD SELF_HARM "
    "SCOPE_OF_PLATFORM_SERVICE UNSAFE_AND_ILLEGAL_PRODUCTS VIOLENCE"
)
CATEGORY = {f"STATEMENT_CATEGORY_{w}" for w in CATEGORY_WORDS.split()}
SOURCE = {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"}
AUTOMATED = {"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"}
COUNTRIES = set(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO".split()  # noqa: SIM905
)
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
    "automated_decision", "puid",
}  # fmt: skip


def _date(value: Any, low: str, high: str = "2038-01-01") -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return low <= value <= high


def validate(s: dict[str, Any]) -> dict[str, list[str]]:
    """Field -> problems, as the database's statements store request rules say."""
    errors: dict[str, list[str]] = {}

    def bad(field: str, why: str) -> None:
        errors.setdefault(field, []).append(why)

    for extra in set(s) - KNOWN_FIELDS:
        bad(extra, "unknown field")
    visibility, account = s.get("decision_visibility"), s.get("decision_account")
    if visibility is None and account is None:
        bad("decision_visibility", "required without decision_account (or monetary, provision)")
    if visibility is not None and (not isinstance(visibility, list) or not set(visibility) <= VISIBILITY):
        bad("decision_visibility", "must be an array of DECISION_VISIBILITY_*")
    if account is not None and account not in ACCOUNT:
        bad("decision_account", "invalid")
    ground = s.get("decision_ground")
    if ground not in GROUND:
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
    content = s.get("content_type")
    kinds = {str(c).removeprefix("CONTENT_TYPE_") for c in content} if isinstance(content, list) else set()
    if not kinds or not kinds <= CONTENT:
        bad("content_type", "required array of CONTENT_TYPE_*")
    if s.get("category") not in CATEGORY:
        bad("category", "required, one of the STATEMENT_CATEGORY_*")
    scope = s.get("territorial_scope")
    if scope is not None and (not isinstance(scope, list) or not set(scope) <= COUNTRIES):
        bad("territorial_scope", "array of EU/EEA country codes")
    if s.get("content_language") is not None and s["content_language"] not in LANGUAGES:
        bad("content_language", "an upper-case ISO 639-1 code")
    if not _date(s.get("content_date"), "2000-01-01"):
        bad("content_date", "The content date does not match the format YYYY-MM-DD.")
    if not _date(s.get("application_date"), "2020-01-01"):
        bad("application_date", "The application date does not match the format YYYY-MM-DD.")
    for field in ("end_date_account_restriction", "end_date_visibility_restriction"):
        if s.get(field) is not None and not _date(s[field], "2000-01-01"):
            bad(field, "YYYY-MM-DD")
    facts = s.get("decision_facts")
    if not facts or len(str(facts)) > 5000:
        bad("decision_facts", "required, at most 5000 characters")
    if s.get("source_type") not in SOURCE:
        bad("source_type", "required, one of the SOURCE_*")
    if s.get("source_identity") is not None and len(str(s["source_identity"])) > 500:
        bad("source_identity", "at most 500 characters")
    if s.get("automated_detection") not in ("Yes", "No"):
        bad("automated_detection", "required, Yes or No")
    if s.get("automated_decision") not in AUTOMATED:
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
