"""Help ▸ Lesson: the guided lesson's panel (``panel.py``), the held-out digits it shows
(``digit_rows.py``) and the director that sets the app up for each step (``director.py``); the
steps themselves are data (``kernelplay.common.lesson``, ``assets/data/lesson.json``)."""
