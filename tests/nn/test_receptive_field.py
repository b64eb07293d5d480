"""Receptive fields from the config, against values worked out by hand."""
import numpy as np
import pytest

from kernelplay import Network, NetworkConfig
from kernelplay.nn.receptive_field import Box, Field, field_of, receptive_field

THREE = NetworkConfig(channels=(4, 6, 8), kernel_size=3, fc_width=16)


@pytest.mark.parametrize("config,sizes", [
    # default, 5×5: conv1 5; pool1 5 + 1 = 6 (stride 2); conv2 6 + 4·2 = 14; pool2 14 + 2 = 16 (stride 4)
    (NetworkConfig(), {"input": 1, "conv1": 5, "pool1": 6, "conv2": 14, "pool2": 16, "fc1": 28, "scores": 28}),
    # 3×3: 3; 4; 4 + 2·2 = 8; 10; 10 + 2·4 = 18; 22
    (THREE, {"conv1": 3, "pool1": 4, "conv2": 8, "pool2": 10, "conv3": 18, "pool3": 22}),
])
def test_field_sizes(config, sizes):
    assert {stage: field_of(config, stage).size for stage in sizes} == sizes


def test_fields_of_the_default_network_by_hand():
    config = NetworkConfig()
    # conv1 (r, c) sees rows r−2 … r+2; pool1 (r, c) sees conv1 rows 2r, 2r+1, so pixels 2r−2 … 2r+3
    assert field_of(config, "conv1") == Field(5, 1, -2)
    assert field_of(config, "pool1") == Field(6, 2, -2)
    # conv2 (r, c) sees pool1 rows r−2 … r+2, so pixels 2(r−2)−2 … 2(r+2)+3: offset −6, 14 wide
    assert field_of(config, "conv2") == Field(14, 2, -6)
    assert field_of(config, "pool2") == Field(16, 4, -6)
    assert receptive_field(config, "conv2", 7, 7) == Box(8, 8, 22, 22)
    assert receptive_field(config, "conv2", 0, 13, clip=False) == Box(-6, 20, 8, 34)
    assert receptive_field(config, "conv2", 0, 13) == Box(0, 20, 8, 28)
    assert receptive_field(config, "conv1", 0, 0) == Box(0, 0, 3, 3)
    assert receptive_field(config, "conv1", 10, 3) == Box(8, 1, 13, 6)
    assert receptive_field(config, "pool2", 6, 6) == Box(18, 18, 28, 28)  # 24 − 6 = 18 … 18 + 16 = 34, cut
    assert receptive_field(config, "fc1") == receptive_field(config, "scores", 0, 0) == Box(0, 0, 28, 28)


def test_three_stages_by_hand():
    # conv3 (r, c): pool2 rows r−1 … r+1 → conv2 rows 2r−2 … 2r+3 → pool1 2r−3 … 2r+4 → conv1 4r−6 …
    # 4r+9 → pixels 4r−7 … 4r+10: offset −7, stride 4, 18 wide
    assert field_of(THREE, "conv3") == Field(18, 4, -7)
    assert receptive_field(THREE, "conv3", 3, 3, clip=False) == Box(5, 5, 23, 23)


def test_box_helpers():
    box = Box(-2, 3, 3, 8)
    assert (box.height, box.width) == (5, 5)
    assert box.clipped() == Box(0, 3, 3, 8)
    assert box.clipped().slices() == (slice(0, 3), slice(3, 8))


def test_an_unknown_stage_lists_the_stages():
    with pytest.raises(ValueError, match="unknown stage 'conv3'; the network's stages are input, conv1, pool1"):
        field_of(NetworkConfig(), "conv3")


def test_a_pixel_just_outside_the_field_cannot_move_the_unit_and_one_just_inside_can():
    net = Network(seed=0, dtype=np.float64)
    net.flat_params[...] = np.abs(net.flat_params)  # positive weights: every brighter pixel counts
    image = np.full((1, 1, 28, 28), 0.5)

    def unit(image):
        return net.activations(image)["conv2"][0, 3, 7, 7]

    box = receptive_field(net.config, "conv2", 7, 7)  # rows and columns 8 … 21
    for (row, col), inside in [((box.top, 14), True), ((box.top - 1, 14), False), ((14, box.right - 1), True),
                               ((14, box.right), False)]:
        brighter = image.copy()
        brighter[0, 0, row, col] = 5.0
        assert (unit(brighter) != unit(image)) == inside, (row, col)
