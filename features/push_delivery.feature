@service
Feature: Incoming-call pushes sent through FCM
  When a call reaches a client identity, the voice service sends each of that identity's
  registered devices an FCM data message describing the call. The messages are valid FCM
  send requests authorised by the push credential. They carry the call's details under
  twi_* keys, are sent with high priority, and have a time to live of zero: a device that
  is unreachable when the call is placed never gets the push later. FCM's refusals are
  acted on: an uninstalled app's registration is dropped, and a failed delivery is
  reported as failed.

  Sources: Voice Android SDK FAQ (https://www.twilio.com/docs/voice/sdks/android/faq),
  Call Notification Webhook (https://www.twilio.com/docs/voice/sdks/client-call-notification-webhook),
  FCM HTTP v1 reference (https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages)
  and error codes (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
  The suite plays FCM: it validates every request and answers as FCM does.

  Background:
    Given device "bob-phone" of "bob" is registered
    And device "bob-tablet" of "bob" is registered

  @PUSH-ENVELOPE @must
  Scenario: Every push is a valid FCM send request that FCM accepts
    When "alice" calls "bob"
    Then every push is a valid FCM send request that FCM accepted
    And "bob-phone" receives 1 call push
    And "bob-tablet" receives 1 call push

  @PUSH-CALL-PAYLOAD @must
  Scenario: The push data describes the call from the caller to the callee
    When "alice" calls "bob"
    Then the push to "bob-phone" describes an incoming call from "alice" to "bob"
    And the pushes of the call share one call SID and have distinct message ids

  @PUSH-CALL-PAYLOAD @must
  Scenario: Two calls have two call SIDs
    When "alice" calls "bob"
    And "carol" calls "bob"
    Then "bob-phone" receives 2 call pushes with different call SIDs

  @PUSH-HIGH-PRIORITY @must
  Scenario: Call pushes have high priority
    When "alice" calls "bob"
    Then every push has high priority

  @PUSH-TTL-ZERO @must
  Scenario: Call pushes have a time to live of zero
    When "alice" calls "bob"
    Then every push has a time to live of zero

  @PUSH-TTL-ZERO @must @clock
  Scenario: A device that was unreachable during the call never gets the push
    Given "bob-tablet" is unreachable
    When "alice" calls "bob"
    And 300000 ms pass
    And "bob-tablet" is reachable again
    Then FCM delivered no push to "bob-tablet"
    And FCM delivered 1 push to "bob-phone"

  @PUSH-TARGETING @must
  Scenario: Only the callee's devices are pushed
    Given device "carol-phone" of "carol" is registered
    When "alice" calls "carol"
    Then "carol-phone" receives 1 call push
    And "bob-phone" receives 0 call pushes
    And "bob-tablet" receives 0 call pushes

  @PUSH-UNREGISTERED @must
  Scenario: A registration FCM reports as unregistered is dropped
    Given the app on "bob-tablet" has been uninstalled
    When "alice" calls "bob"
    And "alice" calls "bob"
    Then FCM received 1 request for "bob-tablet"
    And "bob-phone" receives 2 call pushes

  @PUSH-FAILURE-REPORTED @must
  Scenario: A push refused for a sender mismatch is reported as failed
    Given device "bob-laptop" of "bob" is registered with a token of another Firebase project
    When "alice" calls "bob"
    Then the call reports the delivery to "bob-laptop" as failed
    And the call reports the delivery to "bob-phone" as delivered

  @PUSH-LEGACY-API @informative
  Scenario: Pushes go through FCM HTTP v1, not the retired legacy API
    When "alice" calls "bob"
    Then every push used the FCM HTTP v1 API

  @PUSH-SIZE-LIMIT @must
  Scenario: Parameters too large for one push are refused, and nothing is sent
    When "alice" calls "bob" with 40 parameters of 120 characters each
    Then the voice service refuses the call with an error
    And no push is sent for the call

  @PUSH-SIZE-LIMIT @must
  Scenario Outline: Parameters beyond the documented limits are refused or delivered intact
    When "alice" calls "bob" with <parameters>
    Then the call is refused, or every push carries all the parameters unchanged

    Examples:
      | case          | parameters                                   |
      | nine-params   | 9 parameters of 10 characters each           |
      | long-name     | a parameter named with 40 characters         |
      | long-value    | a parameter whose value has 200 characters   |
