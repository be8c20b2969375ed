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
  Every table row names a vector in fixtures/twi_params/vectors.json, and a self-test
  checks that the literal values shown here are the vector's. JSON maps show the
  parameters; null is a parameter without a value.

  Rule: The voice service carries the dialled parameters in twi_params, URL-encoded

    @PARAMS-ENCODE @must @service
    Scenario Outline: Dialled parameters reach the push URL-encoded
      Given device "bob-phone" of "bob" is registered
      When "alice" calls "bob" with the parameters of vector "<vector>"
      Then the push to "bob-phone" carries twi_params that decode to the parameters of vector "<vector>"

      Examples:
        | vector                  | TwiML parameters                                                             |
        | plain-ascii             | {"caller_name": "alice"}                                                     |
        | several-params-order    | {"caller_first_name": "alice", "caller_last_name": "smith", "priority": "1"} |
        | space-as-plus           | {"display_name": "Alice Smith"}                                              |
        | literal-plus            | {"callback_number": "+15551234567"}                                          |
        | plus-and-spaces-mixed   | {"formula": "a + b"}                                                         |
        | equals-in-value         | {"padding": "YWJj=="}                                                        |
        | ampersand-in-value      | {"company": "Smith & Sons"}                                                  |
        | percent-in-value        | {"discount": "50% off"}                                                      |
        | no-double-decode        | {"literal": "%41"}                                                           |
        | uri-delimiters-in-value | {"path": "a?b/c#d;e:f@g"}                                                    |
        | unreserved-chars-raw    | {"ref": "a-b_c.d~e"}                                                         |
        | newline-in-value        | {"memo": "line1\\nline2"}                                                    |
        | unicode-bmp             | {"city": "Zürich", "name": "José", "price": "5 €"}                           |
        | unicode-astral          | {"mood": "📞 ok"}                                                             |
        | timestamp-millis        | {"timestamp": "1555825985123"}                                               |

    @PARAMS-ABSENT @must @service
    Scenario: A dialled client without parameters gets a push without twi_params
      Given device "bob-phone" of "bob" is registered
      When "alice" calls "bob"
      Then the push to "bob-phone" carries no parameters

  Rule: The client decodes twi_params as the FAQ's 2.x sample does, into its custom parameters

    @PARAMS-ABSENT-MAP @must @client
    Scenario: A push without twi_params gives an empty custom parameters map
      Given a call push for "bob" carrying the twi_params of vector "no-parameters"
      Then the custom parameters of "bob" are those of vector "no-parameters"

    @PARAMS-DECODE @must @client
    Scenario Outline: The client decodes twi_params into its custom parameters
      Given a call push for "bob" carrying the twi_params of vector "<vector>"
      Then the custom parameters of "bob" are those of vector "<vector>"

      Examples:
        | vector                  | twi_params                                                | custom parameters                                                            |
        | plain-ascii             | caller_name=alice                                         | {"caller_name": "alice"}                                                     |
        | several-params-order    | caller_first_name=alice&caller_last_name=smith&priority=1 | {"caller_first_name": "alice", "caller_last_name": "smith", "priority": "1"} |
        | space-as-plus           | display_name=Alice+Smith                                  | {"display_name": "Alice Smith"}                                              |
        | space-as-percent-20     | display_name=Alice%20Smith                                | {"display_name": "Alice Smith"}                                              |
        | literal-plus            | callback_number=%2B15551234567                            | {"callback_number": "+15551234567"}                                          |
        | plus-and-spaces-mixed   | formula=a+%2B+b                                           | {"formula": "a + b"}                                                         |
        | equals-in-value         | padding=YWJj%3D%3D                                        | {"padding": "YWJj=="}                                                        |
        | ampersand-in-value      | company=Smith+%26+Sons                                    | {"company": "Smith & Sons"}                                                  |
        | percent-in-value        | discount=50%25+off                                        | {"discount": "50% off"}                                                      |
        | no-double-decode        | literal=%2541                                             | {"literal": "%41"}                                                           |
        | uri-delimiters-in-value | path=a%3Fb%2Fc%23d%3Be%3Af%40g                            | {"path": "a?b/c#d;e:f@g"}                                                    |
        | unreserved-chars-raw    | ref=a-b_c.d~e                                             | {"ref": "a-b_c.d~e"}                                                         |
        | newline-in-value        | memo=line1%0Aline2                                        | {"memo": "line1\\nline2"}                                                    |
        | unicode-bmp             | city=Z%C3%BCrich&name=Jos%C3%A9&price=5+%E2%82%AC         | {"city": "Zürich", "name": "José", "price": "5 €"}                           |
        | unicode-astral          | mood=%F0%9F%93%9E+ok                                      | {"mood": "📞 ok"}                                                             |
        | lowercase-hex-escapes   | city=Z%c3%bcrich                                          | {"city": "Zürich"}                                                           |
        | timestamp-millis        | timestamp=1555825985123                                   | {"timestamp": "1555825985123"}                                               |

    @PARAMS-FIRST-EQUALS @should @client
    Scenario: An unescaped '=' inside a value stays in the value
      The twi_params "expr=a=b" gives {"expr": "a=b"}.
      Given a call push for "bob" carrying the twi_params of vector "equals-unescaped-in-value"
      Then the custom parameters of "bob" are those of vector "equals-unescaped-in-value"

  Rule: A client that offers both views keeps them consistent

    @PARAMS-VIEWS-AGREE @should @client
    Scenario Outline: The raw 2.x string and the 3.x map describe the same parameters
      Given a call push for "bob" carrying the twi_params of vector "<vector>"
      Then the raw parameters of "bob" are the pushed twi_params
      And the raw parameters of "bob" decode to its custom parameters

      Examples:
        | vector        | twi_params                                        |
        | space-as-plus | display_name=Alice+Smith                          |
        | unicode-bmp   | city=Z%C3%BCrich&name=Jos%C3%A9&price=5+%E2%82%AC |
        | literal-plus  | callback_number=%2B15551234567                    |

  Rule: Where the FAQ's sample is silent or surprising, the client's map is recorded, not judged

    @PARAMS-EDGE-CASES @informative @client
    Scenario Outline: What the client makes of inputs the documentation leaves open is recorded
      The FAQ's 2.x sample gives the map shown. Other decoders read these inputs in other
      reasonable ways (an empty string for a missing value, no empty names), and 3.x
      behaviour is undocumented: a different map is a finding, not a failure.
      Given a call push for "bob" carrying the twi_params of vector "<vector>"
      Then the custom parameters of "bob" are those of vector "<vector>"

      Examples:
        | vector               | twi_params           | documented 2.x map             |
        | empty-value          | note=                | {"note": null}                 |
        | missing-equals       | flag                 | {"flag": null}                 |
        | repeated-key         | tag=first&tag=second | {"tag": "second"}              |
        | key-needing-encoding | first+name=Alice     | {"first+name": "Alice"}        |
        | lone-ampersand       | &                    | {}                             |
        | equals-first         | =v                   | {"=v": null}                   |
        | empty-pair           | a=b&&c=d             | {"a": "b", "": null, "c": "d"} |

    @PARAMS-MALFORMED-ESCAPES @informative @client
    Scenario Outline: On a malformed percent escape the documented decoder throws, and the client's result is recorded
      The FAQ's 2.x sample catches only UnsupportedEncodingException, so URLDecoder's
      IllegalArgumentException on a malformed escape escapes it and every parameter is
      lost (in onMessageReceived, the app crashes). The lenient reading keeps the text as
      sent. A conforming service never sends such a string: the suite records which
      reading the client follows.
      Given a call push for "bob" carrying the twi_params of vector "<vector>"
      Then the client of "bob" loses every parameter of vector "<vector>", as the documented decoder does

      Examples:
        | vector                    | twi_params |
        | malformed-escape-non-hex  | a=%ZZ&b=1  |
        | malformed-escape-trailing | a=1&b=%    |
        | malformed-escape-half     | a=%2       |
