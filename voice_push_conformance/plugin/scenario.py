"""The scenario's ``world`` fixture: clock, FCM model, registrar, loopback wiring and the candidate.

The fixture is a thin wrapper around :func:`open_world`, a plain context manager that a
script can use to run one scenario's world without pytest's hooks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import responses

from voice_push_conformance.bindings.targets import TargetError
from voice_push_conformance.clock import ManualClock, SystemClock
from voice_push_conformance.data import DataFactory, derive_seed
from voice_push_conformance.observers.fcm import FcmSink
from voice_push_conformance.observers.registrar import SuiteRegistrar
from voice_push_conformance.observers.transcript import CURRENT as CURRENT_TRANSCRIPT
from voice_push_conformance.observers.transcript import Transcript
from voice_push_conformance.plugin.settings import RUN, TRANSCRIPT, RunSettings
from voice_push_conformance.target import CandidateError, FcmEndpoint, HarnessContext
from voice_push_conformance.world import World, run_as_candidate

if TYPE_CHECKING:
    from voice_push_conformance.observers.loopback import LoopbackServer


class ScenarioSetupError(Exception):
    """The scenario's candidate could not be built: the message says why, for a failure without traceback."""


@contextlib.contextmanager
def open_world(run: RunSettings, nodeid: str, record: Transcript) -> Iterator[World]:
    """One scenario's world, from its candidate's build to its close, recording exchanges in ``record``."""
    scenario_seed = derive_seed(run.seed, nodeid)
    clock = ManualClock(run.start_ms(scenario_seed)) if "clock" in run.declared.capabilities else SystemClock()
    registrar = SuiteRegistrar(clock)
    loopback: LoopbackServer | None = None
    # Out-of-process targets, and in-process ones whose HTTP client the requests mock cannot see.
    if run.target.remote or "loopback_fcm" in run.declared.capabilities:
        from voice_push_conformance.observers.loopback import LoopbackServer  # noqa: PLC0415 - HTTP runs only

        loopback = LoopbackServer.instance()
        loopback_id = loopback.reserve()  # its URLs answer 404 until the world is attached below
        base = loopback.url(loopback_id)
        context = HarnessContext(
            clock=clock,
            credentials=run.credentials,
            fcm=FcmEndpoint(f"{base}/fcm"),
            registrar_url=f"{base}/ers",
            token_url=f"{base}/token?identity={{identity}}",
        )
        sink = FcmSink(clock)
    else:
        context = HarnessContext(clock=clock, credentials=run.credentials)
        sink = FcmSink(clock, context.fcm)
    sink.add_project(run.credentials.fcm_project_id, run.credentials.fcm_bearer_token.reveal())
    sink.transcript = record
    token = CURRENT_TRANSCRIPT.set(record)
    try:
        try:
            candidate = run_as_candidate()(run.target.build)(context)  # its warnings are notes
        except TargetError as exc:
            raise ScenarioSetupError(str(exc)) from exc
        except CandidateError as exc:
            raise ScenarioSetupError(f"setting up the scenario: {exc}") from exc
        world = World(
            candidate=candidate,
            clock=clock,
            credentials=run.credentials,
            data=DataFactory(scenario_seed),
            fcm=sink,
            registrar=registrar,
            transcript=record,
        )
        if loopback is not None:
            from voice_push_conformance.observers.loopback import Attachment  # noqa: PLC0415 - HTTP runs only

            loopback.attach(loopback_id, Attachment(sink, registrar, world.vend_for))
        with contextlib.ExitStack() as stack:
            if loopback is None:
                sink.install(stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False)))
            if candidate.close is not None:
                stack.callback(run_as_candidate()(candidate.close))
            yield world
    finally:
        if loopback is not None:
            loopback.detach(loopback_id)
        CURRENT_TRANSCRIPT.reset(token)


@pytest.fixture
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A fresh candidate, clock, data set and FCM model for one scenario."""
    run = request.config.stash[RUN]
    record = Transcript(secrets=run.credentials.secrets)
    try:
        with open_world(run, request.node.nodeid, record) as world:
            yield world
    except ScenarioSetupError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        request.node.stash[TRANSCRIPT] = record
