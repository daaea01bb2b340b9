"""The container wiring: Dockerfile, .dockerignore, docker-compose.yml and .env.example.

No container engine is needed: the files are parsed and checked against each other and
against the app's own `Settings`, so a renamed setting, a dropped healthcheck or a package
left out of the image fails here rather than at deploy time.
"""

import json
import re
import secrets
import shlex
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dockerfile
import pytest
import yaml

from api.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

SETTINGS_NAMES = {name.upper() for name in Settings.model_fields}
APP_PORT = 8000
ALL_INTERFACES = "0.0.0.0"  # noqa: S104  # what the container must listen on


# --- docker-compose.yml ---------------------------------------------------------------


def _compose() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(compose, dict)
    return compose


def _service(name: str) -> dict[str, Any]:
    service = _compose()["services"][name]
    assert isinstance(service, dict)
    return service


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's `environment`, in either the mapping or the `KEY=value` list form."""
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    assert isinstance(environment, dict)
    return {str(key): "" if value is None else str(value) for key, value in environment.items()}


_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))"
)


def _interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg = match["op"] or "", match["arg"] or ""
        value = variables.get(name)
        if value is not None and not (op.startswith(":") and value == ""):
            return value
        if op.endswith("?"):
            raise LookupError(f"compose refuses to start without {name}: {arg}")
        return arg if op.endswith("-") else ""

    return _VARIABLE.sub(replace, text)


def _container_ports(service: dict[str, Any]) -> list[int]:
    """Container ports a service publishes, from the short or the long `ports` syntax."""
    targets = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            targets.append(int(port["target"]))
        else:
            targets.append(int(str(port).rsplit(":", 1)[-1].split("/")[0]))
    return targets


def _healthcheck_command(service: dict[str, Any]) -> list[str]:
    healthcheck = service.get("healthcheck")
    assert isinstance(healthcheck, dict), "no healthcheck"
    assert not healthcheck.get("disable", False)
    test = healthcheck["test"]
    command = shlex.split(test) if isinstance(test, str) else [str(part) for part in test]
    assert command[0] in {"CMD", "CMD-SHELL"}, command
    return command


def test_compose_defines_the_api_and_its_mongo() -> None:
    assert {"api", "mongo"} <= set(_compose()["services"])


def test_mongo_runs_mongodb_8() -> None:
    assert re.fullmatch(r"mongo:8([.-].*)?", _service("mongo")["image"])


def test_mongo_is_a_replica_set_healthy_only_once_it_has_a_primary() -> None:
    mongo = _service("mongo")
    command = " ".join(_healthcheck_command(mongo))

    assert mongo["command"][:3] == ["mongod", "--replSet", "rs0"]
    assert "mongosh" in command
    assert "rs.initiate(" in command
    assert "host: 'mongo:27017'" in command
    assert "isWritablePrimary" in command
    assert {"interval", "timeout", "retries", "start_period"} <= set(mongo["healthcheck"])


def test_mongo_keeps_its_data_in_a_declared_named_volume() -> None:
    mounts: dict[str, str] = {}
    for volume in _service("mongo")["volumes"]:
        if isinstance(volume, dict):
            mounts[volume["target"]] = str(volume.get("source", ""))
        else:
            source, target = str(volume).split(":")[:2]
            mounts[target] = source

    source = mounts.get("/data/db", "")
    assert source, "nothing is mounted at /data/db"
    assert not source.startswith((".", "/", "~")), f"{source} is a bind mount, not a named volume"
    assert source in (_compose().get("volumes") or {})


def test_mongo_is_never_published_beyond_loopback() -> None:
    for port in _service("mongo").get("ports", []):
        host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
        assert host_ip == "127.0.0.1", f"mongo published on all interfaces: {port}"


def test_api_starts_after_mongo_is_healthy() -> None:
    depends_on = _service("api")["depends_on"]

    assert isinstance(depends_on, dict), "the list form cannot wait for health"
    assert depends_on["mongo"]["condition"] == "service_healthy"


def test_api_is_built_from_this_repository() -> None:
    build = _service("api")["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")

    assert (ROOT / context).resolve() == ROOT
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE


def test_api_connects_to_the_mongo_service() -> None:
    url = urlsplit(_environment(_service("api"))["MONGODB_URL"])

    assert url.scheme == "mongodb"
    assert url.hostname == "mongo"
    assert url.hostname in _compose()["services"]
    assert url.port == 27017
    assert parse_qs(url.query) == {"replicaSet": ["rs0"]}


def test_api_requires_a_jwt_secret() -> None:
    value = _environment(_service("api"))["JWT_SECRET"]

    assert value.startswith("${JWT_SECRET:?")
    assert value.endswith("}")
    with pytest.raises(LookupError, match="JWT_SECRET"):
        _interpolate(value, {})
    with pytest.raises(LookupError, match="JWT_SECRET"):
        _interpolate(value, {"JWT_SECRET": ""})


def test_api_publishes_the_port_the_app_listens_on() -> None:
    assert APP_PORT in _container_ports(_service("api"))
    assert _dockerfile_env()["PORT"] == str(APP_PORT)
    assert str(APP_PORT) in _final_stage().args("EXPOSE")[0].split()


def test_api_healthcheck_needs_no_curl_and_hits_the_app_port() -> None:
    command = " ".join(_healthcheck_command(_service("api")))
    url = re.search(r"https?://[^\s'\"]+", command)

    assert url is not None, command
    assert urlsplit(url[0]).port == APP_PORT
    assert urlsplit(url[0]).path == "/healthz"  # the process, not the database
    assert "curl" not in command
    assert "wget" not in command


def test_api_sets_only_known_settings() -> None:
    unknown = {
        name for name in _environment(_service("api")) if name.upper() not in SETTINGS_NAMES
    }

    assert not unknown, f"not fields of api.config.Settings: {sorted(unknown)}"


def test_the_container_environment_is_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the api container sees (image ENV, then compose's environment) given only
    JWT_SECRET, the one value compose insists on."""
    secret = secrets.token_hex(20)
    environment = {
        **_dockerfile_env(),
        **{
            name: _interpolate(value, {"JWT_SECRET": secret})
            for name, value in _environment(_service("api")).items()
        },
    }
    for name in SETTINGS_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        if name.upper() in SETTINGS_NAMES:
            monkeypatch.setenv(name, value)

    settings = Settings(_env_file=None)

    assert len(secret) == 40
    assert settings.embedded is False
    assert settings.mongodb_url is not None
    assert settings.mongodb_url.get_secret_value() == "mongodb://mongo:27017/?replicaSet=rs0"
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == secret
    assert (settings.host, settings.port) == (ALL_INTERFACES, APP_PORT)
    assert settings.cors_origins == []


# --- .env.example ------------------------------------------------------------------------


def _env_example_names() -> set[str]:
    """Every NAME in `NAME=value` lines, including commented-out ones."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in SETTINGS_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_env_example_documents_every_setting() -> None:
    missing = SETTINGS_NAMES - _env_example_names()

    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_copied_as_is_is_the_default_embedded_setup(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    """`cp .env.example .env && make run` works: blank secret, embedded store, defaults."""
    example = Settings(_env_file=ENV_EXAMPLE)

    assert example.embedded is True
    assert example.jwt_secret is None
    assert example.model_dump() == Settings(_env_file=None).model_dump()


# --- Dockerfile and .dockerignore --------------------------------------------------------


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [args for instruction, args in self.instructions if instruction == keyword]


def _dockerfile_stages() -> list[Stage]:
    stages: list[Stage] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        pending = ""
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            words = [word for word in args.split() if not word.startswith("--")]
            named = len(words) == 3 and words[1].upper() == "AS"
            stages.append(Stage(image=words[0], name=words[2] if named else None))
        else:
            assert stages, f"{keyword} before FROM"
            stages[-1].instructions.append((keyword, args))
    assert stages, "the Dockerfile has no FROM"
    return stages


def _final_stage() -> Stage:
    return _dockerfile_stages()[-1]


def _dockerfile_env() -> dict[str, str]:
    """The runtime stage's ENV, in the `KEY=value ...` or the legacy `KEY value` form."""
    environment: dict[str, str] = {}
    for args in _final_stage().args("ENV"):
        words = shlex.split(args)
        if "=" not in words[0]:
            environment[words[0]] = " ".join(words[1:])
            continue
        for word in words:
            key, _, value = word.partition("=")
            environment[key] = value
    return environment


def _copy_sources(stage: Stage) -> list[str]:
    """What a stage COPYs or ADDs from the build context (not from other stages)."""
    sources: list[str] = []
    for keyword in ("COPY", "ADD"):
        for args in stage.args(keyword):
            if "--from=" in args:
                continue
            words = [word for word in args.split() if not word.startswith("--")]
            if words[0].startswith("["):
                words = json.loads(" ".join(words))
            sources.extend(word.rstrip("/") or "." for word in words[:-1])
    return sources


def _dockerignored(path: str) -> bool:
    """Docker's rule, closely enough: the last matching pattern wins, and a pattern that
    matches a directory also covers everything below it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    ignored = False
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip().removeprefix("./").strip("/")
        candidates = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch(prefix, candidate) for prefix in prefixes for candidate in candidates):
            ignored = not negated
    return ignored


def test_dockerfile_builds_on_python_311_slim() -> None:
    stages = _dockerfile_stages()
    names = {stage.name for stage in stages if stage.name}
    bases = [stage.image for stage in stages if stage.image not in names]

    assert bases
    for base in bases:
        assert re.fullmatch(r"python:3\.11-slim([-@].*)?", base), base
    # The runtime stage starts afresh from the slim base, not from the builder.
    assert stages[-1].image in bases


def test_dockerfile_installs_the_hashed_lock() -> None:
    installs = [
        run for stage in _dockerfile_stages() for run in stage.args("RUN") if "pip install" in run
    ]

    assert installs, "no pip install"
    for run in installs:
        words = run.split()
        assert "--require-hashes" in words, run
        assert "--no-deps" in words, run
        assert "-r requirements.txt" in " ".join(words), run


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = _final_stage().args("USER")

    assert users, "no USER in the runtime stage"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_dockerfile_runs_the_app_module() -> None:
    commands = _final_stage().args("CMD")

    assert commands
    assert json.loads(commands[-1]) == ["python", "-m", "api"]
    assert not _final_stage().args("ENTRYPOINT")


def test_dockerfile_sets_the_container_environment() -> None:
    environment = _dockerfile_env()

    assert environment["HOST"] == ALL_INTERFACES
    assert environment["PORT"] == str(APP_PORT)
    assert environment["PYTHONUNBUFFERED"] == "1"


def test_dockerfile_copies_files_that_exist_and_are_not_ignored() -> None:
    sources = [source for stage in _dockerfile_stages() for source in _copy_sources(stage)]

    assert "requirements.txt" in sources
    for source in sources:
        assert list(ROOT.glob(source)), f"COPY {source}: no such file"
        assert not _dockerignored(source), f"COPY {source}: excluded by .dockerignore"


def test_dockerfile_copies_exactly_the_app_packages() -> None:
    packages = {
        path.name
        for path in ROOT.iterdir()
        # The tests and the benchmark harness are tooling, not the app.
        if (path / "__init__.py").is_file() and path.name not in {"tests", "bench"}
    }
    copied = set(_copy_sources(_final_stage()))

    assert packages == {"api", "auth", "contacts", "models"}
    assert packages <= copied, f"missing from the image: {sorted(packages - copied)}"
    assert copied - packages <= {"requirements.txt"}, f"not needed: {copied - packages}"


@pytest.mark.parametrize(
    "path",
    [
        ".git",
        ".venv",
        "data",
        ".env",
        "tests",
        "tests/test_compose.py",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        "api/__pycache__",
    ],
)
def test_dockerignore_keeps_local_state_out_of_the_context(path: str) -> None:
    assert _dockerignored(path)


# --- the Dockerfile, read by BuildKit's own parser -------------------------------------

INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip
# The fewest arguments each instruction needs to mean anything.
MIN_ARGUMENTS = {"FROM": 1, "COPY": 2, "ADD": 2, "WORKDIR": 1, "USER": 1, "EXPOSE": 1, "RUN": 1}


def test_the_dockerfile_is_valid_to_buildkits_parser() -> None:
    commands = dockerfile.parse_file(str(DOCKERFILE))

    unknown = [c.original for c in commands if c.cmd not in INSTRUCTIONS]
    assert not unknown, f"not Dockerfile instructions: {unknown}"
    short = [c.original for c in commands if len(c.value) < MIN_ARGUMENTS.get(c.cmd, 0)]
    assert not short, f"missing arguments: {short}"
    assert commands[0].cmd == "FROM"
    # Exec form: the app is PID 1 and gets SIGTERM from `docker stop` directly.
    [cmd] = [c for c in commands if c.cmd == "CMD"]
    assert cmd.json
    assert cmd.value == ("python", "-m", "api")


def test_the_dockerfile_check_catches_what_the_parser_lets_through() -> None:
    commands = dockerfile.parse_string("FROM python:3.11-slim\nCOPY\nUSERX app\n")

    assert [c.cmd for c in commands if c.cmd not in INSTRUCTIONS] == ["USERX"]
    assert [c.cmd for c in commands if len(c.value) < MIN_ARGUMENTS.get(c.cmd, 0)] == ["COPY"]
