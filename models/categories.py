"""The categories every classifier scores, in the order of its outputs."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("offensive", "hate", "vulgar", "violence", "spam")

# What image models score beside them (the bundled open_nsfw: "sexual"); a site's own image model may
# feed any category of either tuple.
IMAGE_CATEGORIES: tuple[str, ...] = ("sexual",)
