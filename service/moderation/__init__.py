"""Moderation at submission: the site's policy (a validated, versioned JSON document), the
conditions it names, its word lists, and the pure function that folds them into a decision.
Nothing here touches Redis or the model: the blueprint gathers the facts, ``evaluate`` decides,
one Lua script (``store/lua/submit.lua``) applies the decision."""
