"""``obscura plugins``: every plugin with its hooks, queues and routes."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import Flask

from obscura_core.app import create_app, plugin_routes
from obscura_core.plugins import pending_changes
from obscura_core.runtime import Runtime


def describe_plugins(app: Flask) -> dict[str, Any]:
    rt: Runtime = app.extensions["obscura"]
    routes = plugin_routes(app)
    faults = [f.to_json() for f in rt.hooks.recent_faults()]
    loaded = []
    for info in rt.report.loaded:
        plugin = rt.pm.get_plugin(info.name)
        hooks = sorted(caller.name for caller in (rt.pm.get_hookcallers(plugin) or []))
        loaded.append(
            {
                "name": info.name,
                "kind": info.kind,
                "module": info.module,
                "dist": info.dist,
                "version": info.version,
                "hooks": hooks,
                "queues": sorted(q for q, owner in rt.registry.queue_owner.items() if owner == info.name),
                "routes": routes.get(info.name, []),
                "nav": [n.label for owner, n in rt.registry.nav_entries if owner == info.name],
                "faults": sum(1 for f in faults if f["plugin"] == info.name),
                "hookTimings": {
                    hook: {"calls": int(calls), "ms": round(seconds * 1000, 2)}
                    for (owner, hook), (calls, seconds) in sorted(rt.hooks.timings.items())
                    if owner == info.name
                },
            }
        )
    started = rt.report.entrypoints
    failed = [
        {
            "name": f.name,
            "dist": f.dist,
            "version": started[f.name].version if f.name in started else None,
            "stage": f.stage,
            "error": f.error,
        }
        for f in rt.report.failed
    ]
    # the environment now against the one the runtime was built from: pip installs since need a restart
    pending = [change.to_json() for change in pending_changes(rt.report)]
    return {
        "plugins": loaded,
        "failed": failed,
        "faults": faults,
        "restartNeeded": bool(pending),
        "pending": pending,
    }


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins(as_json: bool) -> None:
    """List plugins, their hooks, queues and routes."""
    from obscura_core.runtime import build_runtime

    app = create_app(runtime=build_runtime("web"))
    data = describe_plugins(app)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for p in data["plugins"]:
        origin = f"{p['dist']} {p['version']}" if p["dist"] else p["module"]
        click.secho(f"{p['name']}  ({p['kind']}: {origin})", bold=True)
        click.echo(f"  hooks:  {', '.join(p['hooks']) or '-'}")
        if p["queues"]:
            click.echo(f"  queues: {', '.join(p['queues'])}")
        for route in p["routes"]:
            click.echo(f"  route:  {route}")
        if p["nav"]:
            click.echo(f"  nav:    {', '.join(p['nav'])}")
    for f in data["failed"]:
        click.secho(f"FAILED {f['name']} ({f['dist']}): {f['stage']}: {f['error']}", fg="red", err=True)
    for f in data["faults"][:20]:
        click.secho(f"fault  {f['plugin']} in {f['hook']}: {f['error']}", fg="yellow", err=True)
