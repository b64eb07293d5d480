"""Learning faster in the training tab (issue 13): its defaults, the learning rate in use shown in
the controls, and a short real run (its own training process) whose steps follow the decay — in the
snapshots, the controls and the curves' CSV."""
import csv
import inspect
import io
import math

import pytest

from synthetic_digits import SMALL, bar_digits
from kernelplay.gui.training.controls import LEARNING_RATES, TrainingControls
from kernelplay.gui.training.training_tab import REDRAW_INTERVAL_MS, TrainingTab
from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.exports import curves_csv
from kernelplay.nn.schedule import DECAY_EPOCHS, DECAY_FLOOR, LearningRateSchedule
from kernelplay.nn.training import Trainer
from kernelplay.nn.worker import AUGMENT_SHIFT, DEFAULT_LEARNING_RATE, TrainingLoop


def test_the_tabs_defaults_are_adam_at_0_002_decaying_batch_64_until_stopped(qtbot):
    controls = TrainingControls()
    qtbot.addWidget(controls)
    assert controls.learning_rate_box.currentText() == "0.002" and "0.002" in LEARNING_RATES
    assert controls.decay_box.isChecked() and controls.decay_box.text() == "0.002"
    assert controls.batch_size_box.currentText() == "64" and controls.optimizer_box.currentText() == "Adam"
    assert controls.epochs_box.value() == 0 and controls.epochs_box.text() == "until stopped"
    loop = inspect.signature(TrainingLoop).parameters  # what the tab's worker starts with
    assert (loop["learning_rate"].default, loop["batch_size"].default, loop["optimizer"].default,
            loop["decay"].default, loop["epochs"].default) == (DEFAULT_LEARNING_RATE, 64, "adam", True, None)
    assert DEFAULT_LEARNING_RATE == 0.002 and (DECAY_EPOCHS, DECAY_FLOOR) == (8.0, 0.05) and AUGMENT_SHIFT == 1
    # left as they were: the network, the redraw rate, the trainer's own defaults (the CLI sets its own)
    assert NetworkConfig() == NetworkConfig(channels=(16, 36), kernel_size=5, fc_width=128)
    assert REDRAW_INTERVAL_MS == 100
    trainer = inspect.signature(Trainer).parameters
    assert (trainer["learning_rate"].default, trainer["batch_size"].default, trainer["augment"].default,
            trainer["max_shift"].default) == (1e-3, 64, True, 2)


def test_the_controls_show_the_rate_in_use_and_a_choice_starts_it_again(qtbot):
    controls = TrainingControls()
    qtbot.addWidget(controls)
    rates, decays = [], []
    controls.learning_rate_chosen.connect(rates.append)
    controls.learning_rate_decay_chosen.connect(decays.append)
    width = controls.decay_box.sizeHint().width()
    controls.show_rate_in_use(0.0014321)
    assert controls.decay_box.text() == "0.0014"
    controls.show_rate_in_use(0.00011)  # the floor of a rate of 0.002: the row holds still
    assert controls.decay_box.text() == "0.00011" and controls.decay_box.sizeHint().width() == width
    controls.learning_rate_box.setCurrentText("0.01")  # a chosen rate is the one in use at once
    assert rates == [0.01] and controls.decay_box.text() == "0.01"
    controls.show_rate_in_use(0.0071)
    controls.decay_box.setChecked(False)  # no decay: training goes on at the chosen rate
    assert decays == [False] and controls.decay_box.text() == "0.01"
    controls.show_settings({"learning_rate": 0.003, "learning_rate_decay": True})  # a loaded run's
    assert decays == [False, True] and rates == [0.01, 0.003] and controls.decay_box.isChecked()
    assert "cosine" in controls.decay_box.toolTip() and "Reset" in controls.decay_box.toolTip()


def _rates_by_digits(tab):
    history = tab.session.history
    return dict(zip(history.samples, history.learning_rates))


def test_a_real_run_in_the_tab_follows_the_decay_and_the_csv_records_it(qtbot):
    data = bar_digits()  # 300 training digits: the decay is 2,400 digits, 38 steps of 64
    tab = TrainingTab(data=data, config=SMALL, snapshot_interval=0.0, redraw_interval_ms=20)
    qtbot.addWidget(tab)
    tab.show()
    try:
        qtbot.waitUntil(lambda: tab.latest_snapshot() is not None, timeout=10_000)
        schedule = LearningRateSchedule(0.002, horizon=int(DECAY_EPOCHS * 300))
        tab.training_controls.play_button.click()
        qtbot.waitUntil(lambda: tab.latest_snapshot().samples_seen >= 2_600, timeout=10_000)  # past the floor
        tab.training_controls.play_button.click()  # pause
        qtbot.waitUntil(lambda: not tab.session.running, timeout=5_000)
        rates = _rates_by_digits(tab)
        assert len(rates) >= 10
        for digits, rate in rates.items():  # the step that ended at `digits` began 64 digits earlier
            assert rate == pytest.approx(schedule.rate(digits - 64)), digits
        assert list(rates.values()) == sorted(rates.values(), reverse=True)
        assert rates[max(rates)] == pytest.approx(0.002 * DECAY_FLOOR)
        qtbot.waitUntil(lambda: tab.training_controls.decay_box.text() == f"{tab.latest_snapshot().learning_rate:.2g}",
                        timeout=5_000)
        assert tab.training_controls.decay_box.text() == "0.0001"
        table = list(csv.DictReader(io.StringIO(curves_csv(tab.session.curves()))))
        written = {int(row["digits seen"]): float(row["learning rate"]) for row in table if row["learning rate"]}
        assert written == pytest.approx(rates, rel=1e-5)  # the CSV writes six digits

        seen = max(rates)
        tab.training_controls.learning_rate_box.setCurrentText("0.003")  # starts the decay again from 0.003
        tab.training_controls.step_button.click()
        qtbot.waitUntil(lambda: tab.latest_snapshot().samples_seen > seen, timeout=5_000)
        assert tab.latest_snapshot().learning_rate == 0.003
        assert tab.training_controls.decay_box.text() == "0.003"
        assert not math.isnan(tab.session.history.learning_rates[-1])
    finally:
        tab.shutdown()
