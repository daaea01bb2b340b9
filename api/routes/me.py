"""The caller's own account: profile, password, sessions, deletion."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, status

from api.responses import (
    INCORRECT_PASSWORD,
    SESSION_NOT_FOUND,
    TOO_MANY_ATTEMPTS,
    UNAUTHORIZED,
    UNAVAILABLE,
    Responses,
)
from auth.account import change_password, delete_account, update_profile
from auth.deps import AuthDep, ClientDep, CurrentUser, ValidToken
from auth.service import confirm_password
from auth.sessions import end_session, end_sessions, list_sessions
from models.credentials import PasswordChange, PasswordConfirmation
from models.errors import NotFound
from models.session import SessionOut
from models.user import ProfileUpdate, RegisterOut

router = APIRouter(prefix="/me", tags=["account"], responses={**UNAUTHORIZED, **UNAVAILABLE})

SessionId = Annotated[str, Path(alias="id", max_length=64, description="The session's id")]
CONFIRMATION_FAILED: Responses = {**INCORRECT_PASSWORD, **TOO_MANY_ATTEMPTS}


@router.get("", response_model=RegisterOut)
async def read_me(user: CurrentUser) -> RegisterOut:
    """The caller's profile."""
    return RegisterOut.model_validate(user)


@router.patch("", response_model=RegisterOut)
async def update_me(patch: ProfileUpdate, user: CurrentUser) -> RegisterOut:
    """Change first and/or last name; fields left out stay as they are."""
    return RegisterOut.model_validate(await update_profile(user, patch))


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=CONFIRMATION_FAILED)
async def delete_me(
    body: Annotated[PasswordConfirmation, Body()],
    user: CurrentUser,
    claims: ValidToken,
    auth: AuthDep,
    client: ClientDep,
) -> None:
    """Delete the account with its contacts and sessions; asks for the password."""
    await confirm_password(auth, user, body.password, client)
    await delete_account(user, claims)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, responses=CONFIRMATION_FAILED)
async def change_my_password(
    body: PasswordChange, user: CurrentUser, claims: ValidToken, auth: AuthDep, client: ClientDep
) -> None:
    """Change the password; every other session is ended."""
    await confirm_password(auth, user, body.current_password, client)
    await change_password(auth.passwords, user, body.new_password, claims)


@router.get(
    "/sessions",
    name="list_my_sessions",
    response_model=list[SessionOut],
    responses={
        200: {
            "links": {
                "EndTheFirstSession": {
                    "operationId": "endMySession",
                    "parameters": {"id": "$response.body#/0/id"},
                    "description": "End the most recently used session",
                }
            }
        }
    },
)
async def read_my_sessions(claims: ValidToken) -> list[SessionOut]:
    """The caller's active sessions, most recently used first."""
    sessions = await list_sessions(claims.user_id)
    return [SessionOut.of(session, claims.session_id) for session in sessions]


@router.delete("/sessions", name="end_all_my_sessions", status_code=status.HTTP_204_NO_CONTENT)
async def end_my_sessions(claims: ValidToken) -> None:
    """End every session of the caller, this one included."""
    await end_sessions(claims.user_id)


@router.delete(
    "/sessions/{id}", status_code=status.HTTP_204_NO_CONTENT, responses=SESSION_NOT_FOUND
)
async def end_my_session(session_id: SessionId, claims: ValidToken) -> None:
    """End one of the caller's sessions (signs that device out)."""
    if not await end_session(claims.user_id, session_id):
        raise NotFound("Session not found")
