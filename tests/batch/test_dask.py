"""`briefgen build --executor dask`: a real scheduler and two workers on loopback build what the local pool builds."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from pypdf import PdfReader

distributed = pytest.importorskip("distributed")
dask_config = pytest.importorskip("dask.config")
psutil = pytest.importorskip("psutil")  # distributed's own dependency

from briefgen.batch.executors import (  # noqa: E402
    ExecutorChoice,
    ExecutorSetup,
    open_executor,
    remote,  # noqa: E402
)
from briefgen.batch.pool import Limits  # noqa: E402
from briefgen.batch.render import RenderTargetJob  # noqa: E402
from briefgen.config.kinds import Target  # noqa: E402
from briefgen.errors import RenderError, UsageError  # noqa: E402

#: The `dask` command the test extra installs beside this Python (else the one on PATH).
DASK = Path(sys.executable).with_name("dask") if Path(sys.executable).with_name("dask").is_file() else \
    Path(shutil.which("dask") or "dask")
EPOCH = "1767225600"  # 2026-01-01: the client's; the workers run under another, so the task must carry it
WAIT = 120.0  # seconds any wait below may take on a loaded machine before the test fails


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # dask's commands close their workers and nannies on SIGINT
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `dask scheduler` and two single-threaded `dask worker`s on 127.0.0.1, random free ports; the address."""
    work = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    # Idle, each Dask process checks its event loop every 20 ms and samples the system every 0.5 s: once a second and
    # every 5 s cost the module's five processes a few CPU-seconds less, and no test reads either.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
           "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s"}
    started = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                 "--no-dashboard"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)]
    try:
        for i in range(2):
            started.append(subprocess.Popen(
                [str(DASK), "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                 "--name", f"w{i}", "--local-directory", str(work / f"w{i}")], cwd=work, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout=WAIT, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=WAIT)  # polls the scheduler; fails after WAIT
        yield address
    finally:
        for process in reversed(started):
            _stop(process)


def _connections(process: Any) -> list:
    return (process.net_connections if hasattr(process, "net_connections") else process.connections)(kind="tcp")


def _pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))
            if ".cache" not in p.parts}


@pytest.mark.slow  # two builds of five documents: about 35 s on a loaded machine
def test_dask_build_writes_the_same_bytes_as_the_local_pool(small: Path, run, scheduler: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Two loopback workers render the two-block catalogue; this process writes it, byte for byte the local pool's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    local, dask = small / "local", small / "dask"
    assert run(small, "build", "-q", "--no-record", "--jobs", "2", "--out", str(local)).exit_code == 0
    result = run(small, "build", "-q", "--no-record", "--executor", "dask", "--scheduler", scheduler,
                 "--out", str(dask))
    assert result.exit_code == 0, result.output
    assert "built 5, up to date 0, failed 0 of 5" in result.output
    expected, got = _pdfs(local), _pdfs(dask)
    assert len(expected) == 5 and got == expected
    with distributed.Client(scheduler, timeout=WAIT, set_as_default=False) as client:
        read = client.run(lambda: sorted(remote._projects))  # the roots each worker read the project from
    assert str(small.resolve()) in {root for roots in read.values() for root in roots}
    manifest = json.loads((dask / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"] == "dask" and manifest["last_run"]["peak_worker_mb"] > 0
    assert not [p for p in dask.rglob("*.tmp")]


def test_a_worker_lost_mid_document_is_retried_on_another(small: Path, scheduler: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Killing the worker that renders a brief does not fail it: the scheduler runs it again elsewhere."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    setup = ExecutorSetup(small.resolve(), 2, Limits())
    executor = open_executor(ExecutorChoice("dask", scheduler), setup)
    try:
        target = Target("brief", "nato", "congress")
        future = executor.submit(RenderTargetJob(target, str(small / "out"), source="content/alliances/nato.yaml"))
        (remote_future, _f, _job), = executor._running.values()
        key, client = remote_future.key, executor.client
        deadline = time.monotonic() + WAIT
        worker = None
        while worker is None:  # poll the scheduler until a worker holds the task
            assert time.monotonic() < deadline, "no worker took the task"
            worker = next((w for w, keys in client.processing().items() if key in keys), None)
        pid = client.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, signal.SIGKILL)
        output = future.result(timeout=WAIT).value
        story = client.story(key)
    finally:
        executor.close()
    assert output.data.startswith(b"%PDF") and output.pages >= 1
    pdf = small / "retried.pdf"
    pdf.write_bytes(output.data)
    assert len(PdfReader(pdf).pages) == output.pages
    assert sum(1 for step in story if step[2] == "processing") >= 2  # it ran twice: the second time elsewhere


def test_an_unreachable_scheduler_is_a_usage_error(small: Path, run) -> None:
    """A scheduler address nothing listens on: exit 2, naming the address and how to start one."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    with dask_config.set({"distributed.comm.timeouts.connect": "0.5s"}):
        result = run(small, "build", "-q", "--executor", "dask", "--scheduler", address)
    assert result.exit_code == 2, result.output
    assert address in result.output and "dask scheduler" in result.output


def test_a_scheduler_without_the_dask_executor_is_a_usage_error(small: Path, run) -> None:
    """--scheduler alone would silently build locally: refused, exit 2, naming the option to add."""
    result = run(small, "build", "-q", "--scheduler", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2 and "--executor dask" in result.output


def test_a_failed_document_comes_back_as_its_own_error(small: Path, scheduler: str) -> None:
    """A document that fails on a worker raises its BriefgenError here, message and hint intact, as locally."""
    executor = open_executor(ExecutorChoice("dask", scheduler), ExecutorSetup(small.resolve(), 2, Limits()))
    try:
        future = executor.submit(RenderTargetJob(Target("brief", "natoo", "congress"), str(small / "out")))
        with pytest.raises(UsageError) as caught:
            future.result(timeout=WAIT)
    finally:
        executor.close()
    assert "no alliance or obstacle with id 'natoo'" in caught.value.format_message()
    assert "did you mean nato" in caught.value.format_message()


def test_a_worker_that_sees_another_project_refuses_the_document(small: Path, scheduler: str) -> None:
    """A file whose hash differs from the client's (a stale or different copy) fails the document, naming it."""
    executor = open_executor(ExecutorChoice("dask", scheduler), ExecutorSetup(small.resolve(), 2, Limits()))
    try:
        job = RenderTargetJob(Target("brief", "nato", "congress"), str(small / "out"),
                              source="content/alliances/nato.yaml")
        future = executor.submit(job, {"content/alliances/nato.yaml": "0" * 64})
        with pytest.raises(RenderError) as caught:
            future.result(timeout=WAIT)
    finally:
        executor.close()
    message = caught.value.format_message()
    assert "content/alliances/nato.yaml" in message and "different from the client's copy" in message
    assert "same path" in message


def test_without_a_scheduler_a_local_cluster_runs_the_build_and_is_stopped(small: Path) -> None:
    """No --scheduler: a LocalCluster of --jobs workers on 127.0.0.1, capped at --doc-memory, gone after close()."""
    executor = open_executor(ExecutorChoice("dask"), ExecutorSetup(small.resolve(), 1, Limits(memory_mb=1024)))
    cluster = executor.cluster
    try:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        limits = executor.client.run(lambda dask_worker: dask_worker.memory_manager.memory_limit)
        assert list(limits.values()) == [1024 * 1024 * 1024]
        # Nothing listens beyond loopback: not the scheduler, its dashboard, nor a worker.
        pids = [os.getpid(), *executor.client.run(os.getpid).values()]
        listening = [c.laddr.ip for pid in pids for c in _connections(psutil.Process(pid)) if c.status == "LISTEN"]
        assert listening and set(listening) == {"127.0.0.1"}
        future = executor.submit(RenderTargetJob(Target("brief", "natoo", "congress"), str(small / "out")))
        with pytest.raises(UsageError):
            future.result(timeout=WAIT)
    finally:
        executor.close()
    assert executor.cluster is None and cluster.status.name == "closed"


def test_a_document_past_doc_timeout_on_a_worker_fails_and_frees_the_worker(small: Path, scheduler: str) -> None:
    """--doc-timeout holds on Dask workers: a brief whose template never ends fails with the local pool's message,
    and each worker then renders a brief (nothing is left running on it)."""
    (small / "audiences" / "slow.yaml").write_text("label: Slow\nmarking: none\n", encoding="utf-8")
    template = small / "templates" / "audiences" / "slow" / "brief.html.j2"
    template.parent.mkdir(parents=True)
    template.write_text("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n",
                        encoding="utf-8")
    executor = open_executor(ExecutorChoice("dask", scheduler), ExecutorSetup(small.resolve(), 2, Limits(seconds=1)))
    try:
        slow = [executor.submit(RenderTargetJob(Target("brief", block, "slow"), str(small / "out"),
                                                source=f"content/{folder}/{block}.yaml"))
                for folder, block in (("alliances", "nato"), ("obstacles", "free-riding"))]
        errors = []
        for future in slow:
            with pytest.raises(RenderError) as caught:
                future.result(timeout=WAIT)
            errors.append(caught.value.format_message())
        client = executor.client
        workers = sorted(client.scheduler_info()["workers"])
        job = RenderTargetJob(Target("brief", "nato", "congress"), str(small / "out"))
        done = [client.submit(remote.run_task, remote.RemoteTask(job, str(small.resolve()), executor.build),
                              workers=[w], allow_other_workers=False, pure=False) for w in workers]
        outputs = [d.result(timeout=WAIT).value for d in done]
    finally:
        executor.close()
    for message in errors:
        assert "rendering used more CPU time than the 1 s limit and was stopped" in message, message
        assert "--doc-timeout" in message
    assert errors[0].startswith("content/alliances/nato.yaml")
    assert len(outputs) == 2 and all(o.data.startswith(b"%PDF") for o in outputs)
