@issuer
Feature: Access token format
  The Voice SDKs authenticate with a Twilio Access Token: a JSON Web Token, signed with
  HMAC-SHA256 using an API key's secret, whose header marks it as an Access Token and
  whose grants carry the user's identity and a VoiceGrant. The token vending endpoint of
  the application server issues it.

  Sources: Twilio "Access Tokens" (https://www.twilio.com/docs/iam/access-tokens), the
  Voice Android SDK FAQ (https://www.twilio.com/docs/voice/sdks/android/faq) and error
  20157. Only what the documentation demands is checked, so a token from any official
  helper library passes: twilio-python emits nbf but no iat, twilio-node emits iat and
  leaves nbf out unless asked.

  Background:
    Given the token issuer has issued an access token for "alice"

  Rule: The access token is a JWT whose header says typ JWT, alg HS256 and cty twilio-fpa;v=1

    @TOKEN-HEADER @must
    Scenario: The header declares an HS256 JWT with the twilio-fpa content type
      Then the token header matches schema "access-token-header"

  Rule: The token is signed with HMAC-SHA256 using the secret of the API key it names

    @TOKEN-SIGNATURE @must
    Scenario: The signature verifies with the API key secret
      Then the token signature verifies with the configured API key secret under HS256

  Rule: iss is the API key SID and sub the account SID, each two letters and 32 hex digits; jti, exp and grants are present

    @TOKEN-ISSUER-SUBJECT @must
    Scenario: The issuer is the API key and the subject is the account
      Then the token payload matches schema "access-token-payload"
      And the token claim "iss" is the configured API key SID
      And the token claim "sub" is the configured account SID

  Rule: exp is in epoch seconds, after the issue time, and at most 24 hours later; the token is valid when issued

    @TOKEN-LIFETIME @must
    Scenario: The token is valid when issued and expires within 24 hours
      Then the token is valid at the moment it was issued
      And the token expires at most 86400 seconds after it was issued

  Rule: jti follows the helper libraries' convention: the API key SID, a dash, and the issue time in seconds

    @TOKEN-JTI @informative
    Scenario: The token id names the API key and the second of issue
      Then the token claim "jti" is the API key SID, a dash and the issue time in seconds

  Rule: grants.identity is the non-empty identity the token was requested for

    @TOKEN-IDENTITY @must
    Scenario: The grants carry the identity the token was requested for
      Then the token grants carry the identity of "alice"

  Rule: grants.voice is a VoiceGrant that names the push credential the app receives calls with

    @TOKEN-VOICE-GRANT @must
    Scenario: The grants carry a VoiceGrant naming the push credential
      Then the token grants carry a VoiceGrant
      And the VoiceGrant names the configured push credential
