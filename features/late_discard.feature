Feature: Discarding late call notifications
  When the callee's device is offline, the push service may deliver the incoming-call push
  long after the call has ended. The documented workaround has two halves. The
  application server stamps each dialled <Client> with a "timestamp" <Parameter>: the
  current UTC time in epoch milliseconds. The client compares that stamp with the device
  clock and discards the push when the device time is "significantly later" (the FAQ's
  sample code: more than 60 000 ms past it); otherwise it shows the call.

  Source: Voice Android SDK FAQ, "discard a late notification"
  (https://www.twilio.com/docs/voice/sdks/android/faq). Note that the FAQ's own example
  value, 1555825985, is in seconds, while the rule and its Date.now() step use
  milliseconds. The suite follows the rule and reports the example as a finding.

  The FAQ offers all of this as a proposal an app developer can implement, not as an
  obligation: these scenarios form the optional profile "late-notification-workaround",
  which a candidate claims only if it implements the workaround.

  Rule: The application server adds a timestamp parameter to the dialled <Client>: the current UTC time in epoch milliseconds, as a string

    @LATE-STAMP-MS @must @issuer @voice_webhook
    Scenario: The application server stamps a dialled client in epoch milliseconds
      When the application server answers a call from "alice" to "bob"
      Then the TwiML dials client "bob"
      And the TwiML's timestamp parameter is the current time in epoch milliseconds

  Rule: The client shows a call push that is on time or a few seconds late, and discards one that is far later than its timestamp (an hour)

    @LATE-DISCARD @must @client @clock
    Scenario Outline: A call push is shown on time and discarded when far too late
      Given a call push for "bob" stamped with the current time
      When <late> ms pass
      Then the client of "bob" <decision> the push

      Examples:
        | case            | late    | decision |
        | just-arrived    | 0       | displays |
        | one-second-late | 1000    | displays |
        | one-hour-late   | 3600000 | discards |

    @LATE-DISCARD @must @client
    Scenario: A push stamped ahead of the device clock is shown
      Given a call push for "bob" stamped 5000 ms after the current time
      Then the client of "bob" displays the push

    @LATE-DISCARD @must @issuer @voice_webhook @service @client @clock
    Scenario: End to end, a call push that reaches the device on time is shown
      Given device "bob-phone" of "bob" is registered
      When the application server answers a call from "alice" to "bob"
      And the voice service dials that TwiML
      And 2000 ms pass
      Then the client of "bob" displays the push FCM delivered to "bob-phone"

    @LATE-DISCARD @must @issuer @voice_webhook @service @client @clock
    Scenario: End to end, a call push delivered at once but handled an hour later is discarded
      FCM delivers the push as soon as the call is placed; the app handles it only an hour
      later (a device that was busy). A push that really arrives late is LATE-PREMISE below.
      Given device "bob-phone" of "bob" is registered
      When the application server answers a call from "alice" to "bob"
      And the voice service dials that TwiML
      Then FCM delivered 1 push to "bob-phone"
      When 3600000 ms pass
      Then the client of "bob" discards the push FCM delivered to "bob-phone"

    @LATE-DISCARD @must @client
    Scenario: A push stamped two minutes ahead of a device clock that runs slow is shown
      Given a call push for "bob" stamped 120000 ms after the current time
      Then the client of "bob" displays the push

  Rule: Following the FAQ's sample exactly, a push exactly 60 000 ms late is shown and one 60 001 ms late is discarded

    @LATE-DISCARD-BOUNDARY @informative @client @clock
    Scenario Outline: Like the FAQ's sample, a call push is shown until it is more than 60 000 ms late
      The FAQ's words discard a push when the device time is "significantly later" than its
      stamp; only its sample code fixes that at more than 60 000 ms. A client with another
      reasonable threshold follows the words: the suite records whether it follows the sample.
      Given a call push for "bob" stamped with the current time
      When <late> ms pass
      Then the client of "bob" <decision> the push

      Examples:
        | case          | late  | decision |
        | exactly-60000 | 60000 | displays |
        | one-ms-past   | 60001 | discards |

  Rule: A call push without a timestamp parameter is displayed: the workaround only discards what it can prove late

    @LATE-NO-STAMP @should @client
    Scenario: A call push without a timestamp is shown
      Suite baseline. The FAQ's sample hands the missing stamp to Long.parseLong, which
      throws, so an app that copies it crashes instead of ringing. The suite recommends
      showing the call; a client that follows the sample gets a warning, not a failure.
      Given a call push for "bob" without a timestamp
      Then the client of "bob" displays the push

  Rule: A timestamp that is not a whole number does not crash the client; the push is displayed or discarded, never an error

    @LATE-MALFORMED @should @client
    Scenario Outline: A timestamp that is not a whole number does not crash the client
      Suite baseline. The FAQ's Long.parseLong throws on every value below; the suite
      recommends showing or discarding the push instead, as hardening beyond the sample.
      Given a call push for "bob" with timestamp "<value>"
      Then the client of "bob" handles the push without an error

      Examples:
        | case        | value            |
        | letters     | soon             |
        | decimal     | 1555825985000.5  |
        | hexadecimal | 0x16A4F3E8C28    |
        | overflowing | 9223372036854775808000 |
        | spaces      | 155 582 598 5000 |

  Rule: The FAQ's own example stamp (1555825985) is in seconds; a client following the millisecond rule discards such a push as decades late

    @LATE-SECONDS @informative @client
    Scenario: A push stamped in seconds, as in the FAQ's example, is discarded
      Given a call push for "bob" stamped with the current time in seconds
      Then the client of "bob" discards the push

  Rule: A device that is offline during the call and back online later never shows that call: either no push arrives, or it arrives late and is discarded

    @LATE-PREMISE @informative @issuer @voice_webhook @service @client @clock
    Scenario: End to end, a device offline during the call shows no call once back online
      The workaround assumes push services deliver an offline device's push much later; the
      FAQ's 2.1 note says current pushes reach only devices reachable when the call is
      placed. Under either reading the app shows no call: no push arrives, or it arrives
      late and is discarded. A late push that is shown is recorded.
      Given device "bob-phone" of "bob" is registered
      And device "bob-phone" is offline
      When the application server answers a call from "alice" to "bob"
      And the voice service dials that TwiML
      And 3600000 ms pass
      And device "bob-phone" comes back online
      Then the client of "bob" shows no call from what FCM delivered to "bob-phone"
