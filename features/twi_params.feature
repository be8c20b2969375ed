Feature: Custom call parameters in twi_params
  A TwiML application can hand the callee custom key/value data: each <Parameter name
  value> inside a dialled <Client> travels in the incoming-call push under the data key
  "twi_params", as '&'-joined name=value pairs, URL-encoded. A 2.x client reads that
  raw string and decodes it itself; a 3.x client exposes the same pairs as its custom
  parameters map. Decoding splits on '&', splits each pair on its first '=', turns '+'
  into a space and %XX sequences (UTF-8) into characters.

  Sources: Call Notification Webhook (https://www.twilio.com/docs/voice/sdks/client-call-notification-webhook)
  for the URL encoding; Voice Android SDK FAQ (https://www.twilio.com/docs/voice/sdks/android/faq),
  "discard a late notification", step 3, for the 2.x decoding and the 3.x map.
  The vectors named below are in fixtures/twi_params/vectors.json. The documentation is
  silent on empty values, repeated names and names that need encoding: those scenarios
  are informative and record what the client does against the documented 2.x decoder.

  @PARAMS-ENCODE @must @service
  Scenario Outline: Dialled parameters reach the push URL-encoded
    Given device "bob-phone" of "bob" is registered
    When "alice" calls "bob" with the parameters of vector "<vector>"
    Then the push to "bob-phone" carries twi_params that decode to the parameters of vector "<vector>"

    Examples:
      | vector                  |
      | plain-ascii             |
      | several-params-order    |
      | space-as-plus           |
      | literal-plus            |
      | plus-and-spaces-mixed   |
      | equals-in-value         |
      | ampersand-in-value      |
      | percent-in-value        |
      | no-double-decode        |
      | uri-delimiters-in-value |
      | unreserved-chars-raw    |
      | newline-in-value        |
      | unicode-bmp             |
      | unicode-astral          |
      | timestamp-millis        |

  @PARAMS-ABSENT @must @service
  Scenario: A dialled client without parameters gets a push without twi_params
    Given device "bob-phone" of "bob" is registered
    When "alice" calls "bob"
    Then the push to "bob-phone" carries no parameters

  @PARAMS-ABSENT @must @client
  Scenario: A push without twi_params gives an empty custom parameters map
    Given a call push for "bob" carrying the twi_params of vector "no-parameters"
    Then the custom parameters of "bob" are those of vector "no-parameters"

  @PARAMS-DECODE @must @client
  Scenario Outline: The client decodes twi_params into its custom parameters
    Given a call push for "bob" carrying the twi_params of vector "<vector>"
    Then the custom parameters of "bob" are those of vector "<vector>"

    Examples:
      | vector                  |
      | plain-ascii             |
      | several-params-order    |
      | space-as-plus           |
      | space-as-percent-20     |
      | literal-plus            |
      | plus-and-spaces-mixed   |
      | equals-in-value         |
      | ampersand-in-value      |
      | percent-in-value        |
      | no-double-decode        |
      | uri-delimiters-in-value |
      | unreserved-chars-raw    |
      | newline-in-value        |
      | unicode-bmp             |
      | unicode-astral          |
      | lowercase-hex-escapes   |
      | timestamp-millis        |

  @PARAMS-FIRST-EQUALS @should @client
  Scenario: An unescaped '=' inside a value stays in the value
    Given a call push for "bob" carrying the twi_params of vector "equals-unescaped-in-value"
    Then the custom parameters of "bob" are those of vector "equals-unescaped-in-value"

  @PARAMS-VIEWS-AGREE @must @client
  Scenario Outline: The raw 2.x string and the 3.x map describe the same parameters
    Given a call push for "bob" carrying the twi_params of vector "<vector>"
    Then the raw parameters of "bob" are the pushed twi_params
    And the raw parameters of "bob" decode to its custom parameters

    Examples:
      | vector        |
      | space-as-plus |
      | unicode-bmp   |
      | literal-plus  |

  @PARAMS-EDGE-CASES @informative @client
  Scenario Outline: Cases the documentation leaves open follow the documented 2.x decoder
    Given a call push for "bob" carrying the twi_params of vector "<vector>"
    Then the custom parameters of "bob" are those of vector "<vector>"

    Examples:
      | vector               |
      | empty-value          |
      | missing-equals       |
      | repeated-key         |
      | key-needing-encoding |
