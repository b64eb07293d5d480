"""The timeline's commands of the training worker (:class:`~kernelplay.nn.worker.TrainingLoop`):
show a past step, resume from it, save and load the whole run, export the kernels' animation. Each
runs between two training steps, like every command; the checkpoints themselves are
:class:`~kernelplay.nn.timeline.Timeline`'s. No Qt.
"""
from __future__ import annotations

from kernelplay.common.files import save_failure
from kernelplay.nn import worker_messages as messages
from kernelplay.nn.timeline import Timeline

__all__ = ["TimelineCommands"]


class TimelineCommands:
    """The handlers of ``ViewStep``, ``ResumeFrom``, ``SaveRun``, ``LoadRun`` and
    ``ExportKernelAnimation``, mixed into :class:`~kernelplay.nn.worker.TrainingLoop`, whose state
    (``trainer``, ``timeline``, ``schedule``, ``generation``) and helpers (``_send``, ``_publish``,
    ``_pause``, ``_install``, ``_restart_schedule``) they use.
    """

    def _want_view(self, command: messages.ViewStep) -> None:
        self._view_wanted = int(command.step)

    def _show_step(self, step: int) -> None:
        self._send(messages.StepViewReady(self.generation, self.timeline.view(self.trainer, step)))

    def _evaluate_view_chunk(self) -> None:
        view = self.timeline.advance()
        if view is not None:
            self._send(messages.StepViewReady(self.generation, view))

    def _resume(self, command: messages.ResumeFrom) -> None:
        self._pause()
        checkpoint = self.timeline.resume(self.trainer, command.step)  # ValueError before the first
        if checkpoint.samples_seen < self.schedule.start:  # else the decay goes on as it was at that step
            self._restart_schedule()
        self.generation += 1
        self._evaluation = None
        self._budget = None
        self._send(messages.Resumed(self.generation, checkpoint.step, checkpoint.samples_seen))
        self._send_checkpoints()
        self._publish()

    def _save_run(self, command: messages.SaveRun) -> None:
        try:
            saved = self.timeline.save(command.path, self.trainer, command.curves, self.schedule)
        except (OSError, ValueError) as exc:
            self._send(messages.Failed(save_failure(command.path, exc)))
        else:
            self._send_checkpoints()
            self._send(messages.RunSaved(str(saved), self.timeline.checkpoints.latest.step))

    def _load_run(self, command: messages.LoadRun) -> None:
        self._pause()
        try:
            timeline, network, run = Timeline.load(command.path, threads=self.threads)
        except ValueError as exc:  # RunFileError among them
            raise ValueError(f"Could not load the training run: {exc}") from exc
        self.config = run.config
        latest = timeline.checkpoints.latest
        self._install(network, timeline=timeline, at=(latest.step, latest.samples_seen))
        self._send(messages.RunLoaded(self.generation, str(command.path), latest.step, latest.samples_seen,
                                      run.curves, run.settings))
        self._send_checkpoints()
        self._publish()

    def _export_kernels(self, command: messages.ExportKernelAnimation) -> None:
        try:
            path = self.timeline.export_kernels(command.path, self.trainer)
        except (OSError, ValueError) as exc:
            self._send(messages.Failed(save_failure(command.path, exc)))
        else:
            self._send_checkpoints()
            self._send(messages.AnimationExported(str(path), len(self.timeline.checkpoints)))

    def _send_checkpoints(self) -> None:
        self._send(messages.CheckpointsChanged(self.generation, self.timeline.points()))
