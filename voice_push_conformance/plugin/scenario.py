"""The scenario's ``world`` fixture: clock, FCM model, registrar, loopback wiring and the candidate."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import responses

from voice_push_conformance.bindings.targets import TargetError
from voice_push_conformance.clock import ManualClock, SystemClock
from voice_push_conformance.data import DataFactory, derive_seed
from voice_push_conformance.observers.fcm import FcmSink
from voice_push_conformance.observers.registrar import SuiteRegistrar
from voice_push_conformance.observers.transcript import CURRENT as CURRENT_TRANSCRIPT
from voice_push_conformance.observers.transcript import Transcript
from voice_push_conformance.plugin.settings import RUN, TRANSCRIPT
from voice_push_conformance.target import CandidateError, FcmEndpoint, HarnessContext
from voice_push_conformance.world import World, run_as_candidate


@pytest.fixture
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A fresh candidate, clock, data set and FCM model for one scenario."""
    run = request.config.stash[RUN]
    scenario_seed = derive_seed(run.seed, request.node.nodeid)
    clock = ManualClock(run.start_ms(scenario_seed)) if "clock" in run.declared.capabilities else SystemClock()
    record = Transcript(secrets=run.credentials.secrets)
    registrar = SuiteRegistrar(clock)
    holder: list[World] = []
    loopback_id: str | None = None
    # Out-of-process targets, and in-process ones whose HTTP client the requests mock cannot see.
    loopback_fcm = run.target.remote or "loopback_fcm" in run.declared.capabilities
    if loopback_fcm:
        from voice_push_conformance.observers.loopback import Attachment, LoopbackServer  # noqa: PLC0415 - HTTP runs only

        loopback = LoopbackServer.instance()
        sink = FcmSink(clock)
        loopback_id = loopback.attach(Attachment(sink, registrar, lambda identity: holder[0].vend_for(identity)))  # noqa: PLW0108 - filled later
        base = loopback.url(loopback_id)
        context = HarnessContext(
            clock=clock,
            credentials=run.credentials,
            fcm=FcmEndpoint(f"{base}/fcm"),
            registrar_url=f"{base}/ers",
            token_url=f"{base}/token?identity={{identity}}",
        )
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
            pytest.fail(str(exc), pytrace=False)
        except CandidateError as exc:
            pytest.fail(f"setting up the scenario: {exc}", pytrace=False)
        world = World(
            candidate=candidate,
            clock=clock,
            credentials=run.credentials,
            data=DataFactory(scenario_seed),
            fcm=sink,
            registrar=registrar,
            transcript=record,
        )
        holder.append(world)
        with contextlib.ExitStack() as stack:
            if not loopback_fcm:
                sink.install(stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False)))
            if candidate.close is not None:
                stack.callback(run_as_candidate()(candidate.close))
            yield world
    finally:
        if loopback_id is not None:
            from voice_push_conformance.observers.loopback import LoopbackServer  # noqa: PLC0415

            LoopbackServer.instance().detach(loopback_id)
        CURRENT_TRANSCRIPT.reset(token)
        request.node.stash[TRANSCRIPT] = record
