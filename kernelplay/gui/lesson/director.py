"""The lesson's director: shows a step in the panel and sets the app up as the step describes, by
running its actions (``kernelplay.common.lesson.ACTIONS``) on the main window's tabs — the same
buttons and boxes a person would use, so what the lesson shows is what the app does."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from kernelplay.common.lesson import Action, Lesson, LessonError, link_action, load_lesson
from kernelplay.common.resources import sample_image
from kernelplay.gui.lesson.panel import LessonPanel
from kernelplay.imaging.images import load_image

__all__ = ["LessonDirector", "PIN_ZOOM"]

PIN_ZOOM = 8.0  # screen pixels per image pixel around a pinned pixel: its 3×3 window is plain to see


class LessonDirector(QObject):
    """Walks ``window`` (a :class:`~kernelplay.gui.main_window.MainWindow`) through ``lesson``
    (the bundled one by default). ``step_shown(index)`` follows each step's set-up."""

    step_shown = Signal(int)

    def __init__(self, window, lesson: Lesson | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.lesson = lesson or load_lesson()
        self.index = -1
        self.panel = LessonPanel(window)
        self.panel.back_clicked.connect(self.back)
        self.panel.next_clicked.connect(self.next)
        self.panel.link_clicked.connect(self._on_link_clicked)

    def start(self, index: int = 0) -> None:
        self.go_to(index)

    def is_open(self) -> bool:
        return self.panel.isVisible()

    @Slot()
    def back(self) -> None:
        if self.index > 0:
            self.go_to(self.index - 1)

    @Slot()
    def next(self) -> None:
        if self.index < len(self.lesson.steps) - 1:
            self.go_to(self.index + 1)
        else:
            self.panel.hide()
            self._window.show_message("That was the lesson. Help ▸ Lesson takes you through it again.")

    def go_to(self, index: int) -> None:
        """Show step ``index`` (from 0) and set the app up for it."""
        self.index = index
        step = self.lesson.steps[index]
        self.panel.show_step(step, index, len(self.lesson.steps))
        for action in step.actions:
            self.run(action)
        self.panel.place()  # digits shown by the step make the card taller
        self.step_shown.emit(index)

    def run(self, action: Action) -> None:
        """Do ``action`` to the app; a step that cannot be done here (no training tab) is said."""
        try:
            getattr(self, f"_do_{action.name}")(**action.args)
        except (LookupError, ValueError, OSError) as error:
            self._window.show_message(f"The lesson could not {action.name.replace('_', ' ')} here: {error}.")

    @Slot(str)
    def _on_link_clicked(self, href: str) -> None:
        try:
            self.run(link_action(href))
        except LessonError as error:
            self._window.show_message(str(error))

    # -- the actions -----------------------------------------------------------------------
    def _training(self):
        tab = self._window.training
        if tab is None:
            raise LookupError("this window has no CNN training tab")
        return tab

    def _do_switch_tab(self, tab: str) -> None:
        page = self._window.playground if tab == "playground" else self._training()
        self._window.tabs.setCurrentWidget(page)

    def _do_open_sample(self, name: str) -> None:
        playground = self._window.playground
        if playground.image_name() != name:
            playground.set_image(load_image(sample_image(name)), name)

    def _do_set_preset(self, name: str) -> None:
        self._window.playground.kernel_editor.set_preset(name)

    def _do_set_kernel(self, rows) -> None:
        self._window.playground.kernel_editor.set_kernel(np.array(rows, dtype=np.float64), as_typed=True)

    def _do_pin_pixel(self, row: int, col: int) -> None:
        self._window.playground.pin_pixel(int(row), int(col), zoom=PIN_ZOOM)

    def _do_show_digits(self, classes, per_class: int) -> None:
        tab = self._window.training
        if tab is not None:
            heldout = tab.data.heldout
        else:
            from kernelplay.nn.datasets import load_digits

            heldout = load_digits().heldout
        self.panel.digits.show_digits(heldout, [int(c) for c in classes], int(per_class))
        self.panel.digits.show()

    def _do_set_probe(self, digit: int) -> None:
        strip = self._training().probe_strip
        labels = strip_labels(self._training())
        position = labels.index(int(digit))  # the strip holds a digit of each class
        strip.buttons[position].click()

    def _do_press_train(self) -> None:
        # Play, not a click on Train/Pause: after a Reset just posted, "running" may still say the
        # old network runs (the worker pauses it first); Play after Reset runs the new one.
        self._training().session.play()

    def _do_pause_train(self) -> None:
        tab = self._training()
        if tab.session.running:
            tab.training_controls.play_button.click()

    def _do_set_architecture(self, channels) -> None:
        editor = self._training().architecture_editor
        editor.stages_box.setValue(len(channels))
        for box, count in zip(editor.channel_boxes, channels):
            box.setValue(int(count))

    def _do_press_reset(self) -> None:
        self._training().training_controls.reset_button.click()


def strip_labels(tab) -> list[int]:
    """The class of each digit in ``tab``'s probe strip, in the strip's order."""
    return [int(tab.data.heldout.labels[index]) for index in tab.probe_strip.indices]
