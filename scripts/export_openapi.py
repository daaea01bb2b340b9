"""Write the OpenAPI document to openapi.json (what `make openapi` runs).

The document is built from the code without starting the app or a store, and
written with sorted keys so that a change shows as a readable diff.
"""

import json
import sys
from pathlib import Path

from api.config import Settings
from api.main import create_app

TARGET = Path(__file__).resolve().parent.parent / "openapi.json"


def render() -> str:
    app = create_app(Settings(_env_file=None))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET.name}\n")


if __name__ == "__main__":
    main()
