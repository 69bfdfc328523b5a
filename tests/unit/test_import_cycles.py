"""No module imports itself back, through any chain, type-only imports included.

import-linter's layers contracts ([tool.importlinter] in pyproject.toml) find cycles
between brief, storage and bot, and between bot's own layers (config, core, the Telegram
adapter and the web pages, the composition root, the command line); this finds those among
the modules of one layer, which a layers contract cannot see. A cycle hidden behind
`if TYPE_CHECKING:` is still a cycle: the modules in it cannot be read, tested or reused
one without the others.
"""

from __future__ import annotations

import grimp

PACKAGES = ("bot", "brief", "storage")


def cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each import that is part of a cycle, as the shortest cycle through it: the importer,
    what it imports, and the chain back to the importer."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                found.append((importer, *back))
    return found


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_a_cycle_through_three_modules_is_found_and_named() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph) == [("a", "b", "c", "a"), ("b", "c", "a", "b"), ("c", "a", "b", "c")]
