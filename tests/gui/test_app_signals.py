"""Ctrl+C in the terminal and a polite kill close the app like its close button, training or not."""
import os
import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl+C", "SIGTERM"])
def test_the_app_closes_on_a_signal(how, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    app = subprocess.Popen([sys.executable, "-m", "kernelplay"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(4)  # the window is up and its training process started
        assert app.poll() is None, app.stdout.read()
        app.send_signal(how)
        assert app.wait(15) == 0
    finally:
        app.kill()
