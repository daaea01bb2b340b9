"""The committed openapi.json is the document the code serves."""

from scripts.export_openapi import TARGET, render


def test_the_committed_openapi_document_is_current() -> None:
    assert TARGET.read_text(encoding="utf-8") == render(), (
        "openapi.json is stale: run `make openapi` and commit it"
    )
