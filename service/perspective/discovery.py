"""The discovery document of ``commentanalyzer`` ``v1alpha1``, as Google's API clients read it
(``googleapiclient.discovery.build(..., discoveryServiceUrl=...)``): the two methods Raqib serves
and their message schemas, with ``rootUrl`` set to where the request came."""

from __future__ import annotations

from typing import Any

VERSION = "v1alpha1"


def _string(description: str) -> dict[str, str]:
    return {"type": "string", "description": description}


def _query(description: str) -> dict[str, str]:
    return {"type": "string", "location": "query", "description": description}


SCHEMAS: dict[str, Any] = {
    "TextEntry": {
        "id": "TextEntry",
        "type": "object",
        "properties": {"text": _string("the text"), "type": {"type": "string", "enum": ["PLAIN_TEXT", "HTML"]}},
    },
    "Context": {
        "id": "Context",
        "type": "object",
        "properties": {
            "entries": {"type": "array", "items": {"$ref": "TextEntry"}},
            "articleAndParentComment": {"type": "object", "additionalProperties": {"type": "any"}},
        },
    },
    "AttributeParameters": {
        "id": "AttributeParameters",
        "type": "object",
        "properties": {"scoreType": {"type": "string"}, "scoreThreshold": {"type": "number", "format": "float"}},
    },
    "Score": {
        "id": "Score",
        "type": "object",
        "properties": {"value": {"type": "number", "format": "float"}, "type": {"type": "string"}},
    },
    "SpanScore": {
        "id": "SpanScore",
        "type": "object",
        "properties": {
            "begin": {"type": "integer", "format": "int32"},
            "end": {"type": "integer", "format": "int32"},
            "score": {"$ref": "Score"},
        },
    },
    "AttributeScores": {
        "id": "AttributeScores",
        "type": "object",
        "properties": {
            "summaryScore": {"$ref": "Score"},
            "spanScores": {"type": "array", "items": {"$ref": "SpanScore"}},
        },
    },
    "AnalyzeCommentRequest": {
        "id": "AnalyzeCommentRequest",
        "type": "object",
        "properties": {
            "comment": {"$ref": "TextEntry"},
            "requestedAttributes": {"type": "object", "additionalProperties": {"$ref": "AttributeParameters"}},
            "languages": {"type": "array", "items": {"type": "string"}},
            "doNotStore": {"type": "boolean"},
            "spanAnnotations": {"type": "boolean"},
            "context": {"$ref": "Context"},
            "clientToken": {"type": "string"},
            "communityId": {"type": "string"},
            "sessionId": {"type": "string"},
            "dropUnsupportedAttributes": {"type": "boolean"},
        },
    },
    "AnalyzeCommentResponse": {
        "id": "AnalyzeCommentResponse",
        "type": "object",
        "properties": {
            "attributeScores": {"type": "object", "additionalProperties": {"$ref": "AttributeScores"}},
            "languages": {"type": "array", "items": {"type": "string"}},
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
            "clientToken": {"type": "string"},
        },
    },
    "SuggestCommentScoreRequest": {
        "id": "SuggestCommentScoreRequest",
        "type": "object",
        "properties": {
            "comment": {"$ref": "TextEntry"},
            "attributeScores": {"type": "object", "additionalProperties": {"$ref": "AttributeScores"}},
            "context": {"$ref": "Context"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "communityId": {"type": "string"},
            "clientToken": {"type": "string"},
            "sessionId": {"type": "string"},
        },
    },
    "SuggestCommentScoreResponse": {
        "id": "SuggestCommentScoreResponse",
        "type": "object",
        "properties": {
            "clientToken": {"type": "string"},
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _method(name: str, request: str, response: str, description: str) -> dict[str, Any]:
    return {
        "id": f"commentanalyzer.comments.{name}",
        "path": f"{VERSION}/comments:{name}",
        "flatPath": f"{VERSION}/comments:{name}",
        "httpMethod": "POST",
        "parameters": {},
        "parameterOrder": [],
        "request": {"$ref": request},
        "response": {"$ref": response},
        "description": description,
    }


def document(root_url: str) -> dict[str, Any]:
    """The discovery document, its URLs under ``root_url`` (ending with ``/``)."""
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"commentanalyzer:{VERSION}",
        "name": "commentanalyzer",
        "version": VERSION,
        "title": "Perspective Comment Analyzer API, served by Raqib",
        "description": "Arabic toxicity scores in Perspective's shape (Raqib's self-hosted drop-in).",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "batchPath": "batch",
        "parameters": {
            "key": _query("a Raqib client API key"),
            "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"]},
            "fields": _query("ignored"),
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
            "quotaUser": _query("ignored"),
            "$.xgafv": {"type": "string", "location": "query", "enum": ["1", "2"]},
        },
        "schemas": SCHEMAS,
        "resources": {
            "comments": {
                "methods": {
                    "analyze": _method(
                        "analyze", "AnalyzeCommentRequest", "AnalyzeCommentResponse", "Scores a comment."
                    ),
                    "suggestscore": _method(
                        "suggestscore",
                        "SuggestCommentScoreRequest",
                        "SuggestCommentScoreResponse",
                        "Records a moderator's verdict on a comment as training data.",
                    ),
                }
            }
        },
    }
