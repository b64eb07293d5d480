"""The digit CNN: config, whole-network gradients, save/load, activations, PyTorch equivalence."""
import json
import sys

import numpy as np
import pytest

from gradient_check import central_difference
from kernelplay import ModelFileError, Network, NetworkConfig
from kernelplay.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, softmax_cross_entropy


def test_default_config_is_the_lecture_network():
    cfg = NetworkConfig()
    assert cfg.stage_shapes() == [
        ("input", (1, 28, 28)), ("conv1", (16, 28, 28)), ("pool1", (16, 14, 14)),
        ("conv2", (36, 14, 14)), ("pool2", (36, 7, 7)), ("flatten", (1764,)),
        ("fc1", (128,)), ("scores", (10,)),
    ]
    shapes = cfg.param_shapes()
    assert shapes["conv1.weight"] == (16, 1, 5, 5)
    assert shapes["fc1.weight"] == (128, 1764)
    assert cfg.parameter_count == 416 + 14436 + 225920 + 1290


def test_three_stages_and_odd_sizes():
    cfg = NetworkConfig(channels=(4, 8, 12), kernel_size=3, fc_width=20)
    assert cfg.stage_shapes()[-5:-3] == [("conv3", (12, 7, 7)), ("pool3", (12, 3, 3))]
    net = Network(cfg)
    assert net.forward(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


@pytest.mark.parametrize("kwargs,words", [
    (dict(channels=()), "1 to 3 conv stages"),
    (dict(channels=(8, 8, 8, 8)), "1 to 3 conv stages"),
    (dict(channels=(0, 8)), "stage 1 must have 1 to 64 channels"),
    (dict(channels=(8, 65)), "stage 2 must have 1 to 64"),
    (dict(channels=8), "sequence"),
    (dict(kernel_size=4), "kernel size must be 3 or 5"),
    (dict(fc_width=0), "FC width"),
])
def test_invalid_configs_say_what_is_wrong(kwargs, words):
    with pytest.raises(ValueError, match=words):
        NetworkConfig(**kwargs)


def test_params_and_grads_are_pytorch_named_and_share_keys():
    net = Network()
    assert list(net.params) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert net.params.keys() == net.grads.keys()
    for k, v in net.params.items():
        assert v.shape == net.grads[k].shape == net.config.param_shapes()[k]
        assert v.dtype == np.float32


@pytest.mark.parametrize("cfg", [NetworkConfig(channels=(2, 3), kernel_size=3, fc_width=6),
                                 NetworkConfig(channels=(2, 2, 3), kernel_size=5, fc_width=5)])  # 7×7 → 3×3
def test_whole_network_gradient_check_float64(cfg):
    net = Network(cfg, seed=1, dtype=np.float64)
    rng = np.random.default_rng(0)
    x = rng.random((2, 1, 28, 28))
    labels = np.array([3, 7])

    def loss():
        return softmax_cross_entropy(net.forward(x), labels)[0]

    _, d = softmax_cross_entropy(net.forward(x), labels)
    net.backward(d)
    eps = 1e-7  # small: a ReLU or pooling kink within 1e-5 of some activation breaks wider steps
    for name, p in net.params.items():
        flat = p.reshape(-1)
        g = net.grads[name].reshape(-1)
        for i in rng.choice(flat.size, size=min(flat.size, 12), replace=False):
            numeric = central_difference(loss, flat, i, eps)
            assert abs(numeric - g[i]) <= 1e-6 + 1e-5 * abs(numeric), (name, i, numeric, g[i])


def test_float32_forward_matches_float64():
    net32 = Network(seed=3)
    net64 = Network(seed=3, dtype=np.float64)
    x = np.random.default_rng(1).random((3, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(net32.forward(x), net64.forward(x), atol=1e-4)


def test_activations_in_forward_order_and_scores_sum_to_one():
    net = Network()
    x = np.random.default_rng(2).random((2, 1, 28, 28)).astype(np.float32)
    acts = net.activations(x)
    assert [(k, v.shape[1:]) for k, v in acts.items()] == net.config.stage_shapes()
    np.testing.assert_allclose(acts["scores"].sum(axis=1), 1, rtol=1e-5)
    assert acts["conv1"].min() >= 0
    np.testing.assert_allclose(acts["scores"], net.predict_proba(x), rtol=1e-5)
    np.testing.assert_allclose(acts["flatten"], acts["pool2"].reshape(2, -1))


def test_forward_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        Network().forward(np.zeros((2, 1, 27, 28), np.float32))


def test_save_load_round_trip(tmp_path):
    cfg = NetworkConfig(channels=(3, 5, 7), kernel_size=3, fc_width=9)
    net = Network(cfg, seed=5)
    path = net.save(tmp_path / "model.npz")
    loaded = Network.load(path)
    assert loaded.config == cfg
    x = np.random.default_rng(3).random((4, 1, 28, 28)).astype(np.float32)
    np.testing.assert_array_equal(net.forward(x), loaded.forward(x))
    assert not list(tmp_path.glob("*.tmp"))
    with np.load(path, allow_pickle=False) as npz:
        assert set(npz.files) == set(cfg.param_shapes()) | {"__config__"}


def _write_npz(path, arrays):
    np.savez(path, **arrays)
    return path


def test_bad_model_files_say_what_is_wrong(tmp_path):
    net = Network()
    good = {k: v for k, v in net.params.items()}
    meta = json.dumps({"format": "kernelplay-cnn", "version": 1, "config": json.loads(net.config.to_json())})

    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError, match="not a kernelplay model"):
        Network.load(tmp_path / "junk.npz")
    with pytest.raises(ModelFileError, match="cannot read model file .*missing.npz: there is no such file"):
        Network.load(tmp_path / "missing.npz")
    with pytest.raises(ModelFileError, match="__config__"):
        Network.load(_write_npz(tmp_path / "noconfig.npz", good))
    wrong = dict(good, **{"fc1.weight": np.zeros((128, 100), np.float32), "__config__": np.array(meta)})
    with pytest.raises(ModelFileError, match=r"fc1.weight has shape \(128, 100\)"):
        Network.load(_write_npz(tmp_path / "shape.npz", wrong))
    lacking = {k: v for k, v in good.items() if k != "conv2.bias"} | {"__config__": np.array(meta)}
    with pytest.raises(ModelFileError, match="conv2.bias"):
        Network.load(_write_npz(tmp_path / "lacking.npz", lacking))
    badcfg = dict(good, __config__=np.array(json.dumps({"format": "kernelplay-cnn", "config": {"kernel_size": 4}})))
    with pytest.raises(ModelFileError, match="kernel size must be 3 or 5"):
        Network.load(_write_npz(tmp_path / "badcfg.npz", badcfg))
    pickled = dict(good, **{"__config__": np.array(meta), "fc2.bias": np.array([object()] * 10, dtype=object)})
    np.savez(tmp_path / "pickled.npz", **pickled)
    with pytest.raises(ModelFileError):
        Network.load(tmp_path / "pickled.npz")
    # a truncated archive
    data = net.save(tmp_path / "ok.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        Network.load(tmp_path / "cut.npz")


@pytest.mark.parametrize("config", [NetworkConfig(), NetworkConfig(channels=(4, 6, 8), kernel_size=3, fc_width=16)])
def test_loads_into_pytorch_with_identical_logits(tmp_path, config):
    torch = pytest.importorskip("torch")
    from kernelplay.nn.torch_export import torch_module

    net = Network(config, seed=7)
    path = net.save(tmp_path / "model.npz")
    model = torch_module(config)
    with np.load(path, allow_pickle=False) as npz:  # the README's one line
        model.load_state_dict({k: torch.from_numpy(npz[k]) for k in npz.files if k != "__config__"})
    x = np.random.default_rng(4).random((5, 1, 28, 28)).astype(np.float32)
    x[:, :, :8] = 0  # blank rows make exact ties in the pooling windows, as on real digits
    with torch.no_grad():
        from_file = model(torch.from_numpy(x)).numpy()
        converted = net.to_torch()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(net.forward(x), from_file, atol=1e-5)
    np.testing.assert_array_equal(converted, from_file)


def readable_network(config, params, dtype=np.float64):
    """The architecture of ``config`` built from the readable layers, holding ``params`` (by
    state_dict name): the torch-free twin of the module in kernelplay.nn.torch_export."""
    layers = []
    for i in range(1, config.num_stages + 1):
        weight = params[f"conv{i}.weight"]
        conv = Conv2D(weight.shape[1], weight.shape[0], config.kernel_size, dtype=dtype)
        layers += [conv, ReLU(), MaxPool2D()]
        conv.params["weight"][...], conv.params["bias"][...] = weight, params[f"conv{i}.bias"]
    fc1 = Dense(config.flat_features, config.fc_width, dtype=dtype)
    fc2 = Dense(config.fc_width, 10, dtype=dtype)
    for name, dense in (("fc1", fc1), ("fc2", fc2)):
        dense.params["weight"][...], dense.params["bias"][...] = params[f"{name}.weight"], params[f"{name}.bias"]
    layers += [Flatten(), fc1, ReLU(), fc2]
    named = {f"conv{i}": layers[3 * (i - 1)] for i in range(1, config.num_stages + 1)} | {"fc1": fc1, "fc2": fc2}
    return layers, named


@pytest.mark.parametrize("config", [NetworkConfig(), NetworkConfig(channels=(4, 6, 8), kernel_size=3, fc_width=16)])
def test_a_saved_model_equals_the_readable_layers_stacked_by_hand(tmp_path, config):
    """Without PyTorch: the model file's arrays in the readable layers (conv → ReLU → pool per
    stage, flatten in C, H, W order, FC → ReLU → FC) give the network's logits and gradients."""
    net = Network(config, seed=7, dtype=np.float64)
    with np.load(net.save(tmp_path / "model.npz"), allow_pickle=False) as npz:
        layers, named = readable_network(config, {k: npz[k].astype(np.float64) for k in npz.files if k != "__config__"})
    x = np.random.default_rng(4).random((3, 1, 28, 28))
    x[:, :, :8] = 0  # blank rows make exact ties in the pooling windows, as on real digits
    labels = np.array([1, 7, 3])
    out = x
    for layer in layers:
        out = layer.forward(out)
    loss, dlogits = softmax_cross_entropy(out, labels)
    np.testing.assert_allclose(net.forward(x), out, rtol=1e-5, atol=1e-6)  # the file holds float32 weights
    d = dlogits
    for layer in reversed(layers):
        d = layer.backward(d)
    # the same (float32-rounded) weights in the network, then its gradients against the layers'
    net.set_params({name: named[name.split(".")[0]].params[name.split(".")[1]] for name in config.param_shapes()})
    net.backward(softmax_cross_entropy(net.forward(x), labels)[1])
    for name in config.param_shapes():
        layer, key = named[name.split(".")[0]], name.split(".")[1]
        np.testing.assert_allclose(net.grads[name], layer.grads[key], rtol=1e-7, atol=1e-10, err_msg=name)


def test_two_thread_split_gives_the_same_logits_and_gradients():
    x = np.random.default_rng(9).random((40, 1, 28, 28))
    labels = np.arange(40) % 10
    grads = []
    for threads in (1, 2):
        net = Network(NetworkConfig(channels=(3, 4), kernel_size=3, fc_width=8), seed=2, dtype=np.float64,
                      threads=threads)
        logits = net.forward(x)
        net.backward(softmax_cross_entropy(logits, labels)[1])
        grads.append((logits, net.flat_grads.copy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-10, atol=1e-14)


def test_a_batch_trained_in_the_frequency_domain_gets_the_direct_way_s_logits_and_gradients(monkeypatch):
    """From SPECTRAL_MIN_BATCH images on, the deeper convs run in the frequency domain: the whole network's
    logits and gradients are those of the direct products (float64, 3 stages, odd map sizes)."""
    from kernelplay.nn.fast import layers as fast_layers

    x = np.random.default_rng(10).random((16, 1, 28, 28))
    labels = np.arange(16) % 10
    results = []
    for smallest_spectral_batch in (10**9, 1):
        monkeypatch.setattr(fast_layers, "SPECTRAL_MIN_BATCH", smallest_spectral_batch)
        net = Network(NetworkConfig(channels=(3, 4, 5), kernel_size=5, fc_width=8), seed=3, dtype=np.float64)
        logits = net.forward(x)
        net.backward(softmax_cross_entropy(logits, labels)[1])
        spectral = [conv._spectral_now for replica in net._replicas for conv in replica.convs]
        results.append((logits, net.flat_grads.copy(), spectral))
    assert not any(results[0][2]) and all(results[1][2][1:3])  # conv2 and conv3 of the first replica
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-9, atol=1e-13)


def test_backward_needs_a_matching_forward():
    net = Network()
    with pytest.raises(ValueError, match="last forward"):
        net.backward(np.zeros((3, 10), np.float32))


def test_forked_child_starts_its_own_worker_thread():
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    x = np.random.default_rng(1).random((32, 1, 28, 28)).astype(np.float32)
    net = Network(threads=2)
    expected = net.forward(x)  # the parent's pool exists now
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_forward_in_child, (net, x)).get(timeout=30)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def _forward_in_child(net, x):
    return net.forward(x)


def test_blas_keeps_to_one_thread_while_the_halves_run_and_is_restored_after(monkeypatch):
    """Two half batches each with two BLAS threads would oversubscribe 2 cores (and OpenBLAS's
    threads spin after each call: this halved the training tab's speed once), so BLAS runs on one
    thread inside the network's calls; a library must not change its caller's numpy, so the
    caller's setting comes back afterwards."""
    from kernelplay.nn.fast import blas, replica

    if not blas.can_set_threads() or blas.thread_count() is None:
        pytest.skip("numpy's BLAS does not expose its thread count here")
    seen = []
    original = replica.Replica.forward
    monkeypatch.setattr(replica.Replica, "forward", lambda self, *a, **k: seen.append(blas.thread_count()) or original(self, *a, **k))
    net = Network(threads=2)
    x = np.random.default_rng(2).random((32, 1, 28, 28)).astype(np.float32)
    before = blas.thread_count()
    blas.set_threads(2)
    try:
        net.train_batch(x, np.arange(32) % 10)
        net.forward(x[:1])  # a probe digit: one replica, still one BLAS thread
        net.activations(x[:1])
        assert blas.thread_count() == 2
    finally:
        blas.set_threads(before)
    assert seen == [1, 1, 1, 1]


def test_one_thread_network_leaves_blas_alone(monkeypatch):
    from kernelplay.nn.fast import blas

    calls = []
    monkeypatch.setattr(blas, "set_threads", lambda n: calls.append(n))
    Network(threads=1).forward(np.zeros((20, 1, 28, 28), np.float32))
    assert calls == []


def test_to_torch_without_pytorch_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match="PyTorch is not installed"):
        Network().to_torch()


@pytest.mark.parametrize("threads", [1, 2])
def test_train_batch_equals_forward_loss_backward(threads):
    x = np.random.default_rng(5).random((40, 1, 28, 28))
    labels = np.arange(40) % 10
    config = NetworkConfig(channels=(3, 4), kernel_size=3, fc_width=8)
    fused = Network(config, seed=1, dtype=np.float64, threads=threads)
    separate = Network(config, seed=1, dtype=np.float64, threads=threads)
    loss, logits = fused.train_batch(x, labels)
    expected_logits = separate.forward(x)
    expected_loss, dlogits = softmax_cross_entropy(expected_logits, labels)
    separate.backward(dlogits)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(logits, expected_logits, rtol=1e-12)
    np.testing.assert_allclose(fused.flat_grads, separate.flat_grads, rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match="labels"):
        fused.train_batch(x, labels[:-1])
