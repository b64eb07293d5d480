"""The diverging maps: symmetric about zero, white at zero on a light page, a neutral grey on a dark one."""
import numpy as np

from kernelplay.common.colormaps import diverging_lookup_table, diverging_rgb, text_colour_on


def test_zero_is_white_in_light_mode_and_a_neutral_dark_grey_in_dark_mode():
    assert tuple(diverging_rgb(np.array(0.0), 1.0)) == (247, 247, 247)
    r, g, b = (int(v) for v in diverging_rgb(np.array(0.0), 1.0, dark=True))
    assert r == g == b and 40 <= r <= 80  # neutral (no hue), dark


def test_both_maps_run_from_blue_to_red_and_their_ends_read_against_the_page():
    for dark in (False, True):
        table = diverging_lookup_table(256, dark=dark).astype(int)
        assert table[0, 2] > table[0, 0] and table[-1, 0] > table[-1, 2]  # blue end, red end
        ends = table[[0, -1]].mean(axis=1)
        middle = table[127:129].mean()
        if dark:
            assert (ends > middle + 60).all()  # strong weights are brighter than zero on a dark page
        else:
            assert (ends < middle - 100).all()  # and darker than zero on a light one


def test_numbers_on_every_colour_of_either_map_have_a_readable_ink():
    for dark in (False, True):
        for rgb in diverging_lookup_table(64, dark=dark):
            ink = np.array(text_colour_on(tuple(int(v) for v in rgb)))
            luminance = lambda c: 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]  # noqa: E731
            assert abs(luminance(ink) - luminance(rgb.astype(float))) >= 90
