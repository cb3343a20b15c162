"""The DSA Transparency Database's vocabulary (its API v2's accepted values) and how Raqib's own
reasons, languages and ids map onto it. Pure.

Read from the ``digital-services-act/transparency-database`` repository (no code copied):
``app/Models/Statement.php`` at commit ``f77bf6befdf12347849b46682642682fdcda14d6`` (categories,
keywords, the other enumerations), the batch endpoint's rules in
``app/Services/GroupedSubmissionsService.php`` at ``242ba47f396a3ddf103034103d262148ea6e6d51``,
and which keyword falls under which category in
``resources/markdown/additional-explanation-for-statement-attributes.md`` at
``815ed68814dc4a8f4ed118d92773520518a7fbc1``. Since API v2 (2025-07-01) ``SCOPE_OF_PLATFORM_SERVICE``
is ``OTHER_VIOLATION_TC``, ``UNSAFE_AND_ILLEGAL_PRODUCTS`` is ``UNSAFE_AND_PROHIBITED_PRODUCTS``, and
``PORNOGRAPHY_OR_SEXUALIZED_CONTENT`` and ``NON_CONSENSUAL_BEHAVIOUR`` are gone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOURCE_COMMIT = "f77bf6befdf12347849b46682642682fdcda14d6"  # Statement.php, the lists below

_C = "STATEMENT_CATEGORY_"
# category -> the keywords (``category_specification``) the database files under it
KEYWORDS_OF: dict[str, tuple[str, ...]] = {
    _C + "ANIMAL_WELFARE": ("KEYWORD_ANIMAL_HARM", "KEYWORD_UNLAWFUL_SALE_ANIMALS"),
    _C + "CONSUMER_INFORMATION": (
        "KEYWORD_HIDDEN_ADVERTISEMENT",
        "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
        "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
        "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
        "KEYWORD_NONCOMPLIANCE_PRICING",
    ),
    _C + "CYBER_VIOLENCE": (
        "KEYWORD_CYBER_BULLYING_INTIMIDATION",
        "KEYWORD_CYBER_HARASSMENT",
        "KEYWORD_CYBER_INCITEMENT",
        "KEYWORD_CYBER_STALKING",
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    ),
    _C + "CYBER_VIOLENCE_AGAINST_WOMEN": (
        "KEYWORD_BULLYING_AGAINST_GIRLS",
        "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
        "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
        "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
        "KEYWORD_INCITEMENT_AGAINST_WOMEN",
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    ),
    _C + "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": (
        "KEYWORD_BIOMETRIC_DATA_BREACH",
        "KEYWORD_DATA_FALSIFICATION",
        "KEYWORD_MISSING_PROCESSING_GROUND",
        "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    ),
    _C + "ILLEGAL_OR_HARMFUL_SPEECH": ("KEYWORD_DEFAMATION", "KEYWORD_DISCRIMINATION", "KEYWORD_HATE_SPEECH"),
    _C + "INTELLECTUAL_PROPERTY_INFRINGEMENTS": (
        "KEYWORD_COPYRIGHT_INFRINGEMENT",
        "KEYWORD_DESIGN_INFRINGEMENT",
        "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
        "KEYWORD_PATENT_INFRINGEMENT",
        "KEYWORD_TRADE_SECRET_INFRINGEMENT",
        "KEYWORD_TRADEMARK_INFRINGEMENT",
    ),
    _C + "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": (
        "KEYWORD_MISINFORMATION_DISINFORMATION",
        "KEYWORD_VIOLATION_EU_LAW",
        "KEYWORD_VIOLATION_NATIONAL_LAW",
    ),
    _C + "NOT_SPECIFIED_NOTICE": (),
    _C + "OTHER_VIOLATION_TC": (
        "KEYWORD_ADULT_SEXUAL_MATERIAL",
        "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
        "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
        "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
        "KEYWORD_LANGUAGE_REQUIREMENTS",
        "KEYWORD_NUDITY",
    ),
    _C + "PROTECTION_OF_MINORS": (
        "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
        "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
        "KEYWORD_UNSAFE_CHALLENGES",
    ),
    _C + "RISK_FOR_PUBLIC_SECURITY": (
        "KEYWORD_ILLEGAL_ORGANIZATIONS",
        "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
        "KEYWORD_RISK_PUBLIC_HEALTH",
        "KEYWORD_TERRORIST_CONTENT",
    ),
    _C + "SCAMS_AND_FRAUD": (
        "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
        "KEYWORD_INAUTHENTIC_ACCOUNTS",
        "KEYWORD_INAUTHENTIC_LISTINGS",
        "KEYWORD_INAUTHENTIC_USER_REVIEWS",
        "KEYWORD_PHISHING",
        "KEYWORD_PYRAMID_SCHEMES",
    ),
    _C + "SELF_HARM": ("KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS", "KEYWORD_SELF_MUTILATION", "KEYWORD_SUICIDE"),
    _C + "UNSAFE_AND_PROHIBITED_PRODUCTS": ("KEYWORD_PROHIBITED_PRODUCTS", "KEYWORD_UNSAFE_PRODUCTS"),
    _C + "VIOLENCE": (
        "KEYWORD_COORDINATED_HARM",
        "KEYWORD_HUMAN_EXPLOITATION",
        "KEYWORD_HUMAN_TRAFFICKING",
        "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
        "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
    ),
}
CATEGORIES = tuple(sorted(KEYWORDS_OF))
KEYWORD_OTHER = "KEYWORD_OTHER"  # under no category; ``category_specification_other`` says what
# accepted, though filed under no category: KEYWORD_STALKING is a v1 keyword the database still takes
KEYWORDS = tuple(sorted({k for ks in KEYWORDS_OF.values() for k in ks} | {"KEYWORD_STALKING", KEYWORD_OTHER}))
OTHER_VIOLATION = _C + "OTHER_VIOLATION_TC"
NOT_SPECIFIED_NOTICE = _C + "NOT_SPECIFIED_NOTICE"
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"  # a notice of it may be anonymous (Art. 16(2)(c))
SOURCE_ARTICLE_16 = "SOURCE_ARTICLE_16"
SOURCE_TRUSTED_FLAGGER = "SOURCE_TRUSTED_FLAGGER"
SOURCE_OTHER_NOTIFICATION = "SOURCE_TYPE_OTHER_NOTIFICATION"
SOURCE_VOLUNTARY = "SOURCE_VOLUNTARY"
SOURCE_TYPES = (SOURCE_ARTICLE_16, SOURCE_TRUSTED_FLAGGER, SOURCE_OTHER_NOTIFICATION, SOURCE_VOLUNTARY)
VISIBILITY_REMOVED = "DECISION_VISIBILITY_CONTENT_REMOVED"
VISIBILITY_DISABLED = "DECISION_VISIBILITY_CONTENT_DISABLED"
VISIBILITIES = (
    VISIBILITY_REMOVED,
    VISIBILITY_DISABLED,
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
ACCOUNT_SUSPENDED = "DECISION_ACCOUNT_SUSPENDED"
ACCOUNT_TERMINATED = "DECISION_ACCOUNT_TERMINATED"
ACCOUNTS = (ACCOUNT_SUSPENDED, ACCOUNT_TERMINATED)
GROUND_ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
GROUND_INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
GROUNDS = (GROUND_ILLEGAL, GROUND_INCOMPATIBLE)
CONTENT_TEXT, CONTENT_IMAGE = "CONTENT_TYPE_TEXT", "CONTENT_TYPE_IMAGE"
CONTENT_TYPES = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    CONTENT_IMAGE,
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    CONTENT_TEXT,
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
FULLY = "AUTOMATED_DECISION_FULLY"
PARTIALLY = "AUTOMATED_DECISION_PARTIALLY"
NOT_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED"
AUTOMATED_DECISIONS = (FULLY, PARTIALLY, NOT_AUTOMATED)
YES, NO = "Yes", "No"
EU_COUNTRIES = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
EEA_COUNTRIES = ("IS", "LI", "NO")
COUNTRIES = EU_COUNTRIES + EEA_COUNTRIES
MAX_FACTS, MAX_GROUND, MAX_EXPLANATION, MAX_PUID = 5000, 500, 2000, 500

MAX_SPECIFICATION_OTHER = 500


@dataclass(frozen=True)
class Category:
    """A statement's ``category``, its ``category_specification`` keywords and, with
    ``KEYWORD_OTHER``, the ``category_specification_other`` text."""

    category: str
    keywords: tuple[str, ...] = ()
    other: str | None = None

    def fields(self) -> dict[str, Any]:
        """The statement's fields for it: the keywords and their free text only when there are any."""
        out: dict[str, Any] = {"category": self.category}
        if self.keywords:
            out["category_specification"] = list(self.keywords)
        if self.other and KEYWORD_OTHER in self.keywords:
            out["category_specification_other"] = self.other[:MAX_SPECIFICATION_OTHER]
        return out


_SPEECH, _VIOLENCE = _C + "ILLEGAL_OR_HARMFUL_SPEECH", _C + "VIOLENCE"
# Raqib's reasons (a reader's report, a moderator's reason code, a submission rule's category) ->
# the database's category and keywords. Spam has no keyword of its own: "other", said in words.
_CATEGORY_OF: dict[str, Category] = {
    "hate": Category(_SPEECH, ("KEYWORD_HATE_SPEECH",)),
    "hate_speech": Category(_SPEECH, ("KEYWORD_HATE_SPEECH",)),
    "offensive": Category(_SPEECH),
    "vulgar": Category(_SPEECH),
    "vulgarity": Category(_SPEECH),
    "harassment": Category(_C + "CYBER_VIOLENCE", ("KEYWORD_CYBER_HARASSMENT",)),
    "violence": Category(_VIOLENCE, ("KEYWORD_INCITEMENT_VIOLENCE_HATRED",)),
    "spam": Category(OTHER_VIOLATION, (KEYWORD_OTHER,), "Spam"),
    "sexual": Category(OTHER_VIOLATION, ("KEYWORD_ADULT_SEXUAL_MATERIAL",)),
    "sexual_content": Category(OTHER_VIOLATION, ("KEYWORD_ADULT_SEXUAL_MATERIAL",)),
    "misinformation": Category(
        _C + "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", ("KEYWORD_MISINFORMATION_DISINFORMATION",)
    ),
    "other": Category(OTHER_VIOLATION),
    "other_violation": Category(OTHER_VIOLATION),
}
DEFAULT_CATEGORY = OTHER_VIOLATION
# API v1 categories a notice stored before v2 may still carry -> their v2 equivalent
_V1: dict[str, Category] = {
    _C + "SCOPE_OF_PLATFORM_SERVICE": Category(OTHER_VIOLATION),
    _C + "PORNOGRAPHY_OR_SEXUALIZED_CONTENT": Category(OTHER_VIOLATION, ("KEYWORD_ADULT_SEXUAL_MATERIAL",)),
    _C + "UNSAFE_AND_ILLEGAL_PRODUCTS": Category(_C + "UNSAFE_AND_PROHIBITED_PRODUCTS"),
    _C + "NON_CONSENSUAL_BEHAVIOUR": Category(_C + "CYBER_VIOLENCE", ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",)),
}


def database_category(value: str | None) -> Category | None:
    """A database category as it is, an API v1 one as its v2 equivalent; None for anything else."""
    if value in KEYWORDS_OF:
        return Category(str(value))
    return _V1.get(value or "")


def classify(reason: str | None) -> Category:
    """The database's category (with keywords) for one of Raqib's reasons or a database category
    (see ``database_category``); ``OTHER_VIOLATION_TC`` for anything else."""
    return database_category(reason) or _CATEGORY_OF.get(reason or "") or Category(DEFAULT_CATEGORY)


def category_of(reason: str | None) -> str:
    """The database's category alone for one of Raqib's reasons (see ``classify``)."""
    return classify(reason).category


def current(body: Mapping[str, Any]) -> dict[str, Any]:
    """A statement made before API v2, as v2 takes it: a v1 ``category`` (or additional one)
    becomes its equivalent, with its keywords added. Any other statement comes back as it was."""
    out = dict(body)
    old = _V1.get(str(body.get("category") or ""))
    if old is not None:
        out["category"] = old.category
        keywords = [*body.get("category_specification", []), *old.keywords]
        if keywords:
            out["category_specification"] = list(dict.fromkeys(keywords))
    additions = body.get("category_addition")
    if isinstance(additions, list):
        out["category_addition"] = list(dict.fromkeys((_V1[a].category if a in _V1 else a) for a in additions))
    return out


def misfiled(category: str, keywords: list[str] | tuple[str, ...], additions: tuple[str, ...] = ()) -> list[str]:
    """The keywords the database files under neither ``category`` nor an additional category (the
    ones under no category, ``KEYWORD_OTHER`` and ``KEYWORD_STALKING``, fit anywhere)."""
    allowed = {k for c in (category, *additions) for k in KEYWORDS_OF.get(c, ())}
    filed = {k for ks in KEYWORDS_OF.values() for k in ks}
    return [k for k in keywords if k in filed and k not in allowed]


_PUID_SAFE = re.compile(r"[A-Za-z0-9-]")


def puid(*parts: str) -> str:
    """A platform unique identifier the database accepts (``^[a-zA-Z0-9-_]+$``, at most 500) for
    any item id: letters, digits and ``-`` stay, every other character becomes ``_`` and its
    code point in hex (``:`` → ``_3a``, ``_`` → ``_5f``), so distinct ids stay distinct; the parts
    are joined with ``-``."""
    encoded = ["".join(c if _PUID_SAFE.fullmatch(c) else f"_{ord(c):x}" for c in part) for part in parts]
    return "-".join(encoded)[:MAX_PUID]


_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_FRENCH = re.compile(
    r"\b(le|la|les|de|du|des|une|est|et|pour|pas|que|qui|dans|merci|très|tres|avec|sur|vous|nous|je|c'est)\b", re.I
)
_ENGLISH = re.compile(r"\b(the|and|is|you|this|that|for|with|are|not|thanks)\b", re.I)


def content_language(text: str | None) -> str | None:
    """The content's language as the database writes it (ISO 639-1, upper case), from its text:
    Arabic script is ``AR``; Latin script with French words ``FR``, with English ones ``EN``,
    otherwise Arabizi, which is Arabic written in Latin letters: ``AR``. None without text."""
    if not text or not text.strip():
        return None
    arabic, latin = len(_ARABIC.findall(text)), len(_LATIN.findall(text))
    if arabic >= latin:
        return "AR" if arabic else None
    french, english = len(_FRENCH.findall(text)), len(_ENGLISH.findall(text))
    if french and french >= english:
        return "FR"
    if english:
        return "EN"
    return "AR"
