"""The categories every classifier scores, in the order of its outputs."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("offensive", "hate", "vulgar", "violence", "spam")
