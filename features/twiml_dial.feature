@service
Feature: TwiML Dial to a client
  A call reaches a mobile user when the TwiML application answers with a <Dial> holding
  one or more <Client> nouns. Each names an identity with <Identity> (or, in the older
  shorthand, as the noun's text) and may carry <Parameter name value> pairs. The <Dial>
  may set callerId and answerOnBridge ("true" or "false"). The voice service rings every
  named identity's devices in one call. TwiML it cannot read is refused with an error
  (12100, document parse failure) and rings nobody. TwiML never needs a DTD: a document
  declaring entities is refused without expanding or fetching them, and a bare DOCTYPE
  may be refused or read.

  Sources: TwiML <Client> (https://www.twilio.com/docs/voice/twiml/client), error 12100
  (https://www.twilio.com/docs/api/errors/12100) and the OWASP XXE prevention cheat sheet.
  The documents are the vectors in fixtures/twiml_dial/vectors.json.

  Background:
    Given device "bob-phone" of "bob" is registered
    And device "carol-phone" of "carol" is registered

  Rule: A <Dial> of one or more <Client><Identity> elements, with callerId, answerOnBridge and <Parameter>s, rings every named identity's devices in one call

    @TWIML-DIAL-CLIENT @must
    Scenario Outline: A Dial to clients rings every named identity in one call
      When the voice service is handed the TwiML of vector "<vector>"
      Then the voice service accepts the call
      And the identities rung by vector "<vector>" receive one push each for one call
      And the pushes carry the parameters of vector "<vector>"

      Examples:
        | vector                  |
        | identity-and-parameters |
        | answer-on-bridge-false  |
        | two-clients             |

    @TWIML-DIAL-CLIENT @must
    Scenario: A generated Dial to several clients, with everyday parameter values, rings each with its own parameters
      When the voice service is handed a generated Dial to "bob" and "carol" with generated parameters
      Then the voice service accepts the call
      And "bob-phone" and "carol-phone" each receive one push of one call, with their own parameters unchanged

  Rule: The older shorthand <Client>bob</Client>, with the identity as text, also rings that identity

    @TWIML-LEGACY-CLIENT @should
    Scenario: The Client shorthand with the identity as text rings that identity
      When the voice service is handed the TwiML of vector "legacy-shorthand"
      Then the voice service accepts the call
      And the identities rung by vector "legacy-shorthand" receive one push each for one call

  Rule: TwiML that is not well-formed, not a <Response><Dial>, or names no <Client> identity is refused with an error and sends no push

    @TWIML-MALFORMED @must
    Scenario Outline: TwiML the service cannot act on is refused and rings nobody
      When the voice service is handed the TwiML of vector "<vector>"
      Then the voice service refuses the call with an error
      And no push is sent for the call

      Examples:
        | vector                  |
        | not-well-formed         |
        | root-not-response       |
        | dial-without-client     |
        | client-without-identity |

  Rule: A <Dial> with an answerOnBridge value other than true/false, or a <Parameter> without a value, is refused or rung; what the candidate does is recorded

    @TWIML-ATTRIBUTE-VALUES @informative
    Scenario Outline: TwiML with a doubtful attribute value is refused and rings nobody
      Twilio documents a bad answerOnBridge value as warning 13219, not as a refusal, and
      says nothing of a <Parameter> without a value. Refusing is one reading, ringing with
      a warning the other; the suite records whether the candidate refuses.
      When the voice service is handed the TwiML of vector "<vector>"
      Then the voice service refuses the call with an error
      And no push is sent for the call

      Examples:
        | vector                  |
        | parameter-without-value |
        | answer-on-bridge-yes    |

  Rule: TwiML with a DOCTYPE, entity expansion or an external entity is refused without expanding or fetching anything, and sends no push

    @TWIML-XML-ATTACKS @must
    Scenario Outline: TwiML with a DTD is refused without expanding or fetching entities
      When the voice service is handed the TwiML of vector "<vector>"
      Then the voice service refuses the call with an error
      And no push is sent for the call
      And the refusal does not echo a local file

      Examples:
        | vector          |
        | billion-laughs  |
        | external-entity |
        | internal-entity |

    @TWIML-XML-ATTACKS @must
    Scenario: A bare DOCTYPE declaring no entities may be refused or read, but never fetches anything
      When the voice service is handed the TwiML of vector "bare-doctype"
      Then the voice service refuses the call without a push, or rings "bob" once
      And the refusal does not echo a local file
