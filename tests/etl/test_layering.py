"""The library knows nothing of Prefect, and the Prefect wiring has one name.

Installed, the wiring is ``etl.flows`` (the repository's ``flows/``, linked as ``src/etl/flows``): inside the
``etl`` namespace, but not part of the library. No other module of ``etl`` may import it or Prefect, directly
(read from the source) or through what it imports (checked in a fresh interpreter).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import etl
from etl.settings import PROJECT_ROOT

PACKAGE = Path(etl.__file__).parent


def library_modules() -> dict[str, Path]:
    """Every module of etl except etl.flows, by dotted name."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] == "flows":
            continue
        name = ".".join(("etl", *parts))
        modules[name.removesuffix(".__init__")] = path
    return modules


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_orchestration(name: str) -> bool:
    return name.split(".")[0] in {"prefect", "prefect_dask", "flows"} or name == "etl.flows" or (
        name.startswith("etl.flows.")
    )


def test_the_library_is_found_and_the_wiring_is_not_part_of_it() -> None:
    modules = library_modules()
    assert {"etl.pipeline.run", "etl.load.rebuild", "etl.extract.pdf"} <= set(modules)
    assert not [name for name in modules if name.startswith("etl.flows")]
    assert (PACKAGE / "flows" / "ingest.py").is_file()  # the link the wheel ships as etl/flows


def test_no_library_module_imports_prefect_or_the_flows() -> None:
    offenders = {
        name: sorted(n for n in imported_names(path) if is_orchestration(n)) for name, path in library_modules().items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_importing_the_whole_library_loads_no_prefect() -> None:
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'prefect', 'prefect_dask'} or "
        "m.startswith('etl.flows')))\n"
    )
    names = [name for name in library_modules() if not name.endswith("__main__")]
    result = subprocess.run(
        [sys.executable, "-c", code, *names], capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_wiring_cannot_be_imported_under_a_second_name() -> None:
    """From the checkout's root `flows` is a folder on the path: importing it so is refused, not a second copy."""
    result = subprocess.run(
        [sys.executable, "-c", "import flows.ingest"], capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT
    )
    assert result.returncode != 0
    assert "ImportError: the Prefect wiring is the package etl.flows: import etl.flows, not flows" in result.stderr


# The layers of the library, lowest first: a module may name (import, or mention in a string or comment, as an
# importlib call or a "module:function" reference would) only its own layer and those below. extract reads bytes
# into raw cells; parse interprets them; the pipeline composes every layer.
EXTRACT = "etl.extract"
ABOVE_EXTRACT = ("etl.parse", "etl.pipeline", "etl.load", "etl.validate", "etl.report", "etl.flows")


def layers_named_above_extract(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [above for above in ABOVE_EXTRACT if above in text]


def test_extract_never_names_parse_or_any_layer_above_it() -> None:
    named = {
        name: layers_named_above_extract(path) for name, path in library_modules().items() if name.startswith(EXTRACT)
    }
    assert len(named) > 10
    assert {name: found for name, found in named.items() if found} == {}


def test_the_layering_check_sees_a_reference_hidden_in_a_string(tmp_path: Path) -> None:
    """What the check above would have caught: the guarded child named its follow-up step in a string."""
    hidden = tmp_path / "guarded_child.py"
    hidden.write_text('FOLLOW_UP = "etl.parse.report:parse_report"\n', encoding="utf-8")
    assert layers_named_above_extract(hidden) == ["etl.parse"]


# Settings are read once, at the edge (the CLI, a flow's entry), and their values passed in: the library never
# fetches them itself, so what a function does is decided by its arguments alone.
SETTINGS_MODULE = "etl.settings"


def settings_fetches(path: Path) -> list[int]:
    """The lines of ``path`` that name get_settings in code (a call, a reference or an import)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if (
            (isinstance(node, ast.Name) and node.id == "get_settings")
            or (isinstance(node, ast.Attribute) and node.attr == "get_settings")
            or (isinstance(node, ast.ImportFrom) and any(alias.name == "get_settings" for alias in node.names))
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_library_never_fetches_the_settings() -> None:
    found = {name: settings_fetches(path) for name, path in library_modules().items() if name != SETTINGS_MODULE}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_settings_check_sees_a_fetch(tmp_path: Path) -> None:
    module = tmp_path / "deep.py"
    module.write_text("from etl import settings\n\ndef f():\n    return settings.get_settings().warehouse\n")
    assert settings_fetches(module) == [4]


# A run's context (etl.pipeline.context.RunContext: settings, options, the warehouse, the event sink) is made once,
# at the edge, by run_context: the library takes one and makes none, nor any Settings, nor a second warehouse handle
# from the settings.
CONTEXT_MODULE = "etl.pipeline.context"
MADE_AT_THE_EDGE = {"get_settings", "Settings", "RunContext", "run_context", "warehouse_backend"}
MAY_MAKE = {SETTINGS_MODULE: {"get_settings", "Settings"}, CONTEXT_MODULE: {"RunContext", "warehouse_backend"}}


def calls_of(path: Path, names: set[str]) -> list[tuple[str, int]]:
    """(name, line) of every call of one of ``names``, by name or as an attribute (``settings.Settings(…)``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in names:
                found.append((name, node.lineno))
    return sorted(found, key=lambda call: call[1])


def test_the_library_makes_no_settings_and_no_run_context() -> None:
    found = {
        name: [call for call in calls_of(path, MADE_AT_THE_EDGE) if call[0] not in MAY_MAKE.get(name, set())]
        for name, path in library_modules().items()
    }
    assert {name: calls for name, calls in found.items() if calls} == {}
    assert calls_of(PACKAGE / "pipeline" / "context.py", MADE_AT_THE_EDGE)  # the builder is seen making it


def test_the_construction_check_sees_settings_made_deep_down(tmp_path: Path) -> None:
    module = tmp_path / "deep.py"
    module.write_text("from etl import settings\n\ndef f():\n    return settings.Settings(warehouse='x').warehouse\n")
    assert calls_of(module, MADE_AT_THE_EDGE) == [("Settings", 4)]


# The library's runs as flows/ calls them, and where their context is: argument 1 of run_pipeline, 0 of inbox_poll.
RUNS = {"run_pipeline": 1, "inbox_poll": 0}


def runs_without_a_context_made_here(path: Path) -> tuple[int, list[int]]:
    """How many library runs ``path`` starts, and the lines of those whose context was not made by run_context in
    the same function (in the call, or bound to a name there)."""
    runs, missing = 0, []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(fn, ast.FunctionDef):
            continue
        made_here = {
            target.id
            for node in ast.walk(fn)
            if isinstance(node, ast.Assign) and calls_of_node(node.value) == "run_context"
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for call in ast.walk(fn):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id not in RUNS:
                continue
            if call.func.id == fn.name or len(call.args) <= RUNS[call.func.id]:
                continue  # a flow of the same name, or not the library's run
            runs += 1
            ctx = call.args[RUNS[call.func.id]]
            if not (calls_of_node(ctx) == "run_context" or (isinstance(ctx, ast.Name) and ctx.id in made_here)):
                missing.append(call.lineno)
    return runs, missing


def calls_of_node(node: ast.expr) -> str:
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else ""


def test_every_run_flows_starts_gets_a_context_made_at_its_entry() -> None:
    """The `etl` commands and the flows' entry each make the run's context once, where they start the run."""
    seen = {path.name: runs_without_a_context_made_here(path) for path in sorted((PROJECT_ROOT / "flows").glob("*.py"))}
    assert sum(runs for runs, _ in seen.values()) >= 6  # ingest, backfill, poll, rebuild; the two flows
    assert {name: missing for name, (_, missing) in seen.items() if missing} == {}


def test_the_context_check_sees_a_context_made_elsewhere(tmp_path: Path) -> None:
    module = tmp_path / "edge.py"
    module.write_text(
        "def here(files, settings):\n    ctx = run_context(settings)\n    return run_pipeline(files, ctx)\n\n"
        "def passed(files, ctx):\n    return run_pipeline(files, ctx)\n",
        encoding="utf-8",
    )
    assert runs_without_a_context_made_here(module) == (2, [6])


# No import cycle between the library's modules, counting every import: at the top, inside a function (an import
# put off to dodge a cycle is still one: load.publish and load.rebuild imported each other so) and under
# TYPE_CHECKING. A cycle means two modules are one concern, or a shared piece belongs in a third.
def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The library modules ``path`` imports: ``from a.b import c`` names a.b.c when that is a module, else a.b."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif node.module in modules:
                    found.add(node.module)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(cycles)


def test_no_import_cycle_in_the_library() -> None:
    modules = library_modules()
    graph = {name: imported_modules(path, set(modules)) - {name} for name, path in modules.items()}
    assert sum(len(names) for names in graph.values()) > 100  # the graph is read, not empty
    assert import_cycles(graph) == []


def test_the_cycle_check_sees_an_import_put_off_into_a_function(tmp_path: Path) -> None:
    """What the check above would have caught: publish imported rebuild inside a function, rebuild imported
    publish at the top."""
    publish, rebuild, files = tmp_path / "publish.py", tmp_path / "rebuild.py", tmp_path / "files.py"
    publish.write_text("def staged():\n    from etl.load.rebuild import refuse\n", encoding="utf-8")
    rebuild.write_text("from etl.load.publish import wal_path\n", encoding="utf-8")
    files.write_text("import os\n", encoding="utf-8")
    names = {"etl.load.publish": publish, "etl.load.rebuild": rebuild, "etl.load.files": files}
    graph = {name: imported_modules(path, set(names)) for name, path in names.items()}
    assert import_cycles(graph) == [["etl.load.publish", "etl.load.rebuild"]]
    rebuild.write_text("from etl.load.files import wal_path\n", encoding="utf-8")
    graph = {name: imported_modules(path, set(names)) for name, path in names.items()}
    assert import_cycles(graph) == []


# The rooms of the library (docs/architecture.md), lowest first: a module imports only its own room and the rooms of a
# lower rank, so no room reaches up and two rooms of one rank know nothing of each other. The modules at the top of
# etl (settings, models, errors, vocabulary …) are below every room, but etl.inbox, which knows the input formats.
ROOM_RANKS = {
    "base": 0,
    "extract": 1,
    "normalize": 1,
    "metrics": 1,
    "parse": 2,
    "inbox": 2,
    "validate": 3,
    "load": 4,
    "report": 5,
    "export": 5,
    "docs": 5,
    "bulletin": 6,
    "pipeline": 7,
}


def room_of(module: str) -> str:
    """``etl.load.rebuild`` → load; ``etl.inbox`` → inbox; any other module at the top of etl → base."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base"  # etl itself
    if len(parts) > 2 or (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return parts[1] if parts[1] in ROOM_RANKS else "base"


def imports_against_the_rooms(graph: dict[str, set[str]]) -> list[str]:
    """``a -> b`` for every import of a room of the same or a higher rank than the importer's own."""
    return sorted(
        f"{module} -> {other}"
        for module, others in graph.items()
        for other in others
        if room_of(module) != room_of(other) and ROOM_RANKS[room_of(other)] >= ROOM_RANKS[room_of(module)]
    )


def test_every_room_imports_only_the_rooms_below_it() -> None:
    modules = library_modules()
    assert {room_of(name) for name in modules} == set(ROOM_RANKS)  # a new room is given its rank here
    graph = {name: imported_modules(path, set(modules)) - {name} for name, path in modules.items()}
    assert imports_against_the_rooms(graph) == []


def test_the_room_check_sees_an_import_up_and_one_sideways() -> None:
    graph = {
        "etl.parse.report": {"etl.normalize.text", "etl.load.warehouse"},
        "etl.extract.pdf": {"etl.metrics.grammar", "etl.models"},
        "etl.load.warehouse": {"etl.parse.report", "etl.inbox"},
    }
    assert imports_against_the_rooms(graph) == [
        "etl.extract.pdf -> etl.metrics.grammar",
        "etl.parse.report -> etl.load.warehouse",
    ]
