"""Validation of message and application-command payloads against Discord's documented limits.

Functions return Discord-style nested error dicts (the ``errors`` member of a 50035 "Invalid Form Body"
response); an empty dict means the payload is valid.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150

FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15

COMMAND_NAME_RE = re.compile(r"^[-_'\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")

Errors = dict[str, Any]


def _err(code: str, message: str) -> dict:
    return {"_errors": [{"code": code, "message": message}]}


def _put(errors: Errors, path: list[str | int], error: dict) -> None:
    node = errors
    for key in path:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).extend(error["_errors"])


def _max_len(errors: Errors, path: list[str | int], value: Any, limit: int, *, required: bool = False) -> int:
    """Check a string length; returns its length (0 if absent) for embed-total accounting."""
    if value is None:
        if required:
            _put(errors, path, _err("BASE_TYPE_REQUIRED", "This field is required"))
        return 0
    if not isinstance(value, str):
        _put(errors, path, _err("BASE_TYPE_STRING", "Must be a string."))
        return 0
    if required and not value.strip():
        _put(errors, path, _err("BASE_TYPE_REQUIRED", "This field is required"))
    if len(value) > limit:
        _put(errors, path, _err("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))
    return len(value)


def _check_url(errors: Errors, path: list[str | int], value: Any, *, allow_attachment: bool = True) -> None:
    if value is None:
        return
    schemes = ("http", "https", "attachment") if allow_attachment else ("http", "https")
    if not isinstance(value, str) or urlparse(value).scheme not in schemes:
        scheme = urlparse(value).scheme if isinstance(value, str) else ""
        _put(
            errors,
            path,
            _err(
                "URL_TYPE_INVALID_SCHEME",
                f'Scheme "{scheme}" is not supported. Scheme must be one of {schemes}.',
            ),
        )
    elif not value.startswith("attachment://") and not urlparse(value).netloc:
        _put(errors, path, _err("URL_TYPE_INVALID_URL", "Not a well formed URL."))


def validate_embeds(embeds: Any, errors: Errors) -> None:
    """Check embed count, per-field limits and the 6000-character total."""
    if not isinstance(embeds, list):
        _put(errors, ["embeds"], _err("BASE_TYPE_ARRAY", "Must be an array."))
        return
    if len(embeds) > EMBEDS_MAX:
        _put(errors, ["embeds"], _err("BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        p: list[str | int] = ["embeds", i]
        if not isinstance(embed, dict):
            _put(errors, p, _err("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"))
            continue
        total += _max_len(errors, [*p, "title"], embed.get("title"), EMBED_TITLE_MAX)
        total += _max_len(errors, [*p, "description"], embed.get("description"), EMBED_DESCRIPTION_MAX)
        _check_url(errors, [*p, "url"], embed.get("url"), allow_attachment=False)
        color = embed.get("color")
        if color is not None and (not isinstance(color, int) or not 0 <= color <= 0xFFFFFF):
            _put(errors, [*p, "color"], _err("NUMBER_TYPE_MAX", "int value should be <= 16777215 and >= 0."))
        footer = embed.get("footer")
        if footer is not None:
            total += _max_len(
                errors, [*p, "footer", "text"], footer.get("text"), EMBED_FOOTER_MAX, required=True
            )
            _check_url(errors, [*p, "footer", "icon_url"], footer.get("icon_url"))
        author = embed.get("author")
        if author is not None:
            total += _max_len(
                errors, [*p, "author", "name"], author.get("name"), EMBED_AUTHOR_MAX, required=True
            )
            _check_url(errors, [*p, "author", "url"], author.get("url"), allow_attachment=False)
            _check_url(errors, [*p, "author", "icon_url"], author.get("icon_url"))
        for key in ("image", "thumbnail"):
            if embed.get(key) is not None:
                _check_url(errors, [*p, key, "url"], embed[key].get("url"))
        fields = embed.get("fields")
        if fields is not None:
            if len(fields) > EMBED_FIELDS_MAX:
                _put(
                    errors,
                    [*p, "fields"],
                    _err("BASE_TYPE_MAX_LENGTH", f"Must be {EMBED_FIELDS_MAX} or fewer in length."),
                )
            for j, f in enumerate(fields):
                fp: list[str | int] = [*p, "fields", j]
                total += _max_len(errors, [*fp, "name"], f.get("name"), EMBED_FIELD_NAME_MAX, required=True)
                total += _max_len(
                    errors, [*fp, "value"], f.get("value"), EMBED_FIELD_VALUE_MAX, required=True
                )
    if total > EMBED_TOTAL_MAX:
        _put(
            errors,
            ["embeds"],
            _err("MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"),
        )


def validate_components(components: Any, errors: Errors) -> None:
    """Check classic (non components-v2) action rows, buttons and select menus."""
    if not isinstance(components, list):
        _put(errors, ["components"], _err("BASE_TYPE_ARRAY", "Must be an array."))
        return
    if len(components) > ACTION_ROWS_MAX:
        _put(
            errors,
            ["components"],
            _err("BASE_TYPE_MAX_LENGTH", f"Must be {ACTION_ROWS_MAX} or fewer in length."),
        )
    seen_ids: set[str] = set()
    for i, row in enumerate(components):
        rp: list[str | int] = ["components", i]
        if not isinstance(row, dict) or row.get("type") != 1:
            _put(
                errors,
                [*rp, "type"],
                _err("UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).'),
            )
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= ROW_BUTTONS_MAX:
            _put(
                errors,
                [*rp, "components"],
                _err("BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {ROW_BUTTONS_MAX} in length."),
            )
        has_select = any(c.get("type") in (3, 5, 6, 7, 8) for c in children)
        if has_select and len(children) > 1:
            _put(
                errors,
                [*rp, "components"],
                _err("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"),
            )
        for j, comp in enumerate(children):
            cp: list[str | int] = [*rp, "components", j]
            ctype = comp.get("type")
            custom_id = comp.get("custom_id")
            if ctype == 2:
                style = comp.get("style")
                if style not in (1, 2, 3, 4, 5, 6):
                    _put(
                        errors,
                        [*cp, "style"],
                        _err("BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}."),
                    )
                _max_len(errors, [*cp, "label"], comp.get("label"), BUTTON_LABEL_MAX)
                if comp.get("label") is None and comp.get("emoji") is None:
                    _put(
                        errors,
                        [*cp, "label"],
                        _err("BUTTON_COMPONENT_NO_LABEL", "Button must have a label or emoji"),
                    )
                if style == 5:
                    if custom_id is not None:
                        _put(
                            errors,
                            [*cp, "custom_id"],
                            _err("BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A custom id is not allowed"),
                        )
                    if comp.get("url") is None:
                        _put(errors, [*cp, "url"], _err("BUTTON_COMPONENT_URL_REQUIRED", "A url is required"))
                    else:
                        _check_url(errors, [*cp, "url"], comp.get("url"), allow_attachment=False)
                elif style in (1, 2, 3, 4):
                    _max_len(errors, [*cp, "custom_id"], custom_id, CUSTOM_ID_MAX, required=True)
            elif ctype in (3, 5, 6, 7, 8):
                _max_len(errors, [*cp, "custom_id"], custom_id, CUSTOM_ID_MAX, required=True)
                _max_len(errors, [*cp, "placeholder"], comp.get("placeholder"), SELECT_PLACEHOLDER_MAX)
                if ctype == 3:
                    options = comp.get("options") or []
                    if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
                        _put(
                            errors,
                            [*cp, "options"],
                            _err(
                                "BASE_TYPE_BAD_LENGTH",
                                f"Must be between 1 and {SELECT_OPTIONS_MAX} in length.",
                            ),
                        )
                    for k, opt in enumerate(options):
                        _max_len(errors, [*cp, "options", k, "label"], opt.get("label"), 100, required=True)
                        _max_len(errors, [*cp, "options", k, "value"], opt.get("value"), 100, required=True)
                        _max_len(errors, [*cp, "options", k, "description"], opt.get("description"), 100)
            else:
                _put(errors, [*cp, "type"], _err("UNION_TYPE_CHOICES", "Invalid component type."))
                continue
            if isinstance(custom_id, str):
                if custom_id in seen_ids:
                    _put(
                        errors,
                        [*cp, "custom_id"],
                        _err("COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"),
                    )
                seen_ids.add(custom_id)


def validate_allowed_mentions(am: Any, errors: Errors) -> None:
    """Check the allowed_mentions object."""
    if am is None:
        return
    parse = am.get("parse", [])
    for i, value in enumerate(parse):
        if value not in ("roles", "users", "everyone"):
            _put(
                errors,
                ["allowed_mentions", "parse", i],
                _err("BASE_TYPE_CHOICES", "Value must be one of {'roles', 'users', 'everyone'}."),
            )
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            _put(
                errors,
                ["allowed_mentions"],
                _err(
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                ),
            )
        if len(am.get(kind) or []) > 100:
            _put(
                errors,
                ["allowed_mentions", kind],
                _err("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."),
            )


def validate_message(payload: Any, *, partial: bool = False) -> Errors:
    """Validate a create (or, with ``partial``, edit) message payload; returns the errors dict."""
    errors: Errors = {}
    if not isinstance(payload, dict):
        return _err("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    content = payload.get("content")
    if content is not None:
        _max_len(errors, ["content"], content, CONTENT_MAX)
    if payload.get("embeds") is not None:
        validate_embeds(payload["embeds"], errors)
    flags = payload.get("flags") or 0
    if payload.get("components") is not None and not flags & FLAG_IS_COMPONENTS_V2:
        validate_components(payload["components"], errors)
    validate_allowed_mentions(payload.get("allowed_mentions"), errors)
    return errors


def is_empty_message(payload: dict, n_files: int = 0) -> bool:
    """True if a create-message payload has nothing to show (Discord error 50006)."""
    return not (
        payload.get("content")
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or payload.get("attachments")
        or n_files
    )


def validate_commands(commands: Any) -> Errors:
    """Validate a bulk-overwrite application command list."""
    errors: Errors = {}
    if not isinstance(commands, list):
        return _err("BASE_TYPE_ARRAY", "Must be an array.")
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        ctype = cmd.get("type", 1)
        name = cmd.get("name")
        if (
            not isinstance(name, str)
            or not COMMAND_NAME_RE.match(name)
            or (ctype == 1 and name != name.lower())
        ):
            _put(errors, [i, "name"], _err("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
        if (ctype, name) in seen:
            _put(
                errors,
                [i, "name"],
                _err(
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({name})",
                ),
            )
        seen.add((ctype, name))
        if ctype == 1:
            _max_len(errors, [i, "description"], cmd.get("description"), 100, required=True)
            _validate_options(cmd.get("options") or [], errors, [i, "options"], depth=0)
        dmp = cmd.get("default_member_permissions")
        # Documented as a string; Discord also accepts an integer (what discord.py sends).
        valid_int = isinstance(dmp, int) and not isinstance(dmp, bool) and dmp >= 0
        if dmp is not None and not valid_int and not (isinstance(dmp, str) and dmp.isdigit()):
            _put(
                errors,
                [i, "default_member_permissions"],
                _err("BASE_TYPE_STRING", "Must be a numeric string."),
            )
    return errors


def _validate_options(options: list, errors: Errors, path: list[str | int], depth: int) -> None:
    if len(options) > 25:
        _put(errors, path, _err("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    seen_optional = False
    names: set[str] = set()
    for j, opt in enumerate(options):
        op: list[str | int] = [*path, j]
        name = opt.get("name")
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
            _put(errors, [*op, "name"], _err("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))
        if name in names:
            _put(
                errors,
                [*op, "name"],
                _err("APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique"),
            )
        names.add(name)
        _max_len(errors, [*op, "description"], opt.get("description"), 100, required=True)
        otype = opt.get("type")
        if otype in (1, 2):
            if depth >= 2 or (otype == 2 and depth >= 1):
                _put(
                    errors, [*op, "type"], _err("APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Invalid nesting")
                )
            _validate_options(opt.get("options") or [], errors, [*op, "options"], depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                _put(
                    errors,
                    [*op, "required"],
                    _err(
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    ),
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            _put(errors, [*op, "choices"], _err("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
        if choices and opt.get("autocomplete"):
            _put(
                errors,
                [*op, "autocomplete"],
                _err("APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Autocomplete cannot be used with choices"),
            )
