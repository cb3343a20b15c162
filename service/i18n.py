"""The reader-facing thanks in Arabic (default), French and English."""

from __future__ import annotations

from flask import request

LANGUAGES = ("ar", "fr", "en")

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
    return request.accept_languages.best_match(LANGUAGES, default="ar") or "ar"


def thanks(item_type: str, status: str) -> str:
    state = "pending" if status == "visible" else "hidden"
    return THANKS[(language(), item_type, state)]
