"""Benchmarks: how fast the suite is, and how much of an HTTP run is the candidate's time.

Prints figures; asserts nothing (timings belong in a report, not in a test).

    python benchmarks/run.py            # everything (about a minute)
    python benchmarks/run.py --quick    # skip the 100 000-registration reference figures
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = "8"


def suite_run(*args: str, command: list[str] | None = None) -> tuple[float, int, float]:
    """Wall time of a whole run as a fresh process, its scenario count and pytest's own time."""
    started = time.perf_counter()
    command = command or [sys.executable, "-m", "pytest", "steps"]
    completed = subprocess.run(  # noqa: S603
        # The conformance environment has no hypothesis; its plugin must not count here either.
        [*command, "-q", "-p", "no:hypothesispytest", "--seed", SEED, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    match = re.search(r"(\d+) passed.* in ([\d.]+)s", completed.stdout)
    if completed.returncode != 0 or match is None:
        raise SystemExit(f"run {args} failed:\n{completed.stdout[-2000:]}")
    return wall, int(match.group(1)), float(match.group(2))


def _measure_round_trips() -> None:
    """Child process: an HTTP run in-process, so the adapter's round-trip counter can be read.

    Nothing of the suite may be imported before pytest starts (assertion rewriting).
    """
    import pytest  # noqa: PLC0415

    class LoopTimer:
        """Times the run loop only: start-up, collection and server spawn are not the candidate's."""

        seconds = 0.0

        @pytest.hookimpl(wrapper=True)
        def pytest_runtestloop(self, session: pytest.Session) -> Any:
            started = time.perf_counter()
            try:
                return (yield)
            finally:
                LoopTimer.seconds = time.perf_counter() - started

    os.chdir(ROOT)
    args = ["steps", "-q", "-p", "no:hypothesispytest", "--seed", SEED, "--target", "reference-http"]
    code = pytest.main(args, plugins=[LoopTimer()])
    from voice_push_conformance.bindings import connection  # noqa: PLC0415

    print(f"ROUND-TRIPS {code} {LoopTimer.seconds} {connection.ROUND_TRIPS.count} {connection.ROUND_TRIPS.seconds}")


def http_round_trips() -> tuple[float, int, float]:
    completed = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--round-trips"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    match = re.search(r"ROUND-TRIPS (\d+) ([\d.]+) (\d+) ([\d.]+)", completed.stdout)
    if match is None or match.group(1) != "0":
        raise SystemExit(f"the HTTP round-trip run failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
    return float(match.group(2)), int(match.group(3)), float(match.group(4))


class _InstantFcmAnswer:
    """FCM's answer to every push, given at once, so the figures are the reference's own cost."""

    status_code = 200

    @staticmethod
    def json() -> dict[str, str]:
        return {"name": "projects/p/messages/1"}


def reference_figures(registrations: int, per_identity: int = 10) -> dict[str, float]:
    from voice_push_conformance import reference  # noqa: PLC0415
    from voice_push_conformance.clock import ManualClock  # noqa: PLC0415
    from voice_push_conformance.codecs import tokens, twiml  # noqa: PLC0415
    from voice_push_conformance.credentials import generate_credentials  # noqa: PLC0415
    from voice_push_conformance.data import DataFactory  # noqa: PLC0415
    from voice_push_conformance.target import HarnessContext  # noqa: PLC0415

    credentials = generate_credentials(1)
    clock = ManualClock(1_767_225_600_000)

    class InstantFcm(reference.ReferenceVoiceService):
        def fcm_post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
            return _InstantFcmAnswer()

    service = reference.build(HarnessContext(clock=clock, credentials=credentials), service=InstantFcm).service
    assert isinstance(service, InstantFcm)
    data = DataFactory(registrations)
    identities = [f"user_{n:06d}" for n in range(registrations // per_identity)]

    def token_for(identity: str) -> str:
        return tokens.mint(
            api_key_sid=credentials.api_key_sid,
            account_sid=credentials.account_sid,
            secret=credentials.api_key_secret.reveal(),
            now_s=clock.now_s(),
            identity=identity,
            grants={"voice": tokens.voice_grant(push_credential_sid=credentials.push_credential_sid)},
        )

    access = {identity: token_for(identity) for identity in identities}
    devices = [data.fcm_token() for _ in range(registrations)]
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for n, device in enumerate(devices):
        service.register(access[identities[n % len(identities)]], "fcm", device)
    register_s = time.perf_counter() - started
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    calls = min(200, len(identities))
    documents = [twiml.build_dial(identities[n], [("k", "v")], caller_id="client:bench") for n in range(calls)]
    started = time.perf_counter()
    for document in documents:
        result = service.place_call(document)
        assert len(result.deliveries) == per_identity
    call_s = time.perf_counter() - started
    return {
        "register_us": register_s / registrations * 1e6,
        "call_us": call_s / calls * 1e6,
        "memory_mib": grown_kib / 1024,
    }


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def line(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="stop the reference figures at 10 000 registrations")
    parser.add_argument("--round-trips", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.round_trips:
        _measure_round_trips()
        return 0

    print(f"voice-push-conformance benchmarks (seed {SEED}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    print("the suite (each figure is printed as soon as it is measured)", flush=True)
    wall_in, scenarios, pytest_in = suite_run()
    line("scenarios", f"{scenarios}")
    line("in-process run: wall (process) / pytest session", f"{wall_in:.2f} s / {pytest_in:.2f} s   (target < 5 s)")
    line("suite overhead per scenario, in-process", f"{pytest_in / scenarios * 1000:.1f} ms")
    cpu_before = _children_cpu_s()
    wall_cli, _, _ = suite_run(command=[sys.executable, "-m", "voice_push_conformance", "run"])
    cpu_cli = _children_cpu_s() - cpu_before  # on a busy machine, CPU time tells start-up cost apart from waiting
    line(
        "in-process run via the console script: wall / CPU", f"{wall_cli:.2f} s / {cpu_cli:.2f} s   (target about 2 s)"
    )
    wall_http, _, pytest_http = suite_run("--target", "reference-http")
    line(
        "HTTP run against the reference server: wall / session",
        f"{wall_http:.2f} s / {pytest_http:.2f} s   (target < 15 s)",
    )
    wall_serial, _, _ = suite_run("-p", "no:xdist")
    wall_parallel, _, _ = suite_run("-n", "auto")
    line(
        "serial vs -n auto (wall)", f"{wall_serial:.2f} s vs {wall_parallel:.2f} s = {wall_serial / wall_parallel:.2f}x"
    )
    wall, count, rtt = http_round_trips()
    line("HTTP run: requests to the candidate, summed round trips", f"{count} requests, {rtt:.2f} s")
    line("HTTP run loop / summed round-trip time", f"{wall:.2f} s / {rtt:.2f} s = {wall / rtt:.2f}x   (target <= 2x)")

    print("the reference implementation (FCM answered instantly)")
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    for size in sizes:
        figures = reference_figures(size)
        line(
            f"{size:>7} registrations across {size // 10:>6} identities",
            f"register {figures['register_us']:.0f} us, call to 10 devices {figures['call_us']:.0f} us, "
            f"memory growth {figures['memory_mib']:.1f} MiB (max RSS)",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
