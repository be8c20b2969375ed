@service
Feature: Registering devices with the voice service
  An app registers its FCM device token with the voice service, authenticated by an
  Access Token that carries a non-empty identity and a VoiceGrant naming the push
  credential. The identity, the push credential and the device token together address
  one registration. Re-registering the same device refreshes it, and unregistering
  removes it. GCM, which Google retired, is refused. A token that is not valid is
  refused with an access-token error and changes nothing. A registration that has had no
  push for a year expires.

  Sources: Voice Android SDK FAQ (https://www.twilio.com/docs/voice/sdks/android/faq),
  "Managing Push Credentials" in voice-quickstart-android, the Twilio error dictionary
  (https://www.twilio.com/docs/api/errors) for codes 20101-20107, 20157 and 31301, and the
  voice-quickstart-ios comment on the registration lifetime. The tokens are the vectors in
  fixtures/registration/vectors.json: each names its weakness (flags) and the result a
  conforming service gives (valid, invalid, or acceptable on a documented boundary).

  Rule: A valid Access Token with a non-empty identity and a VoiceGrant naming the push credential, plus an FCM device token, registers the device, which then receives call pushes

    @REG-VALID @must
    Scenario: A valid token and an FCM token register a device that then gets call pushes
      When "bob" registers device "bob-phone"
      Then the registration is accepted
      When "alice" calls "bob"
      Then "bob-phone" receives 1 call push

    @REG-VALID @must
    Scenario Outline: Tokens shaped like each official helper library's output register
      When "bob" registers device "bob-phone" with token vector "<vector>"
      Then the registration is accepted

      Examples:
        | vector                |
        | python-library-style  |
        | node-library-style    |

    @REG-VALID @must @issuer
    Scenario: End to end, a token the candidate's own issuer vended registers a device that then rings
      When "bob" registers device "bob-phone" with a token the candidate's issuer vended
      Then the registration is accepted
      When "alice" calls "bob"
      Then "bob-phone" receives 1 call push

  Rule: Registering the same device again succeeds and keeps one registration: a call still pushes to it exactly once

    @REG-IDEMPOTENT @must
    Scenario: Registering the same device twice keeps a single registration
      Given device "bob-phone" of "bob" is registered
      When "bob" registers device "bob-phone"
      Then the registration is accepted
      When "alice" calls "bob"
      Then "bob-phone" receives 1 call push

  Rule: Unregistering a device removes its registration: it receives no further call pushes, while the identity's other devices still do

    @REG-UNREGISTER @must
    Scenario: An unregistered device gets no more call pushes
      Given device "bob-phone" of "bob" is registered
      And device "bob-tablet" of "bob" is registered
      When "bob" unregisters device "bob-phone"
      Then the unregistration is accepted
      When "alice" calls "bob"
      Then "bob-phone" receives 0 call pushes
      And "bob-tablet" receives 1 call push

  Rule: A registration over the GCM channel is refused with an error and stores nothing: Google retired GCM in favour of FCM

    @REG-GCM-REJECTED @informative
    Scenario: A registration over GCM is refused and stores nothing
      The FAQ says Google retired GCM and that Twilio support does not handle GCM issues.
      Read as a support policy, a service may still accept GCM; read as a protocol rule, it
      refuses. The suite records which one the candidate does.
      When "bob" registers device "bob-phone" with the channel "gcm"
      Then the registration is refused with a 4xx status and an error code
      When "alice" calls "bob"
      Then "bob-phone" receives 0 call pushes

  Rule: The refusal of a GCM registration names FCM as the replacement, so the developer knows what to change

    @REG-GCM-MESSAGE @informative
    Scenario: The refusal of a GCM registration names FCM
      When "bob" registers device "bob-phone" with the channel "gcm"
      Then the refusal message names FCM

  Rule: An access token with a documented defect is refused with a 4xx status and an access-token error code (20101-20107 or 20157), and changes nothing: earlier registrations keep receiving pushes

    @REG-BAD-TOKEN @must
    Scenario Outline: An invalid access token is refused and loses nothing
      Given device "bob-old" of "bob" is registered
      When "bob" registers device "bob-new" with token vector "<vector>"
      Then the registration is refused with an access-token error
      When "alice" calls "bob"
      Then "bob-new" receives 0 call pushes
      And "bob-old" receives 1 call push

      Examples:
        | vector                |
        | wrong-secret          |
        | signature-stripped    |
        | signature-truncated   |
        | alg-none              |
        | alg-hs384             |
        | alg-hs512             |
        | alg-rs256-header      |
        | no-content-type       |
        | capability-token      |
        | unknown-api-key       |
        | other-account         |
        | iss-not-a-sid         |
        | sub-not-a-sid         |
        | expired               |
        | expired-ten-minutes-ago |
        | exp-not-a-number      |
        | not-yet-valid         |
        | lifetime-over-24h     |
        | no-voice-grant        |
        | grants-not-an-object  |
        | no-identity           |
        | empty-identity        |
        | not-a-jwt             |
        | malformed-base64      |
        | payload-not-json      |

    @REG-BAD-TOKEN @must
    Scenario Outline: A token on a documented boundary is accepted or refused, and loses nothing
      Given device "bob-old" of "bob" is registered
      When "bob" registers device "bob-new" with token vector "<vector>"
      Then the registration is accepted or refused with an access-token error
      When "alice" calls "bob"
      Then "bob-old" receives 1 call push

      Examples:
        | vector                |
        | lifetime-exactly-24h  |
        | expires-now           |

  Rule: Tokens with defects no source names (an oversized or control-character identity, a duplicated claim, a huge token) are refused and change nothing

    @REG-BAD-TOKEN-BASELINE @must
    Scenario Outline: A token with a defect no document names is refused and loses nothing
      Security baseline (an optional profile): the documents name none of these defects.
      Given device "bob-old" of "bob" is registered
      When "bob" registers device "bob-new" with token vector "<vector>"
      Then the registration is refused with an access-token error
      When "alice" calls "bob"
      Then "bob-new" receives 0 call pushes
      And "bob-old" receives 1 call push

      Examples:
        | vector                |
        | oversized-identity    |
        | control-char-identity |
        | duplicate-sub-claim   |
        | huge-token            |

  Rule: The error code names the token's defect: 20107 signature, 20103 issuer or subject, 20104 expired, 20105 not yet valid, 20157 lifetime over 24 h, 20106 grants, 20102 header, 20101 not an Access Token

    @REG-BAD-TOKEN-CODE @should
    Scenario Outline: The error code names what is wrong with the token
      Only defects Twilio's error pages name are listed; the security-baseline defects have
      no documented code.
      When "bob" registers device "bob-phone" with token vector "<vector>"
      Then the registration is refused with the code of token vector "<vector>"

      Examples:
        | vector                |
        | wrong-secret          |
        | signature-stripped    |
        | signature-truncated   |
        | alg-none              |
        | alg-hs384             |
        | alg-hs512             |
        | alg-rs256-header      |
        | no-content-type       |
        | capability-token      |
        | unknown-api-key       |
        | other-account         |
        | iss-not-a-sid         |
        | sub-not-a-sid         |
        | expired               |
        | expired-ten-minutes-ago |
        | exp-not-a-number      |
        | not-yet-valid         |
        | lifetime-over-24h     |
        | no-voice-grant        |
        | grants-not-an-object  |
        | no-identity           |
        | empty-identity        |
        | not-a-jwt             |
        | malformed-base64      |
        | payload-not-json      |

  Rule: A token whose VoiceGrant names no push credential cannot register a device for pushes: it is refused with 20106 (grants) or 31301 (the code the SDK reports for such a refusal)

    @REG-NO-PUSH-CREDENTIAL @should
    Scenario: A VoiceGrant without a push credential cannot register for pushes
      When "bob" registers device "bob-phone" with a token that has no push credential
      Then the registration is refused with one of the error codes 20106, 31301
      When "alice" calls "bob"
      Then "bob-phone" receives 0 call pushes

  Rule: A registration that received no push for 364 days still receives call pushes: it does not lapse before the year the FAQ tells apps to renew within

    @REG-EXPIRY-NOT-EARLY @should @clock
    Scenario: A registration without a push for 364 days still gets call pushes
      The FAQ tells apps to register again after a year without a push; error 31301 speaks
      of six months. A service that drops registrations sooner than a year loses calls of
      apps that follow the FAQ, so keeping them is recommended.
      Given device "bob-phone" of "bob" is registered
      When 364 days pass
      And "alice" calls "bob"
      Then "bob-phone" receives 1 call push

    @REG-EXPIRY-NOT-EARLY @should @clock
    Scenario: Registering the device again restarts the registration's year
      The FAQ's renewal advice only works if a registration renewed by the app is kept as
      long as a new one: a year from the renewal, not from the first registration.
      Given device "bob-phone" of "bob" is registered
      When 200 days pass
      And "bob" registers device "bob-phone"
      And 200 days pass
      And "alice" calls "bob"
      Then "bob-phone" receives 1 call push

  Rule: A registration that received no push for over a year (366 days) no longer receives call pushes

    @REG-EXPIRY @informative @clock
    Scenario: A registration without a push for 366 days has expired
      The FAQ obliges the app to renew after a year; it never obliges the service to drop
      the registration then. Whether the candidate still pushes is recorded.
      Given device "bob-phone" of "bob" is registered
      When 366 days pass
      And "alice" calls "bob"
      Then "bob-phone" receives 0 call pushes

  Rule: A push restarts a registration's year: a device registered at day 0 and pushed at day 200 is still notified at day 400

    @REG-PUSH-KEEPS-ALIVE @should @clock
    Scenario: A push restarts the registration's year
      Given device "bob-phone" of "bob" is registered
      When 200 days pass
      And "alice" calls "bob"
      And 200 days pass
      And "alice" calls "bob"
      Then "bob-phone" receives 2 call pushes

  Rule: A token for one identity cannot unregister another identity's device: that device keeps receiving its calls

    @REG-ISOLATION @must
    Scenario: One identity cannot unregister another identity's device
      Given device "carol-phone" of "carol" is registered
      When "bob" unregisters device "carol-phone"
      And "alice" calls "carol"
      Then "carol-phone" receives 1 call push

  Rule: A registration with an unknown channel, an empty device token or an implausibly long one is refused with a 4xx status and stores nothing

    @REG-BAD-INPUT @must
    Scenario Outline: A malformed registration is refused and stores nothing
      When "bob" registers device "bob-phone" with <input>
      Then the registration is refused with a 4xx status and an error code
      When "alice" calls "bob"
      Then no push reaches "bob"

      Examples:
        | case            | input                          |
        | unknown-channel | the channel "carrier-pigeon"   |
        | empty-channel   | the channel ""                 |
        | empty-token     | an empty device token          |
        | huge-token      | a device token of 5000 characters |
