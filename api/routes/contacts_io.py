"""GET /contacts/export and POST /contacts/import: vCard 4.0 and CSV."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse

from api.deps import BookDep
from api.responses import UNAUTHORIZED, UNAVAILABLE, ErrorOut, Responses, validation_error
from auth.deps import CurrentUserId
from contacts.files import MAX_ROWS, InvalidFile, UnsupportedFile
from contacts.portability import MEDIA_TYPES, Format, ImportReport, export_file, import_file

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)

FILE_TEXT = {"schema": {"type": "string"}}
# An address book exported from a phone: thousands of vCards with photos stripped.
# `api.main` gives this route's body this limit instead of the usual 1 MiB.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
TOO_LARGE = f"Request body is larger than {MAX_IMPORT_BYTES} bytes"
NOT_MULTIPART = "Send the file as multipart/form-data, in a field named `file`"
IMPORT_ERRORS: Responses = {
    413: {
        "model": ErrorOut,
        "description": "The upload is larger than 5 MiB",
        "content": {"application/json": {"example": {"detail": TOO_LARGE}}},
    },
    415: {
        "model": ErrorOut,
        "description": "Not multipart/form-data, or not a vCard or CSV",
        "content": {"application/json": {"example": {"detail": NOT_MULTIPART}}},
    },
    **validation_error(
        "No `file`, or a file that is empty, not UTF-8, a CSV without its "
        f"header, or over {MAX_ROWS} rows (then nothing is imported)",
        {"type": "missing", "loc": ["body", "file"], "msg": "Field required"},
    ),
}
IMPORT_RESULTS = (
    "A result per row, in file order (`row` counts cards or CSV data rows from 1): "
    "`created`; `duplicate`, skipped, when its normalised phone or email matches one of the "
    "caller's contacts, stored before or created from an earlier row; or `rejected`, with the "
    "reasons. A bad row never stops the others. Re-sending a file after a 503 is safe: rows "
    "already created come back as duplicates."
)
FILE_FIELD = (
    "A vCard (4.0, 3.0 or 2.1: each card's FN or else N, first TEL and first EMAIL) or a CSV "
    "whose header names `name`, `phone_number` and `email` (other columns are ignored), told "
    f"apart by content (`BEGIN:VCARD`), else by content type. UTF-8; at most {MAX_ROWS} rows."
)


def _require_multipart(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            NOT_MULTIPART,
        )


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment (`contacts.vcf` or `contacts.csv`)",
            "content": {media.split(";")[0]: FILE_TEXT for media in MEDIA_TYPES.values()},
        }
    },
)
async def export_contacts(
    user_id: CurrentUserId,
    fmt: Annotated[
        Format,
        Query(
            alias="format",
            description="`vcf`: vCard 4.0. `csv`: columns name, phone_number, email; a "
            "cell starting with = + - @ or ' is prefixed with ' (import removes it)",
        ),
    ] = "vcf",
) -> Response:
    """Download the caller's contacts, in id order, as vCard 4.0 or CSV."""
    chunks = await export_file(user_id, fmt)
    headers = {
        "Content-Disposition": f'attachment; filename="contacts.{fmt}"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.post(
    "/import",
    response_model=ImportReport,
    responses={200: {"description": IMPORT_RESULTS}, **IMPORT_ERRORS},
)
async def import_contacts(
    user_id: CurrentUserId,
    _: Annotated[None, Depends(_require_multipart)],
    book: BookDep,
    file: Annotated[UploadFile, File(description=FILE_FIELD)],
) -> ImportReport:
    """Add contacts from a vCard or CSV file; duplicates are skipped, a result per row."""
    data = await file.read()
    try:
        return await import_file(book, user_id, data, file.content_type)
    except UnsupportedFile as exc:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, exc.detail) from exc
    except InvalidFile as exc:
        issue = {"type": exc.kind, "loc": ("body", "file"), "msg": exc.detail}
        raise RequestValidationError([issue]) from exc
