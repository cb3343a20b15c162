"""The DSA Transparency Database's vocabulary (its API's accepted values, from the
``digital-services-act/transparency-database`` repository: ``Statement`` and the statements store
request's rules) and how Raqib's own reasons, languages and ids map onto it. Pure."""

from __future__ import annotations

import re

CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)
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

# Raqib's reasons (a reader's report, a moderator's reason code, a submission rule's category) ->
# the database's category.
_CATEGORY_OF = {
    "hate": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "hate_speech": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "offensive": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "harassment": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "vulgar": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "vulgarity": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "violence": "STATEMENT_CATEGORY_VIOLENCE",
    "spam": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "sexual": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "sexual_content": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "misinformation": "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "other": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "other_violation": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
}
DEFAULT_CATEGORY = "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"


def category_of(reason: str | None) -> str:
    """The database's category for one of Raqib's reasons (or a database category as it is)."""
    if reason in CATEGORIES:
        return str(reason)
    return _CATEGORY_OF.get(reason or "", DEFAULT_CATEGORY)


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
