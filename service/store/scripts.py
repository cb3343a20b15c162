"""The Lua scripts, by name: each ``lua/<name>.lua`` file declares the keys and arguments it takes
in its header, and Python calls it with mappings, never with positional lists::

    -- KEYS: item reporters history [rate trust]
    -- ARGV: item_id reason settings

    store.scripts["report"](keys={"item": k.item, ...}, args={"item_id": item_id, ...})

The loader reads each header once, prepends the ``lua/<lib>.lib.lua`` function libraries the script
uses and a prelude that binds ``K.<key>`` and ``A.<arg>`` to ``KEYS[i]`` and ``ARGV[i]``, and checks
at load time that the body uses exactly the names it declares (and no raw ``KEYS[i]``). A call with a
missing or an extra name raises :class:`ScriptCallError` before anything reaches Redis. Keys in
``[brackets]`` come last and are optional, all together (report.lua's reporter keys, which a
cluster passes to another script instead). Scripts run by EVALSHA and are reloaded after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

SCRIPTS = (
    "report",
    "reporter_touch",
    "rate_limit",
    "claim",
    "decide",
    "trust_update",
    "enqueue_delivery",
    "claim_deliveries",
    "finish_attempt",
    "analysis_landed",
    "image_upload",
    "bank_applied",
    "submit",
    "policy_put",
    "author_touch",
    "text_bank_add",
    "text_bank_remove",
    "text_bank_lookup",
    "author_apply",
    "author_applied",
    "author_sanction",
    "appeal",
    "model_slot",
    "notice",
    "notice_decided",
    "statement_add",
)
# Libraries of Lua functions, prepended to the scripts that call them.
LIBRARIES = {
    "report": ("reporter", "item"),
    "reporter_touch": ("reporter",),
    "analysis_landed": ("item",),
    "submit": ("item", "author_owe"),
    "decide": ("author_owe",),
    "appeal": ("item",),
    "notice": ("item",),
}

_HEADER = re.compile(r"^-- (KEYS|ARGV):(.*)$", re.MULTILINE)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ScriptHeaderError(ValueError):
    """A script's header and body disagree (found at load time)."""


class ScriptCallError(ValueError):
    """A script was called with missing or unknown key or argument names."""


@dataclass(frozen=True)
class Signature:
    """The names a script declares: its keys (the optional ones last) and its arguments."""

    keys: tuple[str, ...]
    optional_keys: tuple[str, ...]
    args: tuple[str, ...]

    def prelude(self) -> str:
        """Lua that binds the names: ``K.item`` is ``KEYS[1]``, ``A.item_id`` is ``ARGV[1]``."""
        keys = ", ".join(f"{n} = KEYS[{i}]" for i, n in enumerate(self.keys + self.optional_keys, 1))
        args = ", ".join(f"{n} = ARGV[{i}]" for i, n in enumerate(self.args, 1))
        return f"local K = {{{keys}}}\nlocal A = {{{args}}}\n"

    @cached_property
    def _accepted(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The key sets a call may name (without or with the optional keys) and the argument set."""
        return frozenset(self.keys), frozenset(self.keys + self.optional_keys), frozenset(self.args)

    def order(self, name: str, keys: Mapping[str, Any], args: Mapping[str, Any]) -> tuple[list[Any], list[Any]]:
        """``keys`` and ``args`` as the positional lists Redis takes, in the header's order."""
        required, every, arguments = self._accepted
        if args.keys() == arguments and keys.keys() in (required, every):  # the usual call: one set comparison
            named = self.keys + self.optional_keys if len(keys) > len(self.keys) else self.keys
            return [keys[n] for n in named], [args[n] for n in self.args]
        optional = [n for n in self.optional_keys if n in keys]
        if optional and len(optional) != len(self.optional_keys):
            raise ScriptCallError(f"{name}.lua: optional keys {list(self.optional_keys)} go together")
        _same(name, "keys", [*self.keys, *optional], keys)
        _same(name, "arguments", self.args, args)
        return [keys[n] for n in (*self.keys, *optional)], [args[n] for n in self.args]


def _same(script: str, what: str, declared: Any, given: Mapping[str, Any]) -> None:
    missing, extra = sorted(set(declared) - set(given)), sorted(set(given) - set(declared))
    if missing or extra:
        raise ScriptCallError(f"{script}.lua: {what} missing {missing}, unknown {extra}")


def parse_header(name: str, text: str) -> Signature:
    """The ``-- KEYS:`` and ``-- ARGV:`` lines of a script (each may be repeated to wrap)."""
    declared: dict[str, list[str]] = {"KEYS": [], "ARGV": []}
    for kind, names in _HEADER.findall(text):
        declared[kind] += names.split()
    tokens = declared["KEYS"]
    first_optional = next((i for i, n in enumerate(tokens) if n.startswith("[")), len(tokens))
    keys, optional = tokens[:first_optional], tokens[first_optional:]
    if optional and not (optional[0].startswith("[") and optional[-1].endswith("]")):
        raise ScriptHeaderError(f"{name}.lua: optional keys go last, in one [bracket]")
    optional = [n.strip("[]") for n in optional]
    if not keys and not optional:
        raise ScriptHeaderError(f"{name}.lua declares no keys")
    names = keys + optional + declared["ARGV"]
    bad = [n for n in names if not _NAME.match(n)]
    if bad or len(set(keys + optional)) != len(keys + optional) or len(set(declared["ARGV"])) != len(declared["ARGV"]):
        raise ScriptHeaderError(f"{name}.lua: bad or repeated names {bad or names}")
    return Signature(tuple(keys), tuple(optional), tuple(declared["ARGV"]))


def _check_body(name: str, signature: Signature, body: str) -> None:
    code = "\n".join(line.split("--", 1)[0] for line in body.splitlines())
    if re.search(r"\b(KEYS|ARGV)\s*\[", code):
        raise ScriptHeaderError(f"{name}.lua uses KEYS[i] or ARGV[i]: use K.<name> and A.<name>")
    used_keys, used_args = set(re.findall(r"\bK\.(\w+)", code)), set(re.findall(r"\bA\.(\w+)", code))
    for what, used, declared in (
        ("keys", used_keys, set(signature.keys + signature.optional_keys)),
        ("arguments", used_args, set(signature.args)),
    ):
        if used != declared:
            raise ScriptHeaderError(
                f"{name}.lua: {what} used but not declared {sorted(used - declared)}, "
                f"declared but not used {sorted(declared - used)}"
            )


@cache
def _read(filename: str) -> str:
    return files(__package__).joinpath("lua", filename).read_text(encoding="utf-8")


@cache
def signature(name: str) -> Signature:
    text = _read(f"{name}.lua")
    found = parse_header(name, text)
    _check_body(name, found, text)
    return found


def source(name: str) -> str:
    """The script's text as Redis runs it: libraries, the names' prelude, the script."""
    libraries = [_read(f"{lib}.lib.lua") for lib in LIBRARIES.get(name, ())]
    return "\n".join([*libraries, signature(name).prelude(), _read(f"{name}.lua")])


class NamedScript:
    """A registered script called with named keys and arguments."""

    def __init__(self, name: str, client: Any) -> None:
        self.name = name
        self.signature = signature(name)
        self._script = client.register_script(source(name))

    def __call__(self, *, keys: Mapping[str, Any], args: Mapping[str, Any], client: Any = None) -> Any:
        """Run the script (on ``client``, a pipeline for instance, when given)."""
        key_list, arg_list = self.signature.order(self.name, keys, args)
        return self._script(keys=key_list, args=arg_list, client=client)


def register(client: Any) -> dict[str, NamedScript]:
    return {name: NamedScript(name, client) for name in SCRIPTS}
