"""The OpenAPI 3.1 description of the JSON API (kept next to the routes; a test checks they agree)."""

from __future__ import annotations

from typing import Any

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


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "consult API",
            "version": "1",
            "description": "Public consultation records: rounds, documents by section and the audit chain. "
            "Reads need no authentication; writes take `Authorization: Bearer <token>`.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/rounds": {
                "get": {
                    "summary": "Rounds, newest first",
                    "parameters": [
                        CURSOR,
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
                            "schema": {"type": "integer"},
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
            "responses": {"Error": _json(_ref("Error"), "Error")},
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
                            },
                        },
                    ]
                },
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
