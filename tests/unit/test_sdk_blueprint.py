"""plugin_sdk.blueprint finds a plugin's folders by convention; plugin_sdk.mediahooks are the media
plugins' shared hook bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template

from plugin_sdk import JobRun, Stylesheet
from plugin_sdk.blueprint import plugin_blueprint, plugin_dir, plugin_static, plugin_stylesheets
from plugin_sdk.mediahooks import enqueue_follow_ups, finished_result, library_root_deleted, run_subject


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """obscura_clips/ with pages/ as a subpackage, templates/clips/ and static/clips/."""
    root = tmp_path / "obscura_clips"
    for folder in (root / "pages", root / "templates" / "clips", root / "static" / "clips"):
        folder.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "pages" / "__init__.py").write_text("")
    (root / "templates" / "clips" / "page.html").write_text("clips page")
    for css in ("b.css", "a.css", "notes.txt"):
        (root / "static" / "clips" / css).write_text("")
    return root


def test_the_plugin_folder_is_found_from_any_module_of_the_package(package: Path) -> None:
    assert plugin_dir(package / "pages" / "__init__.py") == package.resolve()
    assert plugin_dir(str(package / "plugin.py")) == package.resolve()
    assert plugin_static("clips", package / "pages" / "grid.py") == package.resolve() / "static" / "clips"
    lone = package / "pages" / "lone"
    lone.mkdir()
    assert plugin_dir(lone / "x.py") == lone.resolve()  # not a package: its own folder


def test_the_blueprint_serves_the_conventional_folders(package: Path) -> None:
    def add_page(bp: Any) -> None:
        bp.add_url_rule("/clips", "page", lambda: render_template("clips/page.html"))

    bp = plugin_blueprint("clips", str(package / "pages" / "__init__.py"), routes=[add_page])
    assert (bp.name, bp.import_name, bp.static_url_path) == ("clips_pages", "obscura_clips.pages", "/static/clips")
    assert Path(bp.static_folder or "") == package.resolve() / "static" / "clips"
    app = Flask(__name__)
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/clips").get_data(as_text=True) == "clips page"
    with client.get("/static/clips/a.css") as css:
        assert css.status_code == 200
    with app.test_request_context():
        from flask import url_for

        assert url_for("clips_pages.static", filename="a.css") == "/static/clips/a.css"


def test_keyword_arguments_override_the_conventions(package: Path) -> None:
    bp = plugin_blueprint(
        "clips", package / "plugin.py", blueprint_name="clips", static_folder="static", static_url_path="/clips/static"
    )
    assert (bp.name, bp.static_url_path) == ("clips", "/clips/static")
    assert Path(bp.static_folder or "") == package.resolve() / "static"


def test_stylesheets_are_the_css_files_in_name_order(package: Path) -> None:
    sheets = plugin_stylesheets("clips", package / "plugin.py", order=60)
    assert sheets == [Stylesheet(package.resolve() / "static" / "clips" / n, order=60) for n in ("a.css", "b.css")]
    assert plugin_stylesheets("nothing", package / "plugin.py") == []


def test_finished_result_and_run_subject() -> None:
    run = JobRun(id="r1", queue="clips-probe", payload={}, target_label="Probe · Big Buck Bunny")
    assert finished_result(run, {"clipId": "c1"}, "clips-probe") == {"clipId": "c1"}
    assert finished_result(run, {"clipId": "c1"}, "other") is None
    assert finished_result(run, ["not", "a", "mapping"], "clips-probe") is None
    assert run_subject(run, "c1") == "Big Buck Bunny"
    assert run_subject(JobRun(id="r2", queue="q", payload={}), "c1") == "c1"
    assert run_subject(JobRun(id="r3", queue="q", payload={}, target_label="Probe · "), "c1") == "c1"


def test_library_root_deleted_ignores_other_entities_and_no_follow_ups_enqueue_nothing() -> None:
    class Boom:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError("the session must not be used")

    library_root_deleted("video", "v1", Boom(), [("clip", object, None)])  # type: ignore[arg-type]
    assert enqueue_follow_ups(Boom(), {"clips-thumbnail": [], "clips-waveform": iter(())}) == 0  # type: ignore[arg-type]
