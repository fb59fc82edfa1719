"""``obscura install`` / ``obscura uninstall``: the pip command they run (pip itself is not ours, so
a recorder stands in for it and does to a throwaway ``site`` folder what pip would do to
``site-packages``) and the report of plugins that a restart of ``obscura serve`` would load."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from obscura_core.cli import main, pip_cmd
from tests.fixtures.pip_plugins.dists import remove_dist, write_dist, write_project


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


@pytest.fixture
def pip_calls(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[list[str]]]:
    """Replace pip with a recorder; ``effect(args)`` may act like pip did, and returns the status."""

    def install(effect: Callable[[list[str]], int] = lambda args: 0) -> list[list[str]]:
        calls: list[list[str]] = []

        def fake_run(argv: list[str], check: bool = False) -> object:
            assert argv[:3] == [sys.executable, "-m", "pip"], argv
            calls.append(argv[3:])
            return type("Done", (), {"returncode": effect(argv[3:])})()

        monkeypatch.setattr(pip_cmd.subprocess, "run", fake_run)
        return calls

    return install


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_install_runs_pip_in_this_environment_and_names_the_new_plugin(site: Path, pip_calls, tmp_path: Path) -> None:
    project = write_project(tmp_path / "obscura-tiny")
    calls = pip_calls(lambda args: write_dist(site, "obscura-tiny", "0.1.0", {"tiny": "obscura_tiny.plugin"}) and 0)
    result = _invoke("install", str(project))
    assert result.exit_code == 0, result.output
    assert calls == [["install", str(project)]]
    assert "installed  tiny  [obscura-tiny 0.1.0]" in result.output
    assert "Restart `obscura serve`" in result.output


def test_install_passes_upgrade_and_editable_through(site: Path, pip_calls, tmp_path: Path) -> None:
    write_dist(site, "obscura-tiny", "0.1.0", {"tiny": "obscura_tiny.plugin"})
    calls = pip_calls(lambda args: write_dist(site, "obscura-tiny", "0.2.0", {"tiny": "obscura_tiny.plugin"}) and 0)
    result = _invoke("install", "-U", "obscura-tiny", "obscura-other")
    assert result.exit_code == 0, result.output
    assert "upgraded   tiny  [obscura-tiny 0.2.0] (was 0.1.0)" in result.output

    project = write_project(tmp_path / "dev")
    _invoke("install", "--upgrade", "-e", str(project))
    _invoke("install", "--editable", str(project), "extra-dep")
    assert calls == [
        ["install", "--upgrade", "obscura-tiny", "obscura-other"],
        ["install", "--upgrade", "--editable", str(project)],
        ["install", "--editable", str(project), "extra-dep"],
    ]


def test_install_that_adds_no_plugin_says_so(site: Path, pip_calls) -> None:
    calls = pip_calls()
    result = _invoke("install", "requests")
    assert calls == [["install", "requests"]]
    assert "No Obscura plugin" in result.output
    assert "Restart" not in result.output


def test_install_needs_a_package(pip_calls) -> None:
    calls = pip_calls()
    result = CliRunner().invoke(main, ["install"])
    assert result.exit_code == 2
    assert "Name at least one package" in result.output
    assert calls == []


def test_a_failing_pip_fails_the_command(site: Path, pip_calls) -> None:
    pip_calls(lambda args: 1)
    result = CliRunner().invoke(main, ["install", "no-such-package-anywhere"])
    assert result.exit_code == 1
    assert "pip install failed (exit status 1)" in result.output


def test_uninstall_runs_pip_uninstall_and_names_the_removed_plugin(site: Path, pip_calls) -> None:
    write_dist(site, "obscura-tiny", "0.1.0", {"tiny": "obscura_tiny.plugin"})
    calls = pip_calls(lambda args: remove_dist(site, "obscura-tiny") or 0)
    result = _invoke("uninstall", "obscura-tiny", "-y")
    assert result.exit_code == 0, result.output
    assert calls == [["uninstall", "obscura-tiny", "-y"]]
    assert "removed    tiny  [obscura-tiny 0.1.0]" in result.output
    assert "Restart `obscura serve`" in result.output

    _invoke("uninstall", "a", "b")
    assert calls[-1] == ["uninstall", "a", "b"]


def test_the_commands_are_listed() -> None:
    out = _invoke("--help").output
    assert "install" in out and "uninstall" in out
