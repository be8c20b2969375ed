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

  Rule: Every push is a valid FCM send request (one target, string data values, no reserved keys) for the registered device token, authorised with the push credential, and FCM accepts it

    @PUSH-ENVELOPE @must
    Scenario: Every push is a valid FCM send request that FCM accepts
      When "alice" calls "bob"
      Then every push is a valid FCM send request that FCM accepted
      And "bob-phone" receives 1 call push
      And "bob-tablet" receives 1 call push

  Rule: The push data describes the call: twi_message_type twilio.voice.call, the account, one call SID per call, twi_from the caller ID, twi_to client:<callee>, a bridge token and a message id unique per push

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

    @PUSH-CALL-PAYLOAD @must
    Scenario: A call push is a data message, with no notification block
      When "alice" calls "bob"
      Then every push is data-only, without a notification block

  Rule: Incoming-call pushes are sent with high priority, so a device in Doze wakes for them

    @PUSH-HIGH-PRIORITY @must
    Scenario: Call pushes have high priority
      The FAQ follows this rule with "this does not apply to version 2.1 or higher". The
      suite reads "this" as the delivery to unreachable devices (see the next scenarios),
      not the priority; a reading under which 2.1+ pushes need not be high priority would
      make this a finding rather than a failure.
      When "alice" calls "bob"
      Then every push has high priority

  Rule: Incoming-call pushes are sent with an FCM time to live of zero (ttl "0s")

    @PUSH-TTL-ZERO @should
    Scenario: Call pushes have a time to live of zero
      The FAQ never says TTL 0: it says a 2.1+ push is delivered only if the device is
      reachable when the call is placed. FCM's ttl 0 is the documented way to get that;
      a short positive TTL is the other reading, so the exact field is recommended.
      When "alice" calls "bob"
      Then every push has a time to live of zero

  Rule: A device that is unreachable when the call is placed never receives that call's push later

    @PUSH-REACHABLE-ONLY @must @clock
    Scenario: A device that was unreachable during the call never gets the push
      The FAQ states this for SDK 2.1 or higher; for older SDKs it implies the push could
      arrive later. The suite serves current SDKs only, so it checks the 2.1+ behaviour.
      Given device "bob-tablet" is offline
      When "alice" calls "bob"
      And 300000 ms pass
      And device "bob-tablet" comes back online
      Then FCM delivered 0 pushes to "bob-tablet"
      And FCM delivered 1 push to "bob-phone"

  Rule: A call pushes only to devices registered for the callee identity: never to other identities' devices

    @PUSH-TARGETING @must
    Scenario: Only the callee's devices are pushed
      Given device "carol-phone" of "carol" is registered
      When "alice" calls "carol"
      Then "carol-phone" receives 1 call push
      And "bob-phone" receives 0 call pushes
      And "bob-tablet" receives 0 call pushes

  Rule: When FCM answers UNREGISTERED for a device, the service drops that registration and stops pushing to it; the identity's other devices are still notified

    @PUSH-UNREGISTERED @should
    Scenario: A registration FCM reports as unregistered is dropped
      Given the app on "bob-tablet" has been uninstalled
      When "alice" calls "bob"
      And "alice" calls "bob"
      Then FCM received 1 request for "bob-tablet"
      And "bob-phone" receives 2 call pushes

  Rule: A push FCM refuses (for example SENDER_ID_MISMATCH, when the app's Firebase project is not the push credential's) is reported as a failed delivery, never as delivered

    @PUSH-FAILURE-REPORTED @should
    Scenario: A push refused for a sender mismatch is reported as failed
      Given device "bob-laptop" of "bob" is registered with a token of another Firebase project
      When "alice" calls "bob"
      Then the call reports the delivery to "bob-laptop" as failed
      And the call reports the delivery to "bob-phone" as delivered

  Rule: Pushes go through FCM HTTP v1; a candidate still using the legacy HTTP API, which Google shut down in 2024, is reported

    @PUSH-LEGACY-API @informative
    Scenario: Pushes go through FCM HTTP v1, not the retired legacy API
      When "alice" calls "bob"
      Then every push used the FCM HTTP v1 API

  Rule: The service never sends a push FCM must reject for size (data over 4096 bytes), and never alters parameters to make them fit

    @PUSH-SIZE-LIMIT @must
    Scenario: Parameters too large for one push are never sent
      When "alice" calls "bob" with 40 parameters of 120 characters each
      Then no push is sent for the call

    @PUSH-SIZE-LIMIT @must
    Scenario Outline: Parameters beyond the documented limits are refused or delivered intact
      When "alice" calls "bob" with <parameters>
      Then the call is refused, or every push carries all the parameters unchanged

      Examples:
        | case          | parameters                                   |
        | nine-params   | 9 parameters of 10 characters each           |
        | long-name     | a parameter named with 40 characters         |
        | long-value    | a parameter whose value has 200 characters   |

    @PUSH-SIZE-LIMIT @must
    Scenario Outline: Push data at FCM's 4096-byte limit, or one byte over it, is never sent broken
      When "alice" calls "bob" with one <alphabet> parameter sized so the push data is <size> bytes
      Then the sized call is refused without a push, or every push of it arrives with the parameter unchanged

      Examples:
        | case                | alphabet   | size |
        | ascii-at-limit      | ASCII      | 4096 |
        | ascii-one-over      | ASCII      | 4097 |
        | multibyte-at-limit  | multi-byte | 4096 |
        | multibyte-one-over  | multi-byte | 4097 |

  Rule: Parameters that would make a push too large for FCM make the call fail with an error the caller can see, rather than vanish

    @PUSH-SIZE-REFUSED @should
    Scenario: A call whose parameters are too large for one push fails with an error
      When "alice" calls "bob" with 40 parameters of 120 characters each
      Then the voice service refuses the call with an error
