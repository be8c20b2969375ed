@client
Feature: Registration cadence on the device
  A device must register its push token with the voice service whenever the token
  changes, and again when it has received no push for a year; registering an unchanged,
  recent token is wasted work. The recommended app logic is: register the token from
  FCM and store it once registered; in the token callback (onNewToken) compare the new
  token with the stored one and register only if it differs; and register again when the
  last registration is more than six months old.

  Source: Voice Android SDK FAQ (https://www.twilio.com/docs/voice/sdks/android/faq),
  "the device token must be registered every time it changes", and error 31301
  (https://www.twilio.com/docs/api/errors/31301). The suite plays the voice service the
  client registers with and records each request.

  Rule: When the device token differs from the one stored (including the very first token), the client registers it over FCM and stores it

    @CADENCE-NEW-TOKEN @must
    Scenario: The first device token is registered over FCM
      When the app of "bob" starts with device token "token-1"
      Then the client of "bob" has registered device token "token-1" 1 time over FCM

    @CADENCE-NEW-TOKEN @must
    Scenario: A changed device token is registered and then remembered
      Given the app of "bob" has registered device token "token-1"
      When the app of "bob" is handed by FCM the new device token "token-2"
      And the app of "bob" starts with device token "token-2"
      Then the client of "bob" has registered device token "token-2" 1 time over FCM

  Rule: When FCM hands the running app a changed device token (onNewToken), the client registers it at once, without waiting for the next app start

    @CADENCE-ON-NEW-TOKEN @should
    Scenario: A token that changes while the app runs is registered at once
      Given the app of "bob" has registered device token "token-1"
      When the app of "bob" is handed by FCM the new device token "token-2"
      Then the client of "bob" has registered device token "token-2" 1 time over FCM

  Rule: When the device token equals the stored one and the registration is recent, the client does not register again

    @CADENCE-SAME-TOKEN @should @clock
    Scenario Outline: An unchanged, recent device token is not registered again
      Given the app of "bob" has registered device token "token-1"
      When <days> days pass
      And the app of "bob" starts with device token "token-1"
      And the app of "bob" is handed by FCM the new device token "token-1"
      Then the client of "bob" has registered device token "token-1" 1 time over FCM

      Examples:
        | case      | days |
        | same-day  | 0    |
        | next-day  | 1    |
        | one-month | 30   |

    @CADENCE-SAME-TOKEN @should @clock
    Scenario: After a yearly renewal, an unchanged token is not registered again
      Given the app of "bob" has registered device token "token-1"
      When 366 days pass
      And the app of "bob" starts with device token "token-1"
      And 1 days pass
      And the app of "bob" starts with device token "token-1"
      And the app of "bob" is handed by FCM the new device token "token-1"
      Then the client of "bob" has registered device token "token-1" 2 times over FCM

  Rule: A registration the voice service refuses leaves the stored token unchanged, so the next token callback registers again

    @CADENCE-RETRY @should
    Scenario: A refused registration is retried at the next token callback
      Given the app of "bob" has registered device token "token-1"
      And the voice service refuses the next registration
      When the app of "bob" is handed by FCM the new device token "token-2"
      And the app of "bob" is handed by FCM the new device token "token-2"
      Then the client of "bob" has registered device token "token-2" 2 times over FCM

  Rule: A client whose last registration is over a year old (and that received no push since) registers again, even with an unchanged token

    @CADENCE-YEARLY @must @clock
    Scenario: A registration over a year old is renewed with the same token
      Given the app of "bob" has registered device token "token-1"
      When 366 days pass
      And the app of "bob" starts with device token "token-1"
      Then the client of "bob" has registered device token "token-1" 2 times over FCM

  Rule: The client registers again once its last registration is more than six months old, well before the one-year expiry

    @CADENCE-SIX-MONTHS @should @clock
    Scenario: A registration over six months old is renewed with the same token
      Given the app of "bob" has registered device token "token-1"
      When 185 days pass
      And the app of "bob" starts with device token "token-1"
      Then the client of "bob" has registered device token "token-1" 2 times over FCM
