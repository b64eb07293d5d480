"""The guided lesson as data (no Qt): its steps, their texts and what each step sets up.

The texts live in ``assets/data/lesson.json`` so they can be edited or translated without touching
code. Each step names the actions that put the app into the state its text describes, from a small
vocabulary (:data:`ACTIONS`); the GUI's lesson panel interprets them. A link in a step's text,
``<a href="set_preset:outline">outline</a>``, runs the one-argument action it names.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from kernelplay.common.files import parse_json, read_user_file
from kernelplay.common.resources import data_file

__all__ = ["ACTIONS", "CORNERS", "LESSON_FILE", "Action", "Lesson", "LessonError", "LessonStep", "link_action",
           "load_lesson", "parse_lesson"]

LESSON_FILE = "lesson.json"
LESSON_VERSION = 1
MAX_LESSON_BYTES = 200_000
# action name → the arguments it needs, in order (a link's one argument fills the first)
ACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "switch_tab": ("tab",),  # "playground" or "training"
    "open_sample": ("name",),  # a bundled sample image, by name
    "set_preset": ("name",),  # a preset kernel, by name
    "set_kernel": ("rows",),  # a custom kernel: rows of numbers
    "pin_pixel": ("row", "col"),  # pin an input pixel: the step panel explains it
    "show_digits": ("classes", "per_class"),  # held-out digits of these classes, in the panel
    "set_probe": ("digit",),  # the first held-out digit of this class becomes the probe
    "press_train": (),  # start training (nothing when it runs)
    "pause_train": (),  # pause training (nothing when it does not run)
    "set_architecture": ("channels",),  # one conv stage per number of channels
    "press_reset": (),  # a fresh network with the architecture's boxes
})
TABS = ("playground", "training")
CORNERS = ("bottom-left", "bottom-right", "top-right")  # where the panel floats during a step


class LessonError(ValueError):
    """The lesson file is not usable: the sentence says which step and what is wrong."""


@dataclass(frozen=True)
class Action:
    """One thing a step does to the app: ``name`` from :data:`ACTIONS`, with its ``args``."""

    name: str
    args: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.args[key]


@dataclass(frozen=True)
class LessonStep:
    """A step: its ``title``, its ``text`` (2–3 sentences; simple HTML: <b>, <i>, <a href=action>),
    the ``actions`` that set the app up, and the ``corner`` the panel floats in meanwhile."""

    title: str
    text: str
    actions: tuple[Action, ...]
    corner: str = "bottom-left"

    def actions_named(self, name: str) -> list[Action]:
        return [action for action in self.actions if action.name == name]


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[LessonStep, ...]


def _action(raw: Any, where: str) -> Action:
    if not isinstance(raw, dict) or not isinstance(raw.get("do"), str):
        raise LessonError(f"{where}: an action must be an object with \"do\": the action's name")
    name = raw["do"]
    if name not in ACTIONS:
        raise LessonError(f"{where}: unknown action {name!r}; known: {', '.join(ACTIONS)}")
    args = {key: value for key, value in raw.items() if key != "do"}
    missing = [key for key in ACTIONS[name] if key not in args]
    unknown = [key for key in args if key not in ACTIONS[name]]
    if missing or unknown:
        raise LessonError(f"{where}: {name} takes {', '.join(ACTIONS[name]) or 'nothing'}"
                          f"{'; missing ' + ', '.join(missing) if missing else ''}"
                          f"{'; unknown ' + ', '.join(unknown) if unknown else ''}")
    if name == "switch_tab" and args["tab"] not in TABS:
        raise LessonError(f"{where}: switch_tab's tab is one of {', '.join(TABS)}, not {args['tab']!r}")
    return Action(name, MappingProxyType(args))


def link_action(href: str) -> Action:
    """The action a link in a step's text names: ``"set_preset:outline"``, ``"press_train"``."""
    name, _, value = href.partition(":")
    if name not in ACTIONS or len(ACTIONS[name]) != (1 if value else 0):
        raise LessonError(f"the link {href!r} names no one-argument action (e.g. set_preset:outline)")
    return Action(name, MappingProxyType({ACTIONS[name][0]: value} if value else {}))


def _links(text: str) -> list[str]:
    return [part.split('"', 1)[0] for part in text.split('href="')[1:]]


def parse_lesson(content: Any) -> Lesson:
    """A :class:`Lesson` from the decoded JSON of a lesson file (``LessonError`` says what is wrong)."""
    if not isinstance(content, dict) or not isinstance(content.get("steps"), list) or not content["steps"]:
        raise LessonError("a lesson file is an object with a non-empty list of \"steps\"")
    if content.get("version", LESSON_VERSION) != LESSON_VERSION:
        raise LessonError(f"this kernelplay reads version {LESSON_VERSION} lesson files, not {content['version']!r}")
    steps = []
    for number, raw in enumerate(content["steps"], start=1):
        where = f"step {number}"
        if not isinstance(raw, dict) or not all(isinstance(raw.get(key), str) for key in ("title", "text")):
            raise LessonError(f"{where}: a step needs a \"title\" and a \"text\"")
        corner = raw.get("corner", CORNERS[0])
        if corner not in CORNERS:
            raise LessonError(f"{where}: corner is one of {', '.join(CORNERS)}, not {corner!r}")
        for href in _links(raw["text"]):
            try:
                link_action(href)
            except LessonError as error:
                raise LessonError(f"{where}: {error}") from None
        actions = tuple(_action(action, where) for action in raw.get("actions", []))
        steps.append(LessonStep(raw["title"], raw["text"], actions, corner))
    return Lesson(str(content.get("title", "Lesson")), tuple(steps))


def load_lesson(path: str | Path | None = None) -> Lesson:
    """The bundled lesson (or the one in ``path``)."""
    path = Path(path) if path is not None else data_file(LESSON_FILE)
    data = read_user_file(path, "lesson file", LessonError, MAX_LESSON_BYTES)
    try:
        content = parse_json(data)
    except ValueError as error:
        raise LessonError(f"{path.name} is not a lesson file: {error}") from None
    return parse_lesson(content)
