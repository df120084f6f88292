"""deploy/ lints: the files name real commands and settings, since no container runs here.

A renamed option or setting would otherwise break deployments silently: compose and
systemd only find out on a production host.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from podium.cli import app
from podium.config import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = ("podium.service", "podium-worker.service")
INSTRUCTIONS = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}  # fmt: skip


def check_podium_command(argv: list[str]) -> None:
    """``podium <sub...> [options]`` parses with the CLI as it is (nothing runs)."""
    assert argv and Path(argv[0]).name == "podium", argv
    # Typer carries its own click, so groups are told by their ``commands``.
    command: Any = typer.main.get_command(app)
    rest = argv[1:]
    while isinstance(getattr(command, "commands", None), dict):
        assert rest, f"{argv}: no subcommand"
        assert rest[0] in command.commands, f"{argv}: no subcommand {rest[0]!r}"
        command, rest = command.commands[rest[0]], rest[1:]
    command.make_context(command.name or "podium", list(rest))  # raises on a bad option


def check_podium_env(env: dict[str, Any]) -> None:
    for name in env:
        assert name.startswith("PODIUM_"), name
        assert name.removeprefix("PODIUM_").lower() in Settings.model_fields, name


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (keyword, arguments), continuations joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    out = []
    for line in lines:
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def test_compose_services_run_real_commands_with_real_settings() -> None:
    services = compose()["services"]
    podium = {name: s for name, s in services.items() if s.get("image") == "podium:local"}
    commands = {name: s["command"] for name, s in podium.items()}
    assert sorted(c[1] for c in commands.values()) == ["migrate", "serve", "serve", "worker"]
    for name, service in podium.items():
        check_podium_command(service["command"])
        check_podium_env(service["environment"])
        for wanted in service.get("depends_on", {}):
            assert wanted in services, (name, wanted)
    assert all("--no-background" in c for c in commands.values() if c[1] == "serve")
    assert {"postgres", "redis", "caddy"} <= set(services)


def test_caddy_forwards_to_the_compose_servers_and_is_the_one_trusted() -> None:
    services = compose()["services"]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    live = [line for line in caddyfile.splitlines() if not line.lstrip().startswith("#")]
    upstreams = re.findall(r"reverse_proxy ([^{]+)", "\n".join(live))
    assert upstreams
    for host_port in upstreams[0].split():
        assert host_port.split(":")[0] in services
    address = services["caddy"]["networks"]["podium"]["ipv4_address"]
    assert services["web1"]["environment"]["PODIUM_TRUSTED_PROXIES"] == address


def test_dockerfile_is_known_instructions_and_not_root() -> None:
    steps = dockerfile()
    assert all(keyword in INSTRUCTIONS for keyword, _ in steps), steps
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(k == "RUN" and "pip install" in a and " ." in a for k, a in steps)
    cmd = json.loads(next(args for keyword, args in steps if keyword == "CMD"))
    check_podium_command(cmd)
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    check_podium_env(dict(a.split("=", 1) for k, a in steps if k == "ENV"))


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_units_start_real_commands(unit: str) -> None:
    exec_start = re.search(r"^ExecStart=(.+)$", (DEPLOY / unit).read_text(), re.MULTILINE)
    assert exec_start is not None
    check_podium_command(shlex.split(exec_start.group(1)))


def test_systemd_units_verify(tmp_path: Path) -> None:
    """``systemd-analyze verify``, with ExecStart pointed at this checkout's podium."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    here = str(Path(sys.executable).parent / "podium")
    if not Path(here).exists():
        pytest.skip("no podium script beside this Python")
    for unit in UNITS:
        text = (DEPLOY / unit).read_text().replace("/opt/podium/venv/bin/podium", here)
        (tmp_path / unit).write_text(text)
    done = subprocess.run(
        [analyze, "verify", *(str(tmp_path / unit) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "podium" not in done.stderr, done.stderr  # warnings about our units
