"""Generate ``docs/plugins/hooks.md`` from the hook specs: ``python -m obscura_core.hookdocs``."""

from __future__ import annotations

import inspect

from obscura_core import hookspecs

HEADER = """# Hook reference

Generated from `obscura_core/hookspecs.py` by `python -m obscura_core.hookdocs`; do not edit by
hand. Implement a hook with a function of the same name decorated with `plugin_sdk.hookimpl`;
it may take any subset of the listed arguments.
"""


def render() -> str:
    parts = [HEADER]
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("obscura_"):
            continue
        opts = getattr(fn, "obscura_spec", {}) or {}
        sig = str(inspect.signature(fn)).replace("'", "")
        first = " (firstresult)" if opts.get("firstresult") else ""
        parts.append(f"\n## `{name}`{first}\n\n```python\ndef {name}{sig}\n```\n\n{inspect.getdoc(fn)}\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
