"""The OpenAPI 3.1 description of the JSON API (kept next to the routes; a test checks they agree)."""

from __future__ import annotations

from typing import Any

from consult.params import MAX_ID

ERROR = {"$ref": "#/components/responses/Error"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": _ref(item)}, "next_cursor": {"type": ["string", "null"]}},
    }


CURSOR = {
    "name": "cursor",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "Opaque cursor from the previous page's next_cursor.",
}


def _id_param(description: str) -> dict[str, Any]:
    return {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "description": description,
    }


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}
BEARER = [{"bearer": []}]


def _write(summary: str, ok: str, response: dict[str, Any], *errors: str, **extra: Any) -> dict[str, Any]:
    """A write operation: bearer token, JSON errors (400 malformed body, 401, 429 and the given ones)."""
    codes = sorted({"400", "401", "429", *errors})
    return {
        "summary": summary,
        "security": BEARER,
        **extra,
        "responses": {ok: response, **dict.fromkeys(codes, ERROR)},
    }


def participation_paths() -> dict[str, Any]:
    comment_id = _id_param("Comment id")
    return {
        "/rounds/{id}/comments": {
            "get": {
                "summary": "Top-level comments of a round, newest or most agreed first",
                "description": "Withdrawn and hidden comments keep their place, with their status and no text.",
                "parameters": [
                    _id_param("Round id"),
                    CURSOR,
                    {"name": "section_id", "in": "query", "schema": {"type": "integer"}},
                    {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["new", "agreed"]}},
                    LIMIT,
                ],
                "responses": {"200": _json(_page("Comment")), "404": ERROR, "422": ERROR},
            },
            "post": _write(
                "Post a comment, or a reply with parent_id",
                "201",
                _json(_ref("PostedComment"), "Created"),
                "403",
                "404",
                "409",
                "422",
                parameters=[_id_param("Round id")],
                requestBody=_body("NewComment"),
                description="409 when the round is not open; 403 when it is for verified citizens only.",
            ),
        },
        "/comments/{id}": {
            "get": {
                "summary": "One comment",
                "parameters": [comment_id],
                "responses": {"200": _json(_ref("Comment")), "404": ERROR},
            },
            "patch": _write(
                "Edit one's own comment within 15 minutes of posting it",
                "200",
                _json(_ref("Comment")),
                "403",
                "404",
                "409",
                "422",
                parameters=[comment_id],
                requestBody=_body("CommentEdit"),
            ),
        },
        "/comments/{id}/replies": {
            "get": {
                "summary": "Replies to a comment, oldest first",
                "parameters": [comment_id, CURSOR, LIMIT],
                "responses": {"200": _json(_page("Comment")), "404": ERROR, "422": ERROR},
            }
        },
        "/comments/{id}/withdraw": {
            "post": _write(
                "Withdraw one's own comment (its place stays, its text goes)",
                "200",
                _json(_ref("Comment")),
                "403",
                "404",
                "409",
                parameters=[comment_id],
            )
        },
        "/comments/{id}/vote": {
            "put": _write(
                "Agree (1), disagree (-1) or pass (0) on someone else's comment; repeating it changes nothing",
                "200",
                _json(_ref("VoteResult")),
                "403",
                "404",
                "409",
                "422",
                parameters=[comment_id],
                requestBody=_body("Vote"),
            )
        },
        "/sections/{id}/stance": {
            "put": _write(
                "Take or change one's stance on a section in a round",
                "200",
                _json(_ref("StanceResult")),
                "403",
                "404",
                "409",
                "422",
                parameters=[_id_param("Section id")],
                requestBody=_body("Stance"),
            )
        },
        "/comments/{id}/reports": {
            "post": _write(
                "Report someone else's comment to the moderators (once per person and comment)",
                "201",
                _json(_ref("ReportResult"), "Created"),
                "403",
                "404",
                "409",
                "422",
                parameters=[comment_id],
                requestBody=_body("NewReport"),
            )
        },
    }


def round_action_paths() -> dict[str, Any]:
    round_id = _id_param("Round id")
    return {
        "/rounds/{id}/close": {
            "post": _write(
                "Close an open round now, with a reason the public sees (moderators and agency admins of its agency)",
                "200",
                _json(_ref("Round")),
                "403",
                "404",
                "409",
                "422",
                parameters=[round_id],
                requestBody=_body("CloseRound"),
                description="409 when the round is not open (already closed, or not opened yet). Audited as "
                "round.closed_early with the reason; participation is refused from then on (409).",
            )
        },
        "/rounds/{id}/extend": {
            "post": _write(
                "Move the closing time later, with a public reason; reopening a closed round: agency admins only",
                "200",
                _json(_ref("Round")),
                "403",
                "404",
                "409",
                "422",
                parameters=[round_id],
                requestBody=_body("ExtendRound"),
                description="Audited as round.extended with the reason and the closing time before and after.",
            )
        },
    }


def moderation_paths() -> dict[str, Any]:
    return {
        "/comments/{id}/moderation": {
            "post": _write(
                "Hide or restore a comment, citing a house rule and a reason (moderators of its agency)",
                "200",
                _json(_ref("Comment")),
                "403",
                "404",
                "409",
                "422",
                parameters=[_id_param("Comment id")],
                requestBody=_body("ModerationDecision"),
                description="403 for anyone who does not moderate the comment's agency; 409 when the comment is "
                "already hidden (hide), not hidden (restore) or withdrawn; 422 for a missing or unknown rule, a "
                "missing reason or another action. The decision is in the moderation log and the audit chain.",
            )
        },
        "/moderation-log": {
            "get": {
                "summary": "The public moderation log, newest first",
                "parameters": [
                    CURSOR,
                    {"name": "round_id", "in": "query", "schema": {"type": "integer"}},
                    {"name": "agency", "in": "query", "schema": {"type": "string"}, "description": "agency slug"},
                    LIMIT,
                ],
                "responses": {"200": _json(_page("ModerationEntry")), "404": ERROR, "422": ERROR},
            }
        },
    }


COUNTS = {
    "type": "object",
    "required": ["agree", "disagree", "pass"],
    "properties": {"agree": {"type": "integer"}, "disagree": {"type": "integer"}, "pass": {"type": "integer"}},
}
STANCE_VALUES = ["support", "oppose", "neutral"]
NULLABLE_ID = {"type": ["integer", "null"]}

PARTICIPATION_SCHEMAS: dict[str, Any] = {
    "Comment": {
        "type": "object",
        "required": [
            "id",
            "round_id",
            "section_id",
            "parent_id",
            "stance",
            "status",
            "created_at",
            "edited_at",
            "author",
            "author_kind",
            "body",
            "body_html",
            "counts",
            "reply_count",
            "moderation",
        ],
        "properties": {
            "id": {"type": "integer"},
            "round_id": {"type": "integer"},
            "section_id": {**NULLABLE_ID, "description": "null for a comment on the whole document"},
            "parent_id": {**NULLABLE_ID, "description": "the top-level comment a reply answers"},
            "stance": {"type": ["string", "null"], "enum": [*STANCE_VALUES, None]},
            "status": {"type": "string", "enum": ["visible", "withdrawn", "hidden"]},
            "created_at": {"type": "string", "format": "date-time"},
            "edited_at": {"type": ["string", "null"], "format": "date-time"},
            "author": {"type": "string", "description": "the public pseudonym (Warga-…) or the chosen name"},
            "author_kind": {
                "type": "string",
                "enum": ["pseudonym", "name"],
                "description": "pseudonym: given by the platform; name: typed by the participant, not checked",
            },
            "body": {"type": ["string", "null"], "description": "source text; null unless status is visible"},
            "body_html": {"type": ["string", "null"], "description": "sanitised HTML; null unless visible"},
            "counts": COUNTS,
            "reply_count": {"type": "integer"},
            "moderation": {
                "type": ["object", "null"],
                "properties": {
                    "rule": {
                        "type": ["string", "null"],
                        "description": "the house rule's number; null while a "
                        "comment hidden automatically awaits review",
                    },
                    "rule_title": {"type": ["string", "null"]},
                    "reason": {"type": "string"},
                    "hidden_at": {"type": ["string", "null"], "format": "date-time"},
                    "automatic": {"type": "boolean", "description": "hidden after reports, pending review"},
                },
                "description": "the rule and reason of a hidden comment (null otherwise)",
            },
        },
    },
    "PostedComment": {
        "allOf": [
            _ref("Comment"),
            {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}},
        ]
    },
    "NewComment": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {"type": "string", "maxLength": 2000, "description": "Markdown subset"},
            "section_id": {**NULLABLE_ID, "description": "a section of the round's document; omit for the whole"},
            "parent_id": {**NULLABLE_ID, "description": "reply to this comment (section and stance follow it)"},
            "stance": {"type": ["string", "null"], "enum": [*STANCE_VALUES, None]},
            "show_name": {"type": "boolean", "description": "show your name instead of your pseudonym"},
        },
    },
    "CommentEdit": {
        "type": "object",
        "required": ["body"],
        "properties": {"body": {"type": "string", "maxLength": 2000}},
    },
    "Vote": {
        "type": "object",
        "required": ["value"],
        "properties": {"value": {"type": "integer", "enum": [1, -1, 0]}},
    },
    "VoteResult": {
        "type": "object",
        "required": ["comment_id", "value", "counts"],
        "properties": {"comment_id": {"type": "integer"}, "value": {"type": "integer"}, "counts": COUNTS},
    },
    "Stance": {
        "type": "object",
        "required": ["round_id", "value"],
        "properties": {"round_id": {"type": "integer"}, "value": {"type": "string", "enum": STANCE_VALUES}},
    },
    "StanceResult": {
        "type": "object",
        "required": ["round_id", "section_id", "value", "tally"],
        "properties": {
            "round_id": {"type": "integer"},
            "section_id": {"type": "integer"},
            "value": {"type": "string", "enum": STANCE_VALUES},
            "tally": {
                "type": "object",
                "required": ["support", "oppose", "neutral", "comments"],
                "properties": {k: {"type": "integer"} for k in [*STANCE_VALUES, "comments"]},
            },
        },
    },
    "CloseRound": {
        "type": "object",
        "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 10, "maxLength": 500}},
    },
    "ExtendRound": {
        "type": "object",
        "required": ["closes_at", "reason"],
        "properties": {
            "closes_at": {"type": "string", "format": "date-time", "description": "without an offset: agency time"},
            "reason": {"type": "string", "minLength": 10, "maxLength": 500},
        },
    },
    "NewReport": {
        "type": "object",
        "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 3, "maxLength": 500}},
    },
    "ReportResult": {
        "type": "object",
        "required": ["id", "comment_id"],
        "properties": {"id": {"type": "integer"}, "comment_id": {"type": "integer"}},
    },
    "ModerationDecision": {
        "type": "object",
        "required": ["action", "rule", "reason"],
        "properties": {
            "action": {"type": "string", "enum": ["hide", "restore"]},
            "rule": {
                "type": ["integer", "string"],
                "description": 'the number of one of the agency\'s house rules in force (2 or "2")',
            },
            "reason": {"type": "string", "minLength": 3, "maxLength": 1000, "description": "shown to the public"},
        },
    },
    "ModerationEntry": {
        "type": "object",
        "required": [
            "id",
            "action",
            "comment_id",
            "round_id",
            "rule",
            "rule_title",
            "reason",
            "moderator",
            "created_at",
        ],
        "properties": {
            "id": {"type": "integer"},
            "action": {
                "type": "string",
                "enum": [
                    "hide",
                    "restore",
                    "auto_hide",
                    "dismiss",
                    "appeal_upheld",
                    "appeal_rejected",
                    "block",
                    "unblock",
                ],
            },
            "comment_id": NULLABLE_ID,
            "round_id": NULLABLE_ID,
            "agency": _ref("Agency"),
            "rule": {"type": ["string", "null"], "description": "the house rule's number"},
            "rule_title": {"type": ["string", "null"], "description": "the rule's title when it was cited"},
            "reason": {"type": "string"},
            "moderator": {"type": "string", "description": 'Moderator-XXXXX (stable per agency), or "sistem"'},
            "participant": {
                "type": ["string", "null"],
                "description": "blocks: the person's pseudonym in the round of the comment (never a name or e-mail)",
            },
            "until": {"type": ["string", "null"], "format": "date-time", "description": "blocks: until when"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "consult API",
            "version": "1",
            "description": "Public consultation records: rounds, documents by section, comments, votes, stances, "
            "the moderation log and the audit chain. Reads need no authentication; writes take "
            "`Authorization: Bearer <token>` and are rate-limited per user (429 when exceeded).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/rounds": {
                "get": {
                    "summary": "Rounds, newest first",
                    "parameters": [
                        {
                            "name": "cursor",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                            "description": "next_cursor of the previous page: rounds with a smaller id.",
                        },
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                    ],
                    "responses": {"200": _json(_page("RoundSummary")), "422": ERROR},
                }
            },
            "/rounds/{id}": {
                "get": {
                    "summary": "One round with its document version and sections",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {"200": _json(_ref("Round")), "404": ERROR},
                }
            },
            "/audit": {
                "get": {
                    "summary": "Audit chain entries in order",
                    "parameters": [
                        {
                            "name": "after",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                            "description": "Return entries with seq greater than this.",
                        },
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}},
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "allOf": [
                                    _page("AuditEntry"),
                                    {"type": "object", "properties": {"head": _ref("AuditHead")}},
                                ]
                            }
                        ),
                        "422": ERROR,
                    },
                }
            },
            "/audit/head": {
                "get": {
                    "summary": "The newest audit entry's seq and hash",
                    "responses": {"200": _json(_ref("AuditHead"))},
                }
            },
            "/me": {
                "get": {
                    "summary": "The owner of the bearer token and their roles",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "name": {"type": "string"},
                                    "verified": {"type": "boolean"},
                                    "admin": {"type": "boolean"},
                                    "observer": {"type": "boolean"},
                                    "agencies": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {"slug": {"type": "string"}, "role": {"type": "string"}},
                                        },
                                    },
                                },
                            }
                        ),
                        "401": ERROR,
                    },
                }
            },
            **participation_paths(),
            **round_action_paths(),
            **moderation_paths(),
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `flask users token` or the profile page.",
                }
            },
            "responses": {
                "Error": _json(
                    _ref("Error"),
                    "Error. 422 `invalid` names each bad field in `fields`: also an id or cursor that is not ASCII "
                    f"digits within 1 (0 for cursors) … {MAX_ID}, and any string (query, form or JSON, at any depth, "
                    "by its path such as `sections[0].title`) holding NUL or a lone UTF-16 surrogate.",
                )
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                            },
                        }
                    },
                },
                "Agency": {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
                "RoundSummary": {
                    "type": "object",
                    "required": ["id", "title", "state", "opens_at", "closes_at", "agency"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "state": {"type": "string", "enum": ["scheduled", "open", "closed"]},
                        "opens_at": {"type": "string", "format": "date-time"},
                        "closes_at": {"type": "string", "format": "date-time"},
                        "verified_only": {"type": "boolean"},
                        "closed_early_at": {"type": ["string", "null"], "format": "date-time"},
                        "opened_at": {
                            "type": ["string", "null"],
                            "format": "date-time",
                            "description": "when the scheduler recorded the opening; null before",
                        },
                        "origin": {
                            "type": "string",
                            "enum": ["live", "imported", "demo"],
                            "description": "live: scheduled on this site; imported or demo rounds keep their dates",
                        },
                        "agency": _ref("Agency"),
                        "document": {"type": "object"},
                    },
                },
                "Section": {
                    "type": "object",
                    "required": ["id", "key", "title"],
                    "properties": {
                        "id": {"type": "integer"},
                        "key": {"type": "string"},
                        "position": {"type": "integer"},
                        "level": {"type": "integer"},
                        "title": {"type": "string"},
                        "body": {"type": "string"},
                        "body_html": {"type": "string"},
                    },
                },
                "Round": {
                    "allOf": [
                        _ref("RoundSummary"),
                        {
                            "type": "object",
                            "properties": {
                                "version": {"type": "object"},
                                "sections": {"type": "array", "items": _ref("Section")},
                                "changes": {
                                    "type": "array",
                                    "description": "closings and extensions by people, with their public reasons",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "kind": {"type": "string", "enum": ["closed_early", "extended"]},
                                            "at": {"type": "string", "format": "date-time"},
                                            "reason": {"type": "string"},
                                            "closes_before": {"type": ["string", "null"], "format": "date-time"},
                                            "closes_at": {"type": ["string", "null"], "format": "date-time"},
                                        },
                                    },
                                },
                            },
                        },
                    ]
                },
                **PARTICIPATION_SCHEMAS,
                "AuditEntry": {
                    "type": "object",
                    "properties": {
                        "seq": {"type": "integer"},
                        "at": {"type": "string"},
                        "actor": {"type": "string"},
                        "action": {"type": "string"},
                        "subject_type": {"type": "string"},
                        "subject_id": {"type": "string"},
                        "data": {"type": "object"},
                        "prev_hash": {"type": "string"},
                        "hash": {"type": "string"},
                    },
                },
                "AuditHead": {
                    "type": "object",
                    "properties": {
                        "seq": {"type": "integer"},
                        "hash": {"type": "string"},
                        "at": {"type": ["string", "null"]},
                    },
                },
            },
        },
    }
