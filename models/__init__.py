"""Beanie documents and the request/response schemas. Imports nothing of `auth` or `api`."""

from beanie import Document

from models.contact import Contact
from models.counter import Counter
from models.token import RevokedToken
from models.user import User

DOCUMENT_MODELS: list[type[Document]] = [User, Contact, RevokedToken, Counter]

__all__ = ["DOCUMENT_MODELS", "Contact", "Counter", "RevokedToken", "User"]
