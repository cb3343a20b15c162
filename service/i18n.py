"""The reader-facing thanks in Arabic (default), French and English."""

from __future__ import annotations

from functools import lru_cache

from flask import request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGES = ("ar", "fr", "en")

# What the host site may show the author when a comment is submitted, per decision.
SUBMITTED: dict[tuple[str, str], str] = {
    ("ar", "publish"): "شكرا! تم نشر تعليقك.",
    ("ar", "flag"): "شكرا! تم نشر تعليقك.",
    ("ar", "hold"): "شكرا! سيظهر تعليقك بعد مراجعته من طرف المشرفين.",
    ("ar", "reject"): "عذرا، لا يمكن نشر هذا التعليق لأنه يخالف قواعد النشر في الموقع.",
    ("fr", "publish"): "Merci ! Votre commentaire est publié.",
    ("fr", "flag"): "Merci ! Votre commentaire est publié.",
    ("fr", "hold"): "Merci ! Votre commentaire sera publié après sa relecture par l'équipe de modération.",
    ("fr", "reject"): "Désolé, ce commentaire ne peut pas être publié : il enfreint les règles du site.",
    ("en", "publish"): "Thank you! Your comment is published.",
    ("en", "flag"): "Thank you! Your comment is published.",
    ("en", "hold"): "Thank you! Your comment will appear once a moderator has reviewed it.",
    ("en", "reject"): "Sorry, this comment cannot be published: it breaks the site's rules.",
}

THANKS: dict[tuple[str, str, str], str] = {
    ("ar", "image", "pending"): "شكرا على الإبلاغ! سيتم حجب هذه الصورة تلقائيا عندما يتم الإبلاغ عنها من طرف عدة أشخاص",
    (
        "ar",
        "comment",
        "pending",
    ): "شكرا على الإبلاغ! سيتم حجب هذا التعليق تلقائيا عندما يتم الإبلاغ عنه من طرف عدة أشخاص",
    ("ar", "image", "hidden"): "شكرا على الإبلاغ! تم حجب هذه الصورة",
    ("ar", "comment", "hidden"): "شكرا على الإبلاغ! تم حجب هذا التعليق",
    ("fr", "image", "pending"): (
        "Merci pour votre signalement ! Cette image sera masquée automatiquement "
        "lorsqu'elle aura été signalée par plusieurs personnes."
    ),
    ("fr", "comment", "pending"): (
        "Merci pour votre signalement ! Ce commentaire sera masqué automatiquement "
        "lorsqu'il aura été signalé par plusieurs personnes."
    ),
    ("fr", "image", "hidden"): "Merci pour votre signalement ! Cette image a été masquée.",
    ("fr", "comment", "hidden"): "Merci pour votre signalement ! Ce commentaire a été masqué.",
    (
        "en",
        "image",
        "pending",
    ): "Thanks for reporting! This image will be hidden automatically once several people report it.",
    ("en", "comment", "pending"): (
        "Thanks for reporting! This comment will be hidden automatically once several people report it."
    ),
    ("en", "image", "hidden"): "Thanks for reporting! This image has been hidden.",
    ("en", "comment", "hidden"): "Thanks for reporting! This comment has been hidden.",
}


def language() -> str:
    """The best of ar, fr, en for the request's Accept-Language; Arabic when none matches."""
    return best_language(request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=1024)  # clients send few distinct headers; parsing one costs more than the lookup
def best_language(header: str) -> str:
    """The best of ar, fr, en for an Accept-Language header's value; Arabic when none matches."""
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES, default="ar") or "ar"


def submitted(decision: str) -> str:
    """The author's message for a submission's decision, in the request's language."""
    return SUBMITTED[(language(), decision)]


def thanks(item_type: str, status: str, lang: str) -> str:
    """The reader's thanks for a report, in ``lang`` (one of :data:`LANGUAGES`)."""
    state = "pending" if status == "visible" else "hidden"
    return THANKS[(lang, item_type, state)]


VIOLATIONS = ("hate_speech", "harassment", "vulgarity", "violence", "spam", "sexual_content", "other_violation")
NON_VIOLATIONS = ("no_violation", "report_abuse")

# A held item approved: published now (the no_violation statement says it "stays" published).
APPROVED: dict[str, str] = {
    "ar": "راجع مشرف المحتوى هذا المحتوى ولم يجد فيه ما يخالف قواعد النشر، فتم نشره.",
    "fr": "Un modérateur a examiné le contenu et n'y a trouvé aucune infraction : il est publié.",
}

# An answer to an appeal opens its statement with this.
AFTER_APPEAL: dict[str, str] = {
    "ar": "بعد مراجعة طعنك من طرف مشرف آخر: ",
    "fr": "Après examen de votre recours par un autre modérateur : ",
}
REVERSED: dict[str, str] = {
    "ar": "تبين أن المحتوى لا يخالف قواعد النشر، فتمت إعادة نشره.",
    "fr": "le contenu n'enfreint pas les règles de publication : il est de nouveau publié.",
}


def explanation(action: str, reason_code: str) -> dict[str, str]:
    """The statement's explanation for the author, in Arabic and French."""
    if action == "approve" and reason_code == "no_violation":
        return APPROVED
    if action == "reverse":
        return {lang: AFTER_APPEAL[lang] + REVERSED[lang] for lang in ("ar", "fr")}
    if action == "uphold":
        return {lang: AFTER_APPEAL[lang] + STATEMENTS[reason_code][lang] for lang in ("ar", "fr")}
    return STATEMENTS[reason_code]


# The statement of reasons a host site can show the author, per reason code.
STATEMENTS: dict[str, dict[str, str]] = {
    "hate_speech": {
        "ar": "تمت إزالة المحتوى لأنه يتضمن خطاب كراهية يستهدف أشخاصا بسبب أصلهم أو دينهم أو جنسهم أو انتمائهم.",
        "fr": "Le contenu a été retiré car il contient un discours de haine visant des personnes pour leur origine, "
        "leur religion, leur genre ou leur appartenance.",
    },
    "harassment": {
        "ar": "تمت إزالة المحتوى لأنه يتضمن سبا أو إهانة أو تحرشا بأشخاص.",
        "fr": "Le contenu a été retiré car il contient des insultes, des injures ou du harcèlement.",
    },
    "vulgarity": {
        "ar": "تمت إزالة المحتوى لأنه يتضمن ألفاظا نابية أو فاحشة.",
        "fr": "Le contenu a été retiré car il contient des propos vulgaires ou obscènes.",
    },
    "violence": {
        "ar": "تمت إزالة المحتوى لأنه يتضمن تهديدا بالعنف أو تحريضا عليه.",
        "fr": "Le contenu a été retiré car il contient une menace ou une incitation à la violence.",
    },
    "spam": {
        "ar": "تمت إزالة المحتوى لأنه إعلان أو رسالة مزعجة أو احتيال.",
        "fr": "Le contenu a été retiré car il s'agit de publicité, de spam ou d'une arnaque.",
    },
    "sexual_content": {
        "ar": "تمت إزالة المحتوى لأنه يتضمن محتوى جنسيا غير مسموح به.",
        "fr": "Le contenu a été retiré car il contient du contenu sexuel non autorisé.",
    },
    "other_violation": {
        "ar": "تمت إزالة المحتوى لأنه يخالف قواعد النشر في الموقع.",
        "fr": "Le contenu a été retiré car il enfreint les règles de publication du site.",
    },
    "no_violation": {
        "ar": "راجع مشرف المحتوى ولم يجد فيه ما يخالف قواعد النشر، فبقي منشورا.",
        "fr": "Un modérateur a examiné le contenu et n'y a trouvé aucune infraction : il reste publié.",
    },
    "report_abuse": {
        "ar": "راجع مشرف المحتوى ووجد أن الإبلاغات عنه غير مبررة، فبقي منشورا.",
        "fr": "Un modérateur a examiné le contenu et jugé les signalements abusifs : il reste publié.",
    },
}
