"""If-Match as clients actually send it: odd spellings never crash, lists span header lines."""

import pytest
from httpx import AsyncClient

from models import Contact
from tests.helpers import UserSession, create_contact


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers.items()]


@pytest.mark.parametrize(
    "if_match",
    ['"\u00b2"', '"01"', '"\u0661"', '"' + "9" * 5000 + '"', '"1', "1", 'W/"1"', '""'],
    ids=[
        "superscript",
        "leading-zero",
        "arabic-digit",
        "5000-digits",
        "open",
        "bare",
        "weak",
        "empty",
    ],
)
async def test_a_tag_we_never_issued_is_412_never_500(
    client: AsyncClient, alice: UserSession, if_match: str
) -> None:
    contact = await create_contact(client, alice)

    response = await client.patch(
        f"/contacts/{contact['id']}",
        json={"name": "x"},
        headers=[*_raw(alice.headers), (b"If-Match", if_match.encode())],
    )

    assert response.status_code == 412, response.text
    stored = await Contact.get(contact["id"])
    assert stored is not None
    assert (stored.name, stored.version) == (contact["name"], 1)


async def test_if_match_lines_are_one_list(client: AsyncClient, alice: UserSession) -> None:
    contact = await create_contact(client, alice)
    headers = [*alice.headers.items(), ("If-Match", '"7"'), ("If-Match", '"9", "1"')]

    response = await client.patch(
        f"/contacts/{contact['id']}", json={"name": "x"}, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
