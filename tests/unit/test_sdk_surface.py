"""The plugin SDK stays small, documented and independent of the core."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from obscura_core import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def _specs() -> list[tuple[str, object]]:
    return [(n, f) for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("obscura_")]


def test_importing_the_sdk_does_not_import_the_core() -> None:
    code = (
        "import sys, plugin_sdk, plugin_sdk.http, plugin_sdk.jobs, plugin_sdk.storage, plugin_sdk.models, "
        "plugin_sdk.types, plugin_sdk.db, plugin_sdk.links, plugin_sdk.search, plugin_sdk.formatting, "
        "plugin_sdk.markers, plugin_sdk.deletion, plugin_sdk.files; "
        "bad = [m for m in sys.modules if m.startswith('obscura_core')]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hookspec_has_a_docstring_and_type_hints() -> None:
    specs = _specs()
    assert len(specs) >= 14
    for name, fn in specs:
        doc = inspect.getdoc(fn) or ""
        assert len(doc) > 40, f"{name} needs a docstring"
        assert "Called in" in doc, f"{name}'s docstring must say which processes call it"
        sig = inspect.signature(fn)
        assert sig.return_annotation is not inspect.Signature.empty, f"{name} needs a return annotation"
        for param in sig.parameters.values():
            assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name}) needs a type"


def test_the_hook_reference_is_up_to_date() -> None:
    from obscura_core.hookdocs import render

    docs = (ROOT / "docs" / "plugins" / "hooks.md").read_text(encoding="utf-8")
    for name, _ in _specs():
        assert f"## `{name}`" in docs, f"docs/plugins/hooks.md does not document {name}"
    assert docs == render(), "regenerate with: python -m obscura_core.hookdocs > docs/plugins/hooks.md"


def test_the_sdk_reference_is_up_to_date() -> None:
    from obscura_core.sdkdocs import render

    docs = (ROOT / "docs" / "plugins" / "sdk.md").read_text(encoding="utf-8")
    assert docs == render(), "regenerate with: python -m obscura_core.sdkdocs > docs/plugins/sdk.md"
    for name in ("plugin_sdk.settings", "read_settings", "RootOption", "apply_patch", "listpage.js"):
        assert name in docs


def test_sdk_all_is_importable() -> None:
    import plugin_sdk

    for name in plugin_sdk.__all__:
        assert hasattr(plugin_sdk, name), name
