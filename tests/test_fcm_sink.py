"""The suite's FCM model answers as FCM does, for HTTP v1 and for the retired legacy API."""

from __future__ import annotations

import json

import pytest

from voice_push_conformance.clock import ManualClock
from voice_push_conformance.observers.fcm import FcmSink, duration_ms, legacy_server_key

PROJECT = "demo-1234"
BEARER = "ya29.test-bearer"
TOKEN = "device-token-1"


@pytest.fixture
def sink() -> FcmSink:
    model = FcmSink(ManualClock(1_000_000))
    model.add_project(PROJECT, BEARER)
    model.add_device(TOKEN, PROJECT)
    return model


def v1(sink: FcmSink, body: object, bearer: str = BEARER, project: str = PROJECT) -> tuple[int, dict[str, object]]:
    status, _, text = sink.handle(
        f"/v1/projects/{project}/messages:send", {"Authorization": f"Bearer {bearer}"}, json.dumps(body)
    )
    return status, json.loads(text)


def legacy(sink: FcmSink, body: object, key: str | None = None) -> tuple[int, str]:
    status, _, text = sink.handle(
        "/fcm/send", {"Authorization": f"key={key or legacy_server_key(BEARER)}"}, json.dumps(body)
    )
    return status, text


def message(**android: str) -> dict[str, object]:
    return {"message": {"token": TOKEN, "data": {"k": "v"}, "android": android}}


def test_v1_success_names_the_message_and_delivers(sink: FcmSink) -> None:
    status, answer = v1(sink, message(priority="high", ttl="0s"))
    assert status == 200
    assert str(answer["name"]).startswith(f"projects/{PROJECT}/messages/")
    assert len(sink.devices[TOKEN].inbox) == 1


def test_v1_wrong_bearer_is_unauthenticated(sink: FcmSink) -> None:
    status, answer = v1(sink, message(), bearer="nope")
    assert status == 401
    assert answer["error"]["status"] == "UNAUTHENTICATED"  # type: ignore[index]


def test_v1_other_project_token_is_a_sender_mismatch(sink: FcmSink) -> None:
    sink.add_device("other", "another-project")
    status, answer = v1(sink, {"message": {"token": "other", "data": {}}})
    assert status == 403
    assert answer["error"]["details"][0]["errorCode"] == "SENDER_ID_MISMATCH"  # type: ignore[index]


def test_v1_uninstalled_app_is_unregistered(sink: FcmSink) -> None:
    sink.uninstall(TOKEN)
    status, answer = v1(sink, message())
    assert status == 404
    assert answer["error"]["details"][0]["errorCode"] == "UNREGISTERED"  # type: ignore[index]


def test_v1_non_string_data_is_invalid_and_recorded(sink: FcmSink) -> None:
    status, _ = v1(sink, {"message": {"token": TOKEN, "data": {"n": 1}}})
    assert status == 400
    assert sink.pushes[-1].schema_errors


def test_an_unreachable_device_gets_a_held_push_only_if_its_ttl_allows(sink: FcmSink) -> None:
    sink.set_reachable(TOKEN, False)
    v1(sink, message(ttl="0s"))
    v1(sink, message(ttl="3600s"))
    sink.set_reachable(TOKEN, True)
    inbox = sink.devices[TOKEN].inbox
    assert [p.android["ttl"] for p in inbox] == ["3600s"]


def test_legacy_success_has_the_legacy_answer_shape(sink: FcmSink) -> None:
    status, text = legacy(sink, {"to": TOKEN, "priority": "high", "time_to_live": 0, "data": {"k": "v"}})
    answer = json.loads(text)
    assert status == 200
    assert answer["success"] == 1
    assert "message_id" in answer["results"][0]
    push = sink.pushes[-1]
    assert push.api == "legacy"
    assert dict(push.android) == {"priority": "high", "ttl": "0s"}
    assert dict(push.data) == {"k": "v"}


def test_legacy_without_time_to_live_means_four_weeks(sink: FcmSink) -> None:
    legacy(sink, {"to": TOKEN, "data": {}})
    assert sink.pushes[-1].android["ttl"] == "2419200s"


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        pytest.param("other-project", "MismatchSenderId", id="mismatch"),
        pytest.param("uninstalled", "NotRegistered", id="not-registered"),
        pytest.param("unknown", "InvalidRegistration", id="invalid-registration"),
    ],
)
def test_legacy_errors_are_per_result(sink: FcmSink, prepare: str, expected: str) -> None:
    token = TOKEN
    if prepare == "other-project":
        token = "other"
        sink.add_device(token, "another-project")
    elif prepare == "uninstalled":
        sink.uninstall(TOKEN)
    else:
        token = "never-issued"
    status, text = legacy(sink, {"to": token, "data": {}})
    assert status == 200
    assert json.loads(text)["results"] == [{"error": expected}]


def test_legacy_bad_server_key_is_unauthorized(sink: FcmSink) -> None:
    status, _ = legacy(sink, {"to": TOKEN, "data": {}}, key="AAAAwrong")
    assert status == 401


@pytest.mark.parametrize(
    ("text", "ms"),
    [("0s", 0), ("3.5s", 3_500), ("2419200s", 2_419_200_000), ("0.000000001s", 0), ("3", None), ("-1s", None)],
)
def test_durations(text: str, ms: int | None) -> None:
    assert duration_ms(text) == ms
