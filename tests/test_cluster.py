"""`scan --cluster`: the same case on a Dask cluster gives the same bytes as on this machine, and a worker
that reads another file than the client is caught. Needs the optional extra (`pip install '.[cluster]'`, which
.ci/run installs); skipped without it. One in-process cluster of two workers serves the whole module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed", reason="dask.distributed is not installed: pip install '.[cluster]'")

from whatsapp_audit import cluster as cluster_module
from whatsapp_audit.cli.app import main
from whatsapp_audit.errors import UsageError

FROZEN = "2024-06-01T09:00:00Z"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Two worker threads in this process (inproc transport: no sockets, quick to start)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as local:
        yield local.scheduler_address


def scan_to(capsys: pytest.CaptureFixture[str], target: Path, *args: str) -> tuple[int, bytes, str]:
    code = main(["scan", *args, "--output", str(target), "--generated-at", FROZEN, "--no-progress"])
    return code, target.read_bytes() if target.exists() else b"", capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_a_cluster_run_gives_the_local_report_byte_for_byte(case_folder: Path, out_dir: Path, scheduler: str,
                                                            capsys, fmt: str) -> None:
    code, local, _ = scan_to(capsys, out_dir / f"local.{fmt}", str(case_folder), "--format", fmt, "--jobs", "1")
    code_cluster, remote, err = scan_to(capsys, out_dir / f"cluster.{fmt}", str(case_folder), "--format", fmt,
                                        "--cluster", scheduler)
    assert code == code_cluster == 1
    assert remote == local
    assert "broken.txt" in err and "Traceback" not in err


def test_an_export_the_workers_see_differently_is_not_scanned(case_folder: Path, out_dir: Path, scheduler: str,
                                                              capsys, monkeypatch) -> None:
    """The client hashes its own view of each exhibit; a worker that read other bytes fails that export."""
    real = cluster_module.hash_file
    changed = str(case_folder / "phone-b" / "groups" / "extra.txt")

    def client_view(path: str) -> tuple[str | None, int | None]:
        digest, size = real(path)
        return ("0" * 64, size) if path == changed else (digest, size)

    monkeypatch.setattr(cluster_module, "hash_file", client_view)
    code, data, err = scan_to(capsys, out_dir / "r.json", str(case_folder), "--format", "json", "--cluster", scheduler)
    assert code == 1
    import json

    sources = json.loads(data)["sources"]
    extra = next(s for s in sources if s["path"] == changed)
    assert extra["status"] == "failed" and "differs from this machine's" in extra["error"]
    assert extra["sha256"] == "0" * 64  # the client's own hash is what the report records
    assert f"whatsapp-audit: error: {changed}: SHA-256 on the worker" in err


def test_workers_running_other_code_are_refused() -> None:
    version, code = cluster_module.worker_fingerprint()
    fingerprints: dict[str, Any] = {"inproc://w1": (version, code), "inproc://w2": (version, "f" * 64)}
    with pytest.raises(UsageError, match=r"worker inproc://w2 runs whatsapp-audit .* install the same version"):
        cluster_module._check_workers(fingerprints)


def test_jobs_and_cluster_together_is_a_usage_error(case_folder: Path, capsys) -> None:
    code = main(["scan", str(case_folder), "--cluster", "tcp://127.0.0.1:8786", "--jobs", "2", "--no-progress"])
    assert code == 2 and "--jobs and --cluster cannot be used together" in capsys.readouterr().err
