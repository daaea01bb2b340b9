"""The OpenAPI document as client generators read it."""

import re
from typing import Any

from fastapi import FastAPI


def _operations(app: FastAPI) -> list[dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return [operation for methods in paths.values() for operation in methods.values()]


def test_every_operation_has_a_unique_camel_case_operation_id(app: FastAPI) -> None:
    ids = [operation["operationId"] for operation in _operations(app)]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", op_id) for op_id in ids), ids
    assert {"registerUser", "logIn", "listContacts", "createContact", "readContact"} <= set(ids)


def test_every_operation_is_tagged_with_a_described_area(app: FastAPI) -> None:
    document = app.openapi()
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}

    assert described == {"auth", "account", "contacts", "health"}
    assert all(set(op["tags"]) <= described and op["tags"] for op in _operations(app))
    assert document["info"]["license"]["identifier"] == "MIT"
    assert document["info"]["contact"]["name"]
