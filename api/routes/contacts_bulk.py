"""POST /contacts/batch and /contacts/batch-delete: many contacts, a result per item.

Both answer 200 whenever the request itself is well-formed and authorised; each
item's outcome is in its own `status`, an HTTP status code with the meaning it
has on the single-contact route (201, 409, 422, 503; 204, 404). Not 207 Multi-Status:
that is WebDAV's, with an XML body.
"""

from fastapi import APIRouter, status

from api.deps import BookDep, RejectDuplicates
from api.responses import UNAUTHORIZED, UNAVAILABLE, ValidationIssue, invalid_body
from api.routes.bulk_schemas import (
    BatchCreateIn,
    BatchCreateOut,
    BatchDeleteIn,
    BatchDeleteOut,
    CreatedItem,
    CreateResult,
    DeleteResult,
    DuplicateItem,
    InvalidItem,
    UnavailableItem,
)
from auth.deps import CurrentUserId
from contacts.bulk import Created, CreateOutcome, Invalid, Rejected, create_many, delete_many
from models.contact import ContactCreated, ContactOut

router = APIRouter(
    prefix="/contacts", tags=["contacts"], responses={**UNAUTHORIZED, **UNAVAILABLE}
)


def _result(index: int, outcome: CreateOutcome) -> CreateResult:
    if isinstance(outcome, Created):
        contact = ContactCreated.model_validate(
            {
                **ContactOut.model_validate(outcome.contact).model_dump(),
                "possible_duplicate_of": outcome.possible_duplicate_of,
            }
        )
        return CreatedItem(index=index, status=201, contact=contact)
    if isinstance(outcome, Invalid):
        errors = [
            ValidationIssue.model_validate({**e, "loc": ["body", "contacts", index, *e["loc"]]})
            for e in outcome.errors
        ]
        return InvalidItem(index=index, status=422, errors=errors)
    if isinstance(outcome, Rejected):
        return DuplicateItem(index=index, status=409, duplicate_of=outcome.duplicate_of)
    return UnavailableItem(index=index, status=503)


@router.post(
    "/batch",
    name="create_contacts_in_batch",
    status_code=status.HTTP_200_OK,
    response_model=BatchCreateOut,
    responses={
        200: {"description": "A result per item; see each `status`"},
        **invalid_body("contacts"),
    },
)
async def create_batch(
    *,
    body: BatchCreateIn,
    user_id: CurrentUserId,
    book: BookDep,
    reject: RejectDuplicates,
) -> BatchCreateOut:
    """Add up to 500 contacts in input order; each item succeeds or fails on its own."""
    outcomes = await create_many(book, user_id, body.contacts, reject_duplicates=reject)
    created = sum(isinstance(outcome, Created) for outcome in outcomes)
    return BatchCreateOut(
        results=[_result(index, outcome) for index, outcome in enumerate(outcomes)],
        created=created,
        failed=len(outcomes) - created,
    )


@router.post(
    "/batch-delete",
    name="delete_contacts_in_batch",
    status_code=status.HTTP_200_OK,
    response_model=BatchDeleteOut,
    responses={200: {"description": "A result per distinct id"}, **invalid_body("ids")},
)
async def delete_batch(
    body: BatchDeleteIn, user_id: CurrentUserId, book: BookDep
) -> BatchDeleteOut:
    """Delete up to 500 of the caller's contacts by id; others' ids are reported as 404."""
    results = await delete_many(book, user_id, body.ids)
    deleted = sum(done for _, done in results)
    return BatchDeleteOut(
        results=[
            DeleteResult(id=contact_id, status=204 if done else 404)
            for contact_id, done in results
        ],
        deleted=deleted,
        missing=len(results) - deleted,
    )
