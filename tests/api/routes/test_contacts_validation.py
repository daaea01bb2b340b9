"""What a contact body accepts: the seed's phone pattern and field bounds.

Exercised through POST /contacts/; PUT validates the same ContactIn schema.
"""

import pytest
from httpx import AsyncClient, Response

from models import Contact
from tests.helpers import CONTACT, UserSession, create_contact


async def post_contact(client: AsyncClient, user: UserSession, **fields: object) -> Response:
    return await client.post("/contacts/", json={**CONTACT, **fields}, headers=user.headers)


@pytest.mark.parametrize(
    "phone",
    ["1234567", "123456789012345", "+1234567", "+123456789012345", "09068641485"],
)
async def test_phone_numbers_the_seed_pattern_accepts(
    client: AsyncClient, alice: UserSession, phone: str
) -> None:
    response = await post_contact(client, alice, phone_number=phone)

    assert response.status_code == 201
    assert response.json()["phone_number"] == phone


@pytest.mark.parametrize(
    "phone",
    [
        "123456",  # 6 digits
        "1234567890123456",  # 16 digits
        "+1234567890123456",
        "++1234567",
        "0906 864 1485",
        " 09068641485",
        "09068641485\n",
        "0906864148a",
        "+",
        "",
        "1-800-555-0199",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667",  # Arabic-Indic digits
        "09068641485+",
    ],
)
async def test_phone_numbers_the_seed_pattern_rejects(
    client: AsyncClient, alice: UserSession, phone: str
) -> None:
    response = await post_contact(client, alice, phone_number=phone)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "phone_number"]
    assert await Contact.find_all().count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "n" * 201),
        ("name", "esc\x1b[31m"),
        ("email", "not-an-email"),
        ("email", {"$gt": ""}),
        ("phone_number", 9068641485),
        ("name", None),
    ],
)
async def test_bad_contact_fields_are_422(
    client: AsyncClient, alice: UserSession, field: str, value: object
) -> None:
    response = await post_contact(client, alice, **{field: value})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


async def test_a_200_character_name_is_accepted(client: AsyncClient, alice: UserSession) -> None:
    created = await create_contact(client, alice, name="n" * 200)

    assert created["name"] == "n" * 200
