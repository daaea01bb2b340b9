import csv
import io
from typing import Any

import pytest
from httpx import AsyncClient, Response

from contacts.files import MAX_ROWS
from contacts.vcard import contact_uid
from models import Contact
from tests.helpers import UserSession, create_contact

HEADER = "name,phone_number,email\r\n"
TRICKY = [
    {"name": "Okafor, Chioma", "phone_number": "+2349068641485", "email": "a@example.com"},
    {"name": 'Eze; "Big" Nnamdi\\', "phone_number": "09068641486", "email": "b@example.com"},
    {"name": "Émeka Ọkọnkwọ 李小龙 👩🏽‍💻", "phone_number": "1234567", "email": "c@example.com"},
    {"name": "Zoë Ñandú " * 19 + "end", "phone_number": "+123456789012345", "email": "d@ex.org"},
    {"name": '=HYPERLINK("x")', "phone_number": "+2348000000001", "email": "e@example.com"},
    {"name": "'quoted' -minus @at +plus", "phone_number": "0800000000", "email": "f@example.com"},
    {"name": "'=not a formula", "phone_number": "0800000001", "email": "g@example.com"},
]


async def upload(
    client: AsyncClient, user: UserSession, data: bytes, media: str = "text/csv"
) -> Response:
    files = {"file": ("contacts", data, media)}
    return await client.post("/contacts/import", files=files, headers=user.headers)


async def export(client: AsyncClient, user: UserSession, fmt: str) -> Response:
    return await client.get(f"/contacts/export?format={fmt}", headers=user.headers)


async def stored(user: UserSession) -> list[dict[str, Any]]:
    """The user's contacts as stored, in id order: name, phone and email only."""
    # Sorted here: the embedded store orders `_id` as text when filtering on the owner alone.
    contacts = sorted(await Contact.find({"user_id": user.id}).to_list(), key=lambda c: c.id)
    return [{"name": c.name, "phone_number": c.phone_number, "email": c.email} for c in contacts]


def vcard(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])


# Export


async def test_vcard_export_holds_only_the_callers_contacts_in_id_order(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    first = await create_contact(client, alice, name="First, A", phone_number="+2349068641485")
    await create_contact(client, bob, name="Bob's friend", email="bobs@example.com")
    second = await create_contact(client, alice, name="Second", email="second@example.com")

    response = await export(client, alice, "vcf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="contacts.vcf"'
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    assert "Bob" not in text
    assert "bobs@example.com" not in text
    cards = text.split("END:VCARD\r\n")
    assert cards[-1] == ""
    assert cards[0].startswith(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:First\\, A\r\nTEL;VALUE=uri:tel:+2349068641485\r\n"
        f"EMAIL:ghjhkj@gmail.com\r\nUID:{contact_uid(first['id'])}\r\nREV:"
    )
    assert cards[1].startswith(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Second\r\nTEL:09068641485\r\n"
        f"EMAIL:second@example.com\r\nUID:{contact_uid(second['id'])}\r\n"
    )
    assert len(cards) == 3
    assert "\n" not in text.replace("\r\n", "")


async def test_vcard_is_the_default_format(client: AsyncClient, alice: UserSession) -> None:
    await create_contact(client, alice)

    response = await client.get("/contacts/export", headers=alice.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vcard; charset=utf-8"
    assert response.text.startswith("BEGIN:VCARD\r\n")


async def test_csv_export_guards_formulas_and_keeps_other_users_out(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    await create_contact(client, alice, name="=1+1", phone_number="+2349068641485")
    await create_contact(client, bob, name="Bob's friend")
    await create_contact(client, alice, name='Eze, "Big"', email="eze@example.com")

    response = await export(client, alice, "csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="contacts.csv"'
    assert response.text == (
        "name,phone_number,email\r\n"
        # A phone number is digits after its sign, never a formula: left readable.
        "'=1+1,+2349068641485,ghjhkj@gmail.com\r\n"
        '"Eze, ""Big""",09068641485,eze@example.com\r\n'
    )


async def test_an_empty_book_exports_an_empty_vcard_file_and_a_csv_header(
    client: AsyncClient, alice: UserSession
) -> None:
    vcf, csv_file = await export(client, alice, "vcf"), await export(client, alice, "csv")

    assert (vcf.status_code, vcf.text) == (200, "")
    assert (csv_file.status_code, csv_file.text) == (200, HEADER)


async def test_export_crosses_batch_boundaries(client: AsyncClient, alice: UserSession) -> None:
    count = 1234
    await Contact.insert_many(
        [
            Contact(id=i, user_id=alice.id, name=f"n{i}", phone_number="1234567", email="a@b.co")
            for i in range(1, count + 1)
        ]
    )

    response = await export(client, alice, "csv")

    rows = list(csv.reader(io.StringIO(response.text)))
    assert [row[0] for row in rows[1:]] == [f"n{i}" for i in range(1, count + 1)]


async def test_export_needs_a_token_and_a_known_format(
    client: AsyncClient, alice: UserSession
) -> None:
    assert (await client.get("/contacts/export")).status_code == 401
    response = await export(client, alice, "xlsx")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "format"]


# Round trip


@pytest.mark.parametrize("fmt", ["vcf", "csv"])
async def test_export_then_import_into_a_fresh_account_reproduces_every_contact(
    client: AsyncClient, alice: UserSession, bob: UserSession, fmt: str
) -> None:
    for contact in TRICKY:
        await create_contact(client, alice, **contact)
    exported = await export(client, alice, fmt)
    assert exported.status_code == 200

    response = await upload(client, bob, exported.content, exported.headers["content-type"])

    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(TRICKY)
    assert await stored(bob) == TRICKY
    assert await stored(alice) == TRICKY
    if fmt == "vcf":  # the long names were folded
        lines = exported.content.split(b"\r\n")
        assert max(len(line) for line in lines) == 75
        assert any(line.startswith(b" ") for line in lines)


async def test_reimporting_an_export_creates_nothing(
    client: AsyncClient, alice: UserSession
) -> None:
    ids = [(await create_contact(client, alice, **contact))["id"] for contact in TRICKY[:3]]
    exported = await export(client, alice, "vcf")

    response = await upload(client, alice, exported.content, "text/vcard")

    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (0, 3, 0)
    assert [r["duplicate_of"] for r in body["results"]] == [[i] for i in ids]
    assert await Contact.find({"user_id": alice.id}).count() == 3


# Import


async def test_import_a_version_3_file_from_a_phone(
    client: AsyncClient, alice: UserSession
) -> None:
    data = vcard(
        "N:Okafor;Chioma;;;",
        "FN:Chioma Okafor",
        "TEL;TYPE=CELL;TYPE=pref:0803 123-4567",
        "TEL;TYPE=HOME:+234 1 234 5678",
        "item1.EMAIL;type=INTERNET:Chioma@Example.com",
        "item1.X-ABLabel:_$!<Other>!$_",
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD",
    ) + vcard("N:Eze;Nnamdi;;Dr.;", "TEL:+2348000000001", "EMAIL:eze@example.com")

    response = await upload(client, alice, data.encode(), "text/x-vcard")

    assert response.status_code == 200
    body = response.json()
    ids = [r["id"] for r in body["results"]]
    assert body == {
        "created": 2,
        "duplicates": 0,
        "rejected": 0,
        "results": [{"row": n, "status": "created", "id": ids[n - 1]} for n in (1, 2)],
    }
    assert await stored(alice) == [
        {"name": "Chioma Okafor", "phone_number": "08031234567", "email": "Chioma@example.com"},
        {"name": "Dr. Nnamdi Eze", "phone_number": "+2348000000001", "email": "eze@example.com"},
    ]
    contact = await Contact.get(ids[0])
    assert contact is not None
    assert (contact.user_id, contact.email_key, contact.version) == (
        alice.id,
        "chioma@example.com",
        1,
    )


async def test_mixed_rows_create_the_good_and_explain_the_bad(
    client: AsyncClient, alice: UserSession
) -> None:
    data = (
        HEADER + "Good One,09068641485,one@example.com\r\n"
        ",09068641486,\r\n"
        "Bad Phone,12-ab,bad-email\r\n"
        "\r\n"
        "Good Two,+234 906 864 1487,two@example.com\r\n"
        "Short row,09068641488\r\n"
    )

    response = await upload(client, alice, data.encode())

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (2, 0, 3)
    results = body["results"]
    assert [(r["row"], r["status"]) for r in results] == [
        (1, "created"),
        (2, "rejected"),
        (3, "rejected"),
        (4, "created"),
        (5, "rejected"),
    ]
    assert results[1]["errors"] == [
        {"type": "missing", "loc": ["name"], "msg": "The name cell is empty"},
        {"type": "missing", "loc": ["email"], "msg": "The email cell is empty"},
    ]
    assert [e["loc"] for e in results[2]["errors"]] == [["phone_number"], ["email"]]
    assert all("input" not in e for e in results[2]["errors"])
    assert results[4]["errors"][0]["loc"] == ["email"]
    assert await stored(alice) == [
        {"name": "Good One", "phone_number": "09068641485", "email": "one@example.com"},
        {"name": "Good Two", "phone_number": "+2349068641487", "email": "two@example.com"},
    ]
    assert await Contact.get(results[0]["id"]) is not None
    assert await Contact.get(results[3]["id"]) is not None


async def test_a_malformed_card_is_rejected_and_the_others_imported(
    client: AsyncClient, alice: UserSession
) -> None:
    data = (
        vcard("FN:Before", "TEL:1234567", "EMAIL:before@example.com")
        + vcard("FN:Broken", "no colon here", "TEL:7654321", "EMAIL:broken@example.com")
        + vcard("TEL:1111111", "EMAIL:nameless@example.com")
        + vcard("FN:After", "TEL:2222222", "EMAIL:after@example.com")
    )

    response = await upload(client, alice, data.encode(), "text/vcard")

    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "created"]
    assert results[1]["errors"] == [
        {
            "type": "vcard_invalid",
            "loc": [],
            "msg": "Line 10 of the file is not a vCard content line",
        }
    ]
    assert results[2]["errors"] == [
        {"type": "missing", "loc": ["name"], "msg": "The card has no FN or N"}
    ]
    assert [c["name"] for c in await stored(alice)] == ["Before", "After"]


async def test_duplicates_within_the_file_and_against_existing_contacts_are_skipped(
    client: AsyncClient, alice: UserSession, bob: UserSession
) -> None:
    existing = await create_contact(client, alice, phone_number="09068641485", email="x@a.com")
    await create_contact(client, bob, phone_number="07000000000", email="bob-only@a.com")
    data = (
        HEADER + "Same Phone,0906-864-1485,new1@a.com\r\n"
        "Same Email,08000000001,X@A.com\r\n"
        "Fresh,08000000002,fresh@a.com\r\n"
        "Fresh Again,08000000003,FRESH@a.com\r\n"
        "Bob's number,07000000000,bobs@a.com\r\n"
    )

    response = await upload(client, alice, data.encode())

    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (2, 3, 0)
    results = body["results"]
    fresh, bobs = results[2]["id"], results[4]["id"]
    assert results == [
        {"row": 1, "status": "duplicate", "duplicate_of": [existing["id"]]},
        {"row": 2, "status": "duplicate", "duplicate_of": [existing["id"]]},
        {"row": 3, "status": "created", "id": fresh},
        {"row": 4, "status": "duplicate", "duplicate_of": [fresh]},
        {"row": 5, "status": "created", "id": bobs},
    ]
    assert [c["name"] for c in await stored(alice)] == ["chioma", "Fresh", "Bob's number"]


async def test_a_row_matching_two_contacts_names_both(
    client: AsyncClient, alice: UserSession
) -> None:
    one = await create_contact(client, alice, phone_number="1111111", email="one@a.com")
    two = await create_contact(client, alice, phone_number="2222222", email="two@a.com")

    response = await upload(client, alice, (HEADER + "Both,2222222,one@a.com\r\n").encode())

    assert response.json()["results"] == [
        {"row": 1, "status": "duplicate", "duplicate_of": [one["id"], two["id"]]}
    ]


async def test_csv_with_bom_semicolons_extra_columns_and_apostrophes(
    client: AsyncClient, alice: UserSession
) -> None:
    data = "\ufeffid;E-mail;Name;Phone Number\r\n7;a@b.com;'=x;'+2349068641485\r\n"

    response = await upload(client, alice, data.encode(), "application/vnd.ms-excel")

    assert response.json()["created"] == 1
    assert await stored(alice) == [
        {"name": "=x", "phone_number": "+2349068641485", "email": "a@b.com"}
    ]


async def test_a_file_of_exactly_the_row_limit_is_imported(
    client: AsyncClient, alice: UserSession
) -> None:
    # Every row duplicates one contact, so the limit is checked without thousands of writes.
    existing = await create_contact(client, alice, phone_number="1234567")
    data = HEADER + "n,1234567,a@b.com\r\n" * MAX_ROWS

    response = await upload(client, alice, data.encode())

    assert response.status_code == 200
    body = response.json()
    assert (body["duplicates"], len(body["results"])) == (MAX_ROWS, MAX_ROWS)
    assert body["results"][-1] == {
        "row": MAX_ROWS,
        "status": "duplicate",
        "duplicate_of": [existing["id"]],
    }


@pytest.mark.parametrize("fmt", ["csv", "vcf"])
async def test_a_file_over_the_row_limit_is_refused_whole(
    client: AsyncClient, alice: UserSession, fmt: str
) -> None:
    if fmt == "csv":
        data = HEADER + "".join(f"n,{i:07d},a{i}@b.com\r\n" for i in range(MAX_ROWS + 1))
    else:
        data = vcard("FN:n", "TEL:1234567", "EMAIL:a@b.com") * (MAX_ROWS + 1)

    response = await upload(client, alice, data.encode())

    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert issue["type"] == "too_many_rows"
    assert issue["loc"] == ["body", "file"]
    assert str(MAX_ROWS) in issue["msg"]
    assert await Contact.find_all().count() == 0


async def test_the_upload_may_exceed_the_usual_body_limit_but_not_5_mib(
    client: AsyncClient, alice: UserSession
) -> None:
    note = "NOTE:" + "x" * (2 * 1024 * 1024)
    fits = vcard("FN:Big", "TEL:1234567", "EMAIL:big@b.com", note)
    too_big = vcard("FN:Bigger", note * 3)

    assert (await upload(client, alice, fits.encode(), "text/vcard")).status_code == 200
    response = await upload(client, alice, too_big.encode(), "text/vcard")
    assert response.status_code == 413
    assert [c["name"] for c in await stored(alice)] == ["Big"]


@pytest.mark.parametrize(
    ("data", "media", "kind"),
    [
        (b"", "text/csv", "file_empty"),
        (b" \r\n\t", "text/vcard", "file_empty"),
        (
            "name,phone_number,email\r\nCaf\u00e9,1234567,a@b.com\r\n".encode("latin-1"),
            "text/csv",
            "file_encoding",
        ),
        (vcard("FN:Caf\u00e9").encode("utf-16"), "text/vcard", "file_encoding"),
        (b"Chioma,09068641485,a@b.com\r\n", "text/csv", "csv_header"),
        (b"name,email\r\nChioma,a@b.com\r\n", "text/csv", "csv_header"),
        (
            b'name,phone_number,email\r\n"unterminated,1234567,a@b.com\r\n',
            "text/csv",
            "csv_invalid",
        ),
        (b"just some text", "text/vcard", "vcard_invalid"),
    ],
)
async def test_unusable_files_are_a_clear_422(
    client: AsyncClient, alice: UserSession, data: bytes, media: str, kind: str
) -> None:
    response = await upload(client, alice, data, media)

    assert response.status_code == 422
    [issue] = response.json()["detail"]
    assert (issue["type"], issue["loc"]) == (kind, ["body", "file"])
    assert issue["msg"]
    assert await Contact.find_all().count() == 0


async def test_a_file_that_is_neither_vcard_nor_csv_is_415(
    client: AsyncClient, alice: UserSession
) -> None:
    response = await upload(client, alice, b"\x89PNG\r\n\x1a\n", "image/png")

    assert response.status_code == 415
    assert response.json() == {"detail": "Upload a vCard (.vcf) or CSV file"}


async def test_a_vcard_is_recognised_whatever_its_label(
    client: AsyncClient, alice: UserSession
) -> None:
    data = vcard("FN:A", "TEL:1234567", "EMAIL:a@b.com").encode()

    response = await upload(client, alice, data, "application/json")

    assert response.json()["created"] == 1


async def test_a_body_without_a_file_field_is_422(client: AsyncClient, alice: UserSession) -> None:
    files = {"other": ("c.csv", HEADER.encode(), "text/csv")}
    response = await client.post("/contacts/import", files=files, headers=alice.headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


async def test_a_body_that_is_not_a_form_is_415(client: AsyncClient, alice: UserSession) -> None:
    response = await client.post("/contacts/import", json={"file": HEADER}, headers=alice.headers)

    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


async def test_a_token_is_checked_before_the_body(client: AsyncClient) -> None:
    response = await client.post("/contacts/import", json={"file": HEADER})

    assert response.status_code == 401


async def test_import_needs_a_token(client: AsyncClient) -> None:
    data = (HEADER + "A,1234567,a@b.com\r\n").encode()
    response = await client.post("/contacts/import", files={"file": ("c.csv", data, "text/csv")})

    assert response.status_code == 401
    assert await Contact.find_all().count() == 0


async def test_openapi_documents_the_file_types_and_errors(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    export_op, import_op = paths["/contacts/export"]["get"], paths["/contacts/import"]["post"]

    assert set(export_op["responses"]["200"]["content"]) == {"text/vcard", "text/csv"}
    assert {"401", "422", "503"} <= set(export_op["responses"])
    assert {"200", "401", "413", "415", "422", "503"} <= set(import_op["responses"])
    assert "multipart/form-data" in import_op["requestBody"]["content"]
    assert "\n" not in import_op["summary"] + export_op["summary"]
