"""A plugin's page blueprint and stylesheets, wired by the folder convention of every plugin.

A plugin package keeps its Jinja templates in ``templates/<name>/`` and its browser files (ES
modules, CSS, images) in ``static/<name>/``, beside its modules::

    obscura_clips/
        plugin.py            # the hook implementations
        pages.py             # plugin_blueprint("clips", __file__)
        templates/clips/     # render_template("clips/page.html")
        static/clips/        # served under /static/clips/…; its *.css merged into the app stylesheet

Then a page module needs no paths::

    def make_blueprint() -> Blueprint:
        bp = plugin_blueprint("clips", __file__)

        @bp.get("/clips")
        def clips_page():
            return render_template("clips/page.html")

        return bp


    @hookimpl
    def obscura_stylesheets():
        return plugin_stylesheets("clips", __file__, order=60)

A template names its module with ``url_for("clips_pages.static", filename="page.js")``, or the
fixed path ``/static/clips/page.js``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Blueprint

from plugin_sdk.types import Stylesheet

__all__ = ["plugin_blueprint", "plugin_dir", "plugin_static", "plugin_stylesheets"]


def _package_dirs(module_file: str | Path) -> list[Path]:
    """The folder of ``module_file``, then each parent folder that is still a package."""
    here = Path(module_file).resolve().parent
    dirs = [here]
    while (dirs[-1] / "__init__.py").is_file() and (dirs[-1].parent / "__init__.py").is_file():
        dirs.append(dirs[-1].parent)
    return dirs


def plugin_dir(module_file: str | Path) -> Path:
    """The plugin package folder of a module (pass its ``__file__``): the nearest folder holding
    ``templates/`` or ``static/``, from the module's own up through its parent packages.

    ``plugins_builtin/audio/pages/__init__.py`` → ``plugins_builtin/audio``; a module with no such
    folder above it gets its own folder.
    """
    dirs = _package_dirs(module_file)
    for folder in dirs:
        if (folder / "templates").is_dir() or (folder / "static").is_dir():
            return folder
    return dirs[0]


def plugin_static(name: str, module_file: str | Path) -> Path:
    """The plugin's static folder, ``static/<name>/`` of its package (:func:`plugin_dir`)."""
    return plugin_dir(module_file) / "static" / name


def _import_name(module_file: str | Path) -> str:
    """The dotted module name of ``module_file`` (the package for an ``__init__.py``)."""
    path = Path(module_file).resolve()
    parts = [] if path.stem == "__init__" else [path.stem]
    parts[:0] = [folder.name for folder in reversed(_package_dirs(path))]
    return ".".join(parts)


def plugin_blueprint(
    name: str,
    module_file: str | Path,
    *,
    blueprint_name: str | None = None,
    routes: Iterable[Callable[[Blueprint], None]] = (),
    **kwargs: Any,
) -> Blueprint:
    """A new Flask blueprint for the pages of plugin ``name``, its folders wired by convention.

    Templates come from ``templates/`` of the plugin package (:func:`plugin_dir` of ``module_file``,
    the calling module's ``__file__``), so ``render_template("<name>/page.html")`` finds
    ``templates/<name>/page.html``; static files from ``static/<name>/``, served under
    ``/static/<name>/`` (the blueprint's ``static`` endpoint).

    :param name: the plugin's name: the folder under ``static/`` and the static URL path.
    :param module_file: ``__file__`` of the module building the blueprint.
    :param blueprint_name: the blueprint's name, which prefixes its endpoints
        (``url_for("<blueprint_name>.static", filename=…)``); ``<name>_pages`` by default.
    :param routes: functions ``f(bp)`` that add routes to the new blueprint, called in order (a
        plugin with a module per page passes each module's ``register``).
    :param kwargs: passed on to :class:`flask.Blueprint`, over the conventions: ``url_prefix``,
        or another ``template_folder``, ``static_folder``, ``static_url_path`` (relative folders
        are taken from the plugin package), ``import_name``.
    """
    root = plugin_dir(module_file)
    options: dict[str, Any] = {
        "import_name": _import_name(module_file),
        "root_path": str(root),
        "template_folder": "templates",
        "static_folder": f"static/{name}",
        "static_url_path": f"/static/{name}",
        **kwargs,
    }
    bp = Blueprint(blueprint_name or f"{name}_pages", **options)
    for add_routes in routes:
        add_routes(bp)
    return bp


def plugin_stylesheets(name: str, module_file: str | Path, *, order: int = 100) -> list[Stylesheet]:
    """``Stylesheet`` records of every ``*.css`` in ``static/<name>/`` of the plugin package
    (:func:`plugin_static`), in file-name order, each at ``order``: the whole body of a plugin's
    ``obscura_stylesheets``."""
    return [Stylesheet(path, order=order) for path in sorted(plugin_static(name, module_file).glob("*.css"))]
