"""The lesson's data file: every step loads, its actions come from the vocabulary, and the numbers
its texts quote are the core's."""
import json

import numpy as np
import pytest

from lecture_example import EMBOSS_PATCH, EMBOSS_SUM
from kernelplay.common.lesson import ACTIONS, LessonError, link_action, load_lesson, parse_lesson
from kernelplay.common.resources import sample_image, sample_images
from kernelplay.imaging.explain import explain_pixel
from kernelplay.imaging.images import load_image
from kernelplay.imaging.kernels import PRESETS


def test_the_bundled_lesson_has_the_eight_steps_of_the_arc():
    lesson = load_lesson()
    assert len(lesson.steps) == 8
    for step in lesson.steps:
        assert step.title and 2 <= step.text.count(". ") + step.text.count("? ") + 1 <= 5, step.title
        assert all(action.name in ACTIONS for action in step.actions)
        for action in step.actions_named("open_sample"):
            assert action["name"] in sample_images()
        for action in step.actions_named("set_preset"):
            assert action["name"] in PRESETS


def test_step_two_pins_the_lecture_patch_of_the_photo_and_its_sum_is_minus_106():
    step = load_lesson().steps[1]
    image = load_image(sample_image(step.actions_named("open_sample")[0]["name"]))
    pin = step.actions_named("pin_pixel")[0]
    row, col = pin["row"], pin["col"]
    np.testing.assert_array_equal(image[row - 1:row + 2, col - 1:col + 2], EMBOSS_PATCH)
    kernel = PRESETS[step.actions_named("set_preset")[0]["name"]]
    assert explain_pixel(image, kernel, row, col).raw == EMBOSS_SUM == -106
    assert "−106" in step.text


def test_step_four_sets_the_lectures_custom_kernel():
    rows = load_lesson().steps[3].actions_named("set_kernel")[0]["rows"]
    assert rows == [[1, 2, 1], [0.7, -1.2, 0.7], [-1, -2, -1.9]]


def test_links_name_one_argument_actions():
    assert link_action("set_preset:outline").args == {"name": "outline"}
    assert link_action("press_train").args == {}
    with pytest.raises(LessonError):
        link_action("set_preset")
    with pytest.raises(LessonError):
        link_action("format_disk:c")


@pytest.mark.parametrize(("step", "complaint"), [
    ({"title": "t", "text": "x", "actions": [{"do": "dance"}]}, "unknown action 'dance'"),
    ({"title": "t", "text": "x", "actions": [{"do": "pin_pixel", "row": 1}]}, "missing col"),
    ({"title": "t", "text": "x", "actions": [{"do": "switch_tab", "tab": "settings"}]}, "playground, training"),
    ({"title": "t", "text": "<a href=\"set_preset\">x</a>"}, "step 1: the link"),
    ({"title": "t"}, "needs a \"title\" and a \"text\""),
])
def test_a_broken_lesson_file_says_which_step_and_what(step, complaint):
    with pytest.raises(LessonError, match=complaint.replace("(", r"\(")):
        parse_lesson({"steps": [step]})


def test_a_lesson_file_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_text("{steps: oops", encoding="utf-8")
    with pytest.raises(LessonError, match="lesson.json"):
        load_lesson(path)
    path.write_text(json.dumps({"steps": [{"title": "Only", "text": "One step."}]}), encoding="utf-8")
    assert load_lesson(path).steps[0].title == "Only"
