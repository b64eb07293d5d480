"""Shared test set-up: Qt runs headless unless the caller chose a platform, on a screen that holds
the windows the tests show (offscreen_screen.py: Qt's own offscreen screen is 800×800)."""
import os

from offscreen_screen import roomy_platform

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = roomy_platform(float(os.environ.get("QT_SCALE_FACTOR", "1")))
