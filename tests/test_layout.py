"""The project's shape (DESIGN.md §1): no top-level package may shadow a standard-library
module, `platform/` stays a plain folder, and the dependency direction holds."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def _top_level_modules() -> set[str]:
    names = set()
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in {"node_modules", "var"}:
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            names.add(entry.name)
        elif entry.suffix == ".py":
            names.add(entry.stem)
    return names


def test_no_top_level_module_shadows_the_standard_library():
    shadowing = _top_level_modules() & set(sys.stdlib_module_names)
    assert not shadowing, f"top-level modules shadow the standard library: {shadowing}"


def test_the_check_would_catch_a_shadowing_package(tmp_path, monkeypatch):
    (tmp_path / "platform").mkdir()
    (tmp_path / "platform" / "__init__.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _top_level_modules() & set(sys.stdlib_module_names) == {"platform"}


def test_platform_folder_holds_no_python():
    platform_dir = ROOT / "platform"
    assert platform_dir.is_dir(), "platform/ holds the runtime platform (image, compose, k8s)"
    python_files = [p.relative_to(ROOT) for p in platform_dir.rglob("*.py")]
    assert not python_files, f"platform/ must not become a Python package: {python_files}"


def test_stdlib_platform_module_is_the_real_one():
    import platform

    assert Path(platform.__file__).parent != ROOT / "platform"
    assert platform.python_implementation()


def test_every_test_folder_is_a_package():
    missing = [
        str(folder.relative_to(ROOT))
        for folder in (ROOT / "tests").rglob("*")
        if folder.is_dir()
        and folder.name != "__pycache__"
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert not missing, f"test folders without __init__.py: {missing}"


def test_ruff_refuses_stdlib_shadowing_modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    lint = config["tool"]["ruff"]["lint"]
    assert "A" in lint["select"]
    assert "A005" not in lint.get("ignore", [])


@pytest.mark.parametrize(
    ("module", "label"),
    [
        ("marketplace.clients", "clients"),
        ("marketplace.practitioners", "practitioners"),
        ("marketing_site.pages", "pages"),
    ],
)
def test_sub_apps_have_short_labels(module, label):
    assert apps.get_app_config(label).name == module


def test_import_contracts_hold():
    """accounts <- marketplace <- commerce <- cms, marketing_site; integrations import no
    domain app; domain code never imports an api module (pyproject.toml)."""
    result = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


DOMAIN_PACKAGES = ("accounts", "marketplace", "commerce", "cms", "marketing_site")


def _is_api_module(name: str) -> bool:
    return ".api." in f"{name}." or name.endswith(".api")


def test_domain_code_never_imports_an_api_module():
    import grimp

    graph = grimp.build_graph(*DOMAIN_PACKAGES, "integrations", "config")
    offenders = [
        f"{module} imports {imported}"
        for module in graph.modules
        if module.startswith(DOMAIN_PACKAGES) and not _is_api_module(module)
        for imported in graph.find_modules_directly_imported_by(module)
        if _is_api_module(imported)
    ]
    assert not offenders, offenders
