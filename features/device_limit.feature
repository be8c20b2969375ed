@service
Feature: Only the 10 most recently registered devices of an identity are notified
  One identity may be signed in on many devices, but the voice service notifies at most
  10 of them for an incoming call: the 10 registered most recently. Registering a device
  again makes it recent again. The limit applies to each identity separately.

  Source: Voice Android SDK FAQ (https://www.twilio.com/docs/voice/sdks/android/faq),
  troubleshooting incoming-call pushes: do not exceed 10 active registrations for the
  same identity; only the most recent 10 registered devices are notified.

  Rule: A call notifies every device of the identity when it has at most 10, and exactly the 10 most recently registered when it has more

    @LIMIT-TEN @must
    Scenario Outline: A call notifies all devices up to 10, and the 10 most recent beyond that
      Given <count> devices of "bob" are registered one after another
      When "alice" calls "bob"
      Then exactly the <notified> most recently registered devices of "bob" receive a call push

      Examples:
        | case       | count | notified |
        | one        | 1     | 1        |
        | nine       | 9     | 9        |
        | ten        | 10    | 10       |
        | eleven     | 11    | 10       |
        | fifteen    | 15    | 10       |

    @LIMIT-TEN @must
    Scenario Outline: Concurrent registrations still notify exactly ten devices once each
      With exactly ten registered at once, every one of them must ring: none may be lost.
      Given <count> devices of "bob" register at the same time
      When "alice" calls "bob"
      Then exactly 10 devices of "bob" receive a call push, once each

      Examples:
        | count |
        | 10    |
        | 50    |

  Rule: Registering an older device again makes it one of the most recent: it is notified, and the next-oldest device drops out of the 10

    @LIMIT-REFRESH @should
    Scenario: Registering the oldest device again brings it back into the ten
      "Most recent 10 registered" can count a device from its latest registration (as here)
      or from its first; the FAQ does not say. Apps are told to register again, so the
      suite recommends the first reading.
      Given 11 devices of "bob" are registered one after another
      When device "bob-device-1" of "bob" registers again
      And "alice" calls "bob"
      Then exactly the 10 most recently registered devices of "bob" receive a call push
      And "bob-device-1" receives 1 call push
      And "bob-device-2" receives 0 call pushes

    @LIMIT-REFRESH @should
    Scenario: A device that leaves and comes back counts as newly registered
      Given 13 devices of "bob" are registered one after another
      When "bob" unregisters device "bob-device-1"
      And device "bob-device-1" of "bob" registers again
      And "alice" calls "bob"
      Then exactly the 10 most recently registered devices of "bob" receive a call push
      And "bob-device-1" receives 1 call push
      And "bob-device-4" receives 0 call pushes

  Rule: The limit counts the devices of one identity: other identities' devices neither count towards it nor are notified

    @LIMIT-PER-IDENTITY @must
    Scenario: Each identity has its own ten
      Given 12 devices of "bob" are registered one after another
      And 3 devices of "carol" are registered one after another
      When "alice" calls "carol"
      Then exactly the 3 most recently registered devices of "carol" receive a call push
      And no push reaches "bob"
      When "alice" calls "bob"
      Then exactly the 10 most recently registered devices of "bob" receive a call push

  Rule: When an identity's newest registration is removed, the ten remaining registrations are all notified: removed registrations take no place among the ten

    @LIMIT-ACTIVE @informative
    Scenario: Fifty concurrent registrations are all kept
      Registrations beyond the ten can only be seen once newer ones leave. Under the
      "active" reading of the FAQ (see below) each unregistered device frees its place, so
      every one of the fifty rings once; a service that kept only ten, or lost some, does not.
      Given 50 devices of "bob" register at the same time
      When "alice" calls "bob"
      Then exactly 10 devices of "bob" receive a call push, once each
      And every device of "bob" is reached once when each call's devices are unregistered before the next call

    @LIMIT-ACTIVE @informative
    Scenario: An unregistered device does not take one of the ten places
      The FAQ advises no more than 10 "active" registrations, and notifies the "most
      recent 10 registered". If a removed registration still held its place, fewer than ten
      devices would ring. The suite expects the "active" reading and records the other.
      Given 11 devices of "bob" are registered one after another
      When "bob" unregisters device "bob-device-11"
      And "alice" calls "bob"
      Then exactly the 10 most recently registered devices of "bob" receive a call push
      And "bob-device-11" receives 0 call pushes

  Rule: When FCM answers UNREGISTERED for a device, the service drops that registration and stops pushing to it; the identity's other devices are still notified

    @PUSH-UNREGISTERED @should
    Scenario: A device FCM reports as uninstalled stops taking one of the ten places
      Dropping a registration FCM calls UNREGISTERED is a SHOULD (PUSH-UNREGISTERED); once
      dropped, it is no longer among the registered devices and frees its place.
      Given 11 devices of "bob" are registered one after another
      And the app on "bob-device-11" has been uninstalled
      When "alice" calls "bob"
      And "alice" calls "bob"
      Then the last call reached exactly the 10 most recently registered devices of "bob" except "bob-device-11"
