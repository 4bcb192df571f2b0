"""The one message catalogue (messages.MESSAGES): every id in every language, the same
placeholders in each translation, and the ids the code uses all present."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from cc312_schedule.core.messages import DROPPED_FIELDS, LANGUAGES, LEGACY_TEXTS, MESSAGES, Text, message
from chinese_text import english_words

SRC = Path(__file__).resolve().parent.parent / "src" / "cc312_schedule"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(MESSAGES), ids=str)
def test_every_id_has_every_language_with_the_same_placeholders(key: str) -> None:
    texts = MESSAGES[key]
    assert set(texts) == set(LANGUAGES), f"{key}: languages {sorted(texts)}"
    assert all(texts[lang].strip() or key.endswith("separator") for lang in LANGUAGES)
    en = placeholders(texts["en"])
    if "{" in key:
        # an error's template (messages.say_error): the English is the key's text; another
        # language may leave out a field (a technical detail) and may say the error's {value}
        assert texts["en"] == key.split(".", 1)[1], f"{key}: en {texts['en']!r}"
        for lang in LANGUAGES:
            assert placeholders(texts[lang]) <= en | {"value"}, f"{key} [{lang}]: {texts[lang]!r}"
        return
    for lang in LANGUAGES:
        dropped = DROPPED_FIELDS.get((key, lang), frozenset())
        assert placeholders(texts[lang]) == en - dropped | ({"value"} if key.startswith(
            ("err.", "hint.")) else set()) & placeholders(texts[lang]), \
            f"{key} [{lang}]: {texts[lang]!r} vs {texts['en']!r}"


def test_the_checks_fail_on_a_broken_entry() -> None:
    """The test above is not vacuous: a missing language or a renamed placeholder is caught."""
    assert placeholders("{a} {b}") != placeholders("{a} {c}")
    broken = {"en": "{target} closed", "zh-CN": "{day} 停诊"}
    assert placeholders(broken["en"]) != placeholders(broken["zh-CN"])


def test_chinese_texts_use_no_english_words() -> None:
    """A zh-CN text holds Chinese, placeholders, codes and identifiers (PK, CD19+, W{n}),
    never an English word (a forgotten translation)."""
    allowed = {"PK", "CD19", "Q2W", "Q4W", "QW", "BIW", "cc312", "schedule", "P", "N", "S", "W",
               "SLEDAI", "K", "MMT", "UTC", "B", "CD", "cc",
               # the desk: file formats and standards by their names, the other language's own
               # name on its switch, and the HTTP header an API client sends verbatim
               "PDF", "CSV", "JSON", "HTML", "MB", "xlsx", "ics", "zip", "XPT", "SDTM", "USDM",
               "Dataset", "English", "Authorization", "Bearer", "TOKEN", "API", "ASCII",
               # the CLI's (issue 22): option names, a standard's name, file names, a date form
               "strict", "assume", "YYYY", "MM", "DD", "study", "toml", "subjects", "csv",
               "fonts", "noto", "cjk", "sudo", "apt", "install", "o", "FILE", "html", "apply",
               # a conflict's way out (wave-cli3): an option, its placeholder, a command
               "amend", "REASON", "record",
               # how to stop the desk (serve): the keys and the signal, as named
               "Ctrl", "C", "SIGTERM"}
    bad = {}
    for key, texts in MESSAGES.items():
        if key.startswith(("err.", "hint.", "slot.", "publish.", "feed.")):  # the CLI's: options, files, codes
            words = set(english_words(re.sub(r"\{[^}]*\}", "", texts["zh-CN"])))
            if words:
                bad[key] = sorted(words)
            continue
        words = set(re.findall(r"[A-Za-z]+", re.sub(r"\{[^}]*\}", "", texts["zh-CN"])))
        if words - allowed:
            bad[key] = sorted(words - allowed)
    assert bad == {}


def test_every_id_the_code_uses_is_in_the_catalogue() -> None:
    """Ids written literally in the source (Text.of("…"), message(lang, "…"), t("…"))."""
    used: set[str] = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r'(?:Text\.of\(|message\((?:\w+|"[\w-]+"),\s*|\.t\()"([a-z][\w.\-]*)"',
                               path.read_text(encoding="utf-8")))
    assert used, "the pattern found nothing: the test would be vacuous"
    assert sorted(k for k in used if k not in MESSAGES) == []


def test_legacy_texts_are_old_labels_of_real_ids() -> None:
    for key, olds in LEGACY_TEXTS.items():
        assert key in MESSAGES
        assert not set(olds) & {message(lang, key) for lang in LANGUAGES}


def test_an_unknown_id_is_refused_when_made() -> None:
    with pytest.raises(KeyError, match="no message"):
        Text.of("w.no_such_warning")


def test_every_warning_class_has_a_name_in_every_language() -> None:
    # a warning class without a label would show its English class name in a Chinese workbook
    import importlib
    import pkgutil

    import cc312_schedule
    from cc312_schedule.core.messages import LANGUAGES, MESSAGES
    from cc312_schedule.core.warnings import ScheduleWarning

    for info in pkgutil.iter_modules(cc312_schedule.__path__):
        if info.name != "__main__":  # runs the command line
            importlib.import_module(f"cc312_schedule.{info.name}")

    def every(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *every(sub))]

    missing = [c.__name__ for c in every(ScheduleWarning)
               if set(MESSAGES.get(f"xlsx.warning.{c.__name__}", {})) != set(LANGUAGES)]
    assert missing == []
