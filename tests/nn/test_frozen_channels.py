"""Frozen conv1 channels: training leaves their kernel and bias bit for bit as they were, whatever the
optimiser; copies, pickles and model files keep them."""
import json
import pickle

import numpy as np
import pytest

from synthetic_digits import SMALL, bar_digits
from kernelplay import ModelFileError, Network, Trainer
from kernelplay.nn.model_file import CONFIG_KEY, read_model, read_model_file


@pytest.fixture(scope="module")
def data():
    return bar_digits()


def conv1(network, channel):
    return network.params["conv1.weight"][channel].copy(), network.params["conv1.bias"][channel].copy()


@pytest.mark.parametrize("optimizer,weight_decay", [("adam", 0.0), ("adam", 0.01), ("sgd", 0.01)])
def test_training_leaves_a_frozen_channel_unchanged_and_trains_the_others(data, optimizer, weight_decay):
    trainer = Trainer(Network(SMALL, seed=1), data, optimizer=optimizer, learning_rate=1e-2,
                      weight_decay=weight_decay, batch_size=16, seed=1)
    for _ in range(3):  # moments gathered before the freeze would still move the weights
        trainer.step()
    trainer.network.set_frozen(2)
    frozen_before, others_before = conv1(trainer.network, 2), [conv1(trainer.network, c) for c in (0, 1, 3)]
    fc_before = trainer.network.params["fc1.weight"].copy()
    for _ in range(5):
        trainer.step()
    frozen_after = conv1(trainer.network, 2)
    np.testing.assert_array_equal(frozen_after[0], frozen_before[0])
    assert frozen_after[1] == frozen_before[1]
    for c, (weight, _) in zip((0, 1, 3), others_before):
        assert not np.array_equal(conv1(trainer.network, c)[0], weight), f"channel {c} did not train"
    assert not np.array_equal(trainer.network.params["fc1.weight"], fc_before)


def test_a_thawed_channel_trains_again(data):
    trainer = Trainer(Network(SMALL, seed=1), data, batch_size=16, seed=1)
    trainer.network.frozen_channels = [1, 3]
    trainer.step()
    trainer.network.set_frozen(3, False)
    assert trainer.network.frozen_channels == (1,)
    before = conv1(trainer.network, 3)[0]
    trainer.step()
    assert not np.array_equal(conv1(trainer.network, 3)[0], before)


def test_update_without_frozen_channels_is_the_optimisers_step():
    from kernelplay.nn.optim import Adam

    a, b = Network(SMALL, seed=3), Network(SMALL, seed=3)
    grads = np.random.default_rng(0).standard_normal(a.flat_grads.size).astype(np.float32)
    a.flat_grads[...] = b.flat_grads[...] = grads
    a.update(Adam(1e-2))
    Adam(1e-2).step({"all": b.flat_params}, {"all": b.flat_grads})
    np.testing.assert_array_equal(a.flat_params, b.flat_params)


@pytest.mark.parametrize("channels,words", [([4], "from 0 to 3"), ([-1], "from 0 to 3"), ([True], "got True"),
                                            (["1"], "got '1'")])
def test_frozen_channels_must_be_conv1_channels(channels, words):
    net = Network(SMALL)
    with pytest.raises(ValueError, match=words):
        net.frozen_channels = channels


def test_copies_pickles_and_model_files_keep_the_frozen_channels(tmp_path):
    net = Network(SMALL, seed=4)
    net.frozen_channels = (3, 0, 3)
    assert net.frozen_channels == (0, 3)
    assert net.copy().frozen_channels == (0, 3)
    assert pickle.loads(pickle.dumps(net)).frozen_channels == (0, 3)
    path = net.save(tmp_path / "frozen.npz")
    loaded = Network.load(path)
    assert loaded.frozen_channels == (0, 3)
    np.testing.assert_array_equal(loaded.flat_params, net.flat_params)
    assert read_model(path).frozen_channels == (0, 3)
    config, params = read_model_file(path)  # the two-value reader still reads such a file
    assert config == SMALL and set(params) == set(SMALL.param_shapes())
    assert Network.load(Network(SMALL).save(tmp_path / "plain.npz")).frozen_channels == ()


def rewrite_meta(path, change):
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(str(arrays[CONFIG_KEY]))
    change(meta)
    arrays[CONFIG_KEY] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    return path


def test_a_model_file_from_before_frozen_channels_loads(tmp_path):
    path = rewrite_meta(Network(SMALL).save(tmp_path / "old.npz"), lambda meta: meta.pop("frozen_channels"))
    assert Network.load(path).frozen_channels == ()


@pytest.mark.parametrize("frozen", [[4], [1, 1], "1", [1.0], [[1]], [True]])
def test_a_model_file_with_impossible_frozen_channels_is_refused(tmp_path, frozen):
    path = rewrite_meta(Network(SMALL).save(tmp_path / "bad.npz"), lambda meta: meta.update(frozen_channels=frozen))
    with pytest.raises(ModelFileError, match="frozen_channels"):
        Network.load(path)
