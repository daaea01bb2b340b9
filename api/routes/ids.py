"""`{id:contact_id}`: a path segment that can name a contact, i.e. any but a sibling route's."""

import re

from starlette.convertors import Convertor, register_url_convertor

# The literal paths beside /contacts/{id}. Were they ids too, `PUT /contacts/export`
# would answer "422: id is not an integer" where "405: no PUT here" is the truth.
# A test keeps this list equal to the routes.
SIBLINGS = ("batch", "batch-delete", "changes", "export", "import")


class ContactIdSegment(Convertor[str]):
    regex = rf"(?!(?:{'|'.join(map(re.escape, SIBLINGS))})(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        # Left a string: FastAPI validates it as the route's int, with its usual 422.
        return value

    def to_string(self, value: object) -> str:
        # url_path_for(id=7) hands over the int.
        return str(value)


register_url_convertor("contact_id", ContactIdSegment())

CONTACT_PATH = "/{id:contact_id}"
