"""The Ray engine: one model per worker actor.

Like every engine it plugs into ``run.pipeline.run_pages``, so the store, the cache, statuses and
exports are the same whichever runs the models. The driver (this process) keeps the only store
connection: workers receive articles in batches and send summaries back, and the driver commits each
batch as it returns. The workers run the same ``summarise_isolated`` loop as the local engine, with the same
settings, so with greedy decoding the summaries are identical.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable, Sequence
from typing import Any

from zhaiyao.config import Settings
from zhaiyao.documents import Article, Summary
from zhaiyao.errors import ConfigError, MissingDependency, ZhaiyaoError
from zhaiyao.run.engine import Deliver, describe_error
from zhaiyao.run.local import summarise_isolated
from zhaiyao.store import SummaryKey
from zhaiyao.summarise.registry import uses_model


class WorkerError(ZhaiyaoError):
    """An article's failure as reported by a Ray worker (the original exception stays on the worker)."""


class SummariserActor:
    """One Ray worker: loads its own summariser once and summarises the batches it is sent."""

    def __init__(self, settings: Settings) -> None:
        from zhaiyao.summarise import load_summariser

        # Ray sets OMP_NUM_THREADS=1 for actors; the settings say how many threads each model may use.
        try:
            import torch

            torch.set_num_threads(max(1, settings.threads))
        except ImportError:
            pass
        self.settings = settings
        self.summariser = load_summariser(settings)

    def key(self) -> SummaryKey:
        return SummaryKey.of_summariser(self.summariser, self.settings.style, self.settings.max_chars)

    def summarise(self, articles: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any] | str]]:
        # Plain dicts and strings cross the process boundary: exceptions from arbitrary libraries may
        # not unpickle on the driver, and an article's failure must never fail its whole batch.
        items = [Article.from_dict(a) for a in articles]
        out: list[tuple[int, dict[str, Any] | str]] = []

        def deliver(i: int, outcome: Summary | BaseException) -> None:
            if isinstance(outcome, Summary):
                out.append((i, outcome.as_dict()))
            else:
                out.append((i, describe_error(outcome)))

        summarise_isolated(items, self.summariser, self.settings, deliver)
        return out

    def peak_memory_mb(self) -> float:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RayEngine:
    """Summaries on Ray: ``workers`` actors, each with its own model, fed batches of articles.

    ``address`` joins an existing cluster (``ray start --head`` elsewhere, or ``auto``); without it a
    private local instance is started, sized to ``workers`` CPUs, and stopped again at the end.
    """

    name = "ray"

    def __init__(
        self,
        settings: Settings,
        workers: int = 2,
        address: str | None = None,
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1 (got {workers})")
        self.settings = settings
        self.workers = workers
        self.address = address
        self._on_event = on_event or (lambda _msg: None)
        self._actors: list[Any] = []
        self._started_ray = False
        self._key: SummaryKey | None = None
        self.worker_peak_mb: list[float] = []  # filled in on close, for the bench
        self.threads_per_worker = settings.threads

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError as exc:
            raise MissingDependency("ray", "ray") from exc
        return ray

    def _start(self) -> None:
        if self._actors:
            return
        ray = self._ray()
        # Ray asks about usage statistics on first start; a batch job must not print prompts.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        threads = self.settings.threads
        if not ray.is_initialized():
            quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
            try:
                if self.address:
                    _probe(self.address)
                    self._on_event(f"joining Ray cluster at {self.address}")
                    ray.init(address=self.address, **quiet)
                else:
                    # A private instance with one CPU per worker; each worker's model then gets its
                    # share of the machine's threads instead of all of them fighting for every core.
                    cores = os.cpu_count() or 1
                    threads = max(1, min(self.settings.threads, cores // self.workers or 1))
                    self._on_event(f"starting a local Ray instance with {self.workers} worker(s)")
                    ray.init(
                        num_cpus=self.workers,
                        object_store_memory=128 * 1024 * 1024,
                        **quiet,
                    )
                    self._started_ray = True
            except ZhaiyaoError:
                raise
            except Exception as exc:
                if self.address:
                    raise ConfigError(
                        f"cannot join the Ray cluster at {self.address}: {describe_error(exc)} "
                        "(is it running, and, if it uses token authentication, is RAY_AUTH_TOKEN set "
                        "as on the cluster?)"
                    ) from exc
                raise ConfigError(f"cannot start a local Ray instance: {describe_error(exc)}") from exc
        gpus = gpus_per_worker(self.settings, ray.cluster_resources().get("GPU", 0))
        # A worker that dies (killed, out of memory) is started again by Ray with its model, and the
        # batches it had in flight are sent to it again: one death costs a reload, not the run.
        remote = ray.remote(
            num_cpus=1, num_gpus=gpus, max_restarts=ACTOR_RESTARTS, max_task_retries=TASK_RETRIES
        )(SummariserActor)
        self.threads_per_worker = threads
        worker_settings = self.settings.replace(threads=threads)
        self._actors = [remote.remote(worker_settings) for _ in range(self.workers)]
        try:
            keys = ray.get([a.key.remote() for a in self._actors])
        except Exception as exc:
            self.close()
            raise ConfigError(f"Ray workers could not load the summariser: {_ray_reason(exc)}") from exc
        self._key = keys[0]
        self._on_event(f"{self.workers} Ray worker(s) ready")

    def key(self) -> SummaryKey:
        self._start()
        assert self._key is not None
        return self._key

    def summarise(self, articles: Sequence[Article], deliver: Deliver) -> None:
        self._start()
        ray = self._ray()
        size = max(1, self.settings.batch_size)
        batches = [list(range(i, min(i + size, len(articles)))) for i in range(0, len(articles), size)]
        batches.reverse()  # pop() from the end hands them out in order
        in_flight: dict[Any, tuple[Any, list[int]]] = {}
        idle: list[Any] = []

        def submit(actor: Any) -> None:
            if batches:
                indices = batches.pop()
                ref = actor.summarise.remote([articles[i].as_dict() for i in indices])
                in_flight[ref] = (actor, indices)
            else:
                idle.append(actor)

        # Two batches per worker in flight, so a worker never waits for the driver between batches.
        for actor in self._actors * 2:
            submit(actor)
        live = set(map(id, self._actors))
        while in_flight:
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            ref = ready[0]
            actor, indices = in_flight.pop(ref)
            try:
                results = ray.get(ref)
            except Exception as exc:
                _lost(ray, exc, actor, indices, batches, live, deliver)
                if id(actor) in live:
                    submit(actor)
                continue
            for local_i, outcome in results:
                i = indices[local_i]
                deliver(i, Summary.from_dict(outcome) if isinstance(outcome, dict) else WorkerError(outcome))
            if id(actor) in live:
                submit(actor)

    def close(self) -> None:
        if not self._actors and not self._started_ray:
            return
        ray = self._ray()
        try:
            self.worker_peak_mb = list(ray.get([a.peak_memory_mb.remote() for a in self._actors], timeout=30))
        except Exception:  # a dead worker has no figure to give; the bench reports what it got
            self.worker_peak_mb = []
        for actor in self._actors:
            with contextlib.suppress(Exception):  # already gone: nothing to release
                ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False


ACTOR_RESTARTS = 3  # deaths a worker is restarted after (each reloads its model)
TASK_RETRIES = 1  # times a batch in flight at a worker's death is sent again
RESTART_SECONDS = 600.0  # how long a restarting worker (loading its model) is waited for


def _lost(
    ray: Any,
    exc: BaseException,
    actor: Any,
    indices: list[int],
    batches: list[list[int]],
    live: set[int],
    deliver: Deliver,
) -> None:
    """A batch that failed even after Ray's retry (one that kills its worker every time, or a worker out
    of restarts): its articles fail; the worker stays in ``live`` only if it answers again, and with
    no worker left the batches still queued fail too."""
    reason = f"Ray worker failed: {_ray_reason(exc)}"
    for i in indices:
        deliver(i, WorkerError(reason))
    if not _alive(ray, actor):
        live.discard(id(actor))
    if not live:
        while batches:
            for i in batches.pop():
                deliver(i, WorkerError(reason))


def _alive(ray: Any, actor: Any) -> bool:
    """Whether ``actor`` answers (after a restart, once its model is loaded again)."""
    try:
        ray.get(actor.key.remote(), timeout=RESTART_SECONDS)
    except Exception:
        return False
    return True


def gpus_per_worker(settings: Settings, cluster_gpus: float) -> int:
    """One GPU per model worker when its model will run on one: ``--device cuda``, or ``auto`` on a
    cluster that has GPUs. Weight-free backends and CPU runs ask for none."""
    if not uses_model(settings.backend) or settings.device in ("cpu", "mps"):
        return 0
    if settings.device == "cuda":
        return 1
    return 1 if cluster_gpus >= 1 else 0


PROBE_SECONDS = 5.0


def _probe(address: str) -> None:
    """Fail fast when nothing listens at a HOST:PORT cluster address: ray.init would retry for minutes
    (or for ever) with only its own log lines to show for it."""
    if address in ("auto", "local"):
        return
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: not HOST:PORT (or auto)")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_SECONDS).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {reason}") from None


def _ray_reason(exc: BaseException) -> str:
    # Ray wraps the worker's exception in a long multi-line report; its last line names the cause.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
