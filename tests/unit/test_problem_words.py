"""The parser's problems in the admin's language (issue 20: no admin reply outside a
catalogue): each message marked in brief/, worded through the catalogues, its numbers and
language names in the admin's language, English unchanged."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from bot.core.languages import SHIPPED_LANGUAGES, speaking
from bot.core.publishing.drafts import refusal
from bot.core.publishing.problems import worded
from bot.core.rendering import Renderer
from brief import BriefError, Problem, parse_json, parse_text
from brief._messages import problem
from brief._rules import CITES_PAST_THE_LAST, TOO_MANY_LINES
from brief.isolated import Upload, UploadParser
from brief.model import Param
from storage.codec import problems_from_json, problems_to_json

BRIEF = Path(__file__).parents[2] / "brief"
COUNTS = (0, 1, 2, 3, 5, 11, 21, 22, 101)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
MIXED = "Title\nSummary.\nHechos\n- A fact.1\nSources: 1Alpha and 2Beta.\nNarrativas\n- x\n"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def marked() -> list[tuple[str, str | None]]:
    """Every message brief/ marks, as the catalogue extraction reads them."""
    found = extract_from_dir(
        str(BRIEF), method_map=[("**.py", "python")], keywords={"N_": None, "Nn_": (1, 2)}
    )
    return [
        (message, None) if isinstance(message, str) else (message[0], message[1])
        for _, _, message, _, _ in found
    ]


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _owner(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def _built(message: ast.expr) -> bool:
    """A message made on the spot (a literal, an f-string, a concatenation, a call) rather
    than a marked constant or a parameter holding one."""
    if isinstance(message, ast.Call):
        return _name(message) not in ("N_", "Nn_")
    return isinstance(message, (ast.Constant, ast.JoinedStr, ast.BinOp))


def test_every_problem_says_a_marked_message_never_a_built_string() -> None:
    built = []
    for path in sorted(BRIEF.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree):
            name = _name(call)
            if name in ("N_", "Nn_"):
                # Extraction reads literals only: an f-string would never reach a catalogue.
                if not all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args
                ):
                    built.append(f"{path.name}:{call.lineno}")
            elif name in ("problem", "Problem") and call.args:
                if _built(call.args[0]):
                    built.append(f"{path.name}:{call.lineno}")
            elif name == "error" and _owner(call) in ("report", "reader", "self"):
                # reader.error(path, message) in the JSON form, report.error(message, line)
                message = call.args[1] if path.name == "_json.py" else call.args[0]
                if _built(message):
                    built.append(f"{path.name}:{call.lineno}")
    assert built == []


def test_problem_objects_are_made_only_from_marked_messages_or_the_wire() -> None:
    makers = {
        path.name
        for path in BRIEF.glob("*.py")
        for call in _calls(ast.parse(path.read_text(encoding="utf-8")))
        if _name(call) == "Problem"
    }
    assert makers == {"_messages.py", "isolated.py"}


def test_the_extraction_finds_the_parsers_messages() -> None:
    found = dict(marked())
    assert TOO_MANY_LINES.singular in found
    assert found[TOO_MANY_LINES.singular] == TOO_MANY_LINES.plural
    assert len(found) > 60


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_message_words_in_every_shipped_language(renderer: Renderer, language: str) -> None:
    """Each message, with each count a plural rule tells apart, words without falling back,
    keeping every value it is given but the count (a language may spell out "one")."""
    translations = renderer.catalogues.get(language)
    for msgid, plural in marked():
        names = set(_PLACEHOLDER.findall(msgid)) | set(_PLACEHOLDER.findall(plural or ""))
        for count in COUNTS if plural else (2,):
            values = {name: f"«{name}»" for name in names} | {"count": str(count)}
            text = (
                translations.ngettext(msgid, plural, count)
                if plural
                else translations.gettext(msgid)
            )
            shown = text % values  # raises when a translation names another placeholder
            assert all(values[name] in shown for name in names - {"count"}), (language, msgid)
            params: dict[str, Param] = {**values, "count": count}
            said = Problem(msgid, 4, tuple(params.items()), plural)
            with speaking(language):
                assert worded(renderer, said)


def test_english_reads_as_the_command_line_prints(renderer: Renderer) -> None:
    refused: list[Problem] = []
    for upload in (MIXED, "", "T\nS\nFacts\n- a.9\nSources: 1A.\nNarratives\n- x\n"):
        with pytest.raises(BriefError) as caught:
            parse_text(upload)
        refused += caught.value.problems
    with pytest.raises(BriefError) as caught:
        parse_json('{"title": "", "facts": [], "extra": 1}')
    refused += caught.value.problems
    assert [worded(renderer, p) for p in refused] == [str(p) for p in refused]
    assert str(refused[0]).startswith('line 5: "Sources" is English, but "Hechos" on line 3')


def test_numbers_and_language_names_are_the_admins(renderer: Renderer) -> None:
    with pytest.raises(BriefError) as caught:
        parse_text(MIXED)
    with speaking("uk"):
        assert "іспанська" in worded(renderer, caught.value.problems[0])
        assert "20\u00a0000" in worded(
            renderer, problem(TOO_MANY_LINES, None, count=20_001, limit=20_000)
        )
    with speaking("en"):
        assert "20,000" in worded(
            renderer, problem(TOO_MANY_LINES, None, count=20_001, limit=20_000)
        )


def test_a_refusal_is_in_the_admins_language(tmp_path: Path) -> None:
    """With a catalogue translating the problem and the line before it, an admin speaking
    Spanish reads both in Spanish."""
    spanish = Catalog(locale="es")
    spanish.add("line %(line)s: %(problem)s", "línea %(line)s: %(problem)s")
    spanish.add(
        CITES_PAST_THE_LAST,
        (
            "el hecho cita la fuente %(number)s, pero solo hay %(count)s fuente",
            "el hecho cita la fuente %(number)s, pero solo hay %(count)s de fuentes",
            "el hecho cita la fuente %(number)s, pero solo hay %(count)s fuentes",
        ),
    )
    folder = tmp_path / "locale" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as file:
        write_po(file, spanish)
    renderer = Renderer(overrides=tmp_path)
    text = "T\nS\nHechos\n- Uno.1\n- Dos.7\nFuentes: 1A y 2B.\nNarrativas\n- x\n- y\n"
    with pytest.raises(BriefError) as caught:
        parse_text(text)
    with speaking("es"):
        [reply] = refusal(renderer, caught.value.problems[:1]).texts
    assert "• línea 5: el hecho cita la fuente 7, pero solo hay 2 fuentes\n" in reply


def test_stored_warnings_keep_their_message_and_old_ones_their_words() -> None:
    result = parse_json(
        '{"title": "T", "summary": "S", "facts": [{"text": "F.", "sources": []}],'
        ' "sources": [{"number": 1, "name": "A", "url": null}], "narratives": ['
        '{"label": "A", "outlet": "B", "text": "C."}, {"label": "D", "outlet": "E", "text": "F."}]}'
    )
    [read] = problems_from_json(problems_to_json(result.warnings))
    [kept] = result.warnings
    assert (read.msgid, read.where, dict(read.params)) == (kept.msgid, "facts[0]", {})
    # A draft stored before problems were translated holds them worded, line and all.
    [old] = problems_from_json('["line 4: this fact cites no source"]')
    assert (str(old), old.line) == ("line 4: this fact cites no source", None)


async def test_a_child_process_hands_back_the_message_and_its_params() -> None:
    with pytest.raises(BriefError) as caught:
        await UploadParser().parse(Upload("T\nS\nFacts\n- a.9\nSources: 1A.\nNarratives\n- x\n"))
    cited = caught.value.problems[0]
    assert (cited.line, cited.plural is not None, dict(cited.params)) == (
        4,
        True,
        {"number": "9", "count": 1},
    )
