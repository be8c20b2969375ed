"""Test data: SIDs, identities and device tokens, all drawn from Faker under a seed.

Each scenario gets its own generator seeded from the run seed and the scenario's id, so
its data does not depend on which other scenarios ran, in which order, or on which
xdist worker.
"""

from __future__ import annotations

import hashlib
import string

from faker import Faker

HEX = "0123456789abcdef"
# FCM registration tokens: an instance id, a colon, then a long URL-safe base64 string.
_B64URL = string.ascii_letters + string.digits + "-_"


def derive_seed(run_seed: int, *parts: str) -> int:
    """A stable 63-bit seed for one scenario (or any other named part of a run)."""
    digest = hashlib.sha256(repr((run_seed, *parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


_FAKER: Faker | None = None


class DataFactory:
    """Fresh, unique-looking values for one scenario.

    Building a Faker costs milliseconds; one per process is reseeded for each scenario,
    which gives the same values as a fresh one (scenarios in a process run one at a time).
    """

    def __init__(self, seed: int) -> None:
        global _FAKER  # noqa: PLW0603 - a per-process cache
        if _FAKER is None:
            _FAKER = Faker("en_US")
        self.faker = _FAKER
        self.faker.seed_instance(seed)

    def _chars(self, alphabet: str, length: int) -> str:
        return "".join(self.faker.random_elements(alphabet, length=length, use_weighting=False))

    def sid(self, prefix: str) -> str:
        """A Twilio-style SID: two capital letters and 32 lowercase hex digits."""
        if len(prefix) != 2 or not prefix.isalpha() or not prefix.isupper():
            raise ValueError(f"a SID prefix is two capital letters, not {prefix!r}")
        return prefix + self._chars(HEX, 32)

    def identity(self, alias: str) -> str:
        """An identity the mobile SDKs accept (letters, digits, underscore), fresh per call.

        Real identities come in every letter case, so the case varies under the seed: a
        service that lowercases, or compares without case, shows it. Surrounding spaces are
        not varied: TwiML readers trim the <Identity> text, so no client can have them.
        """
        stem = "".join(ch for ch in alias.lower() if ch.isalnum()) or "user"
        stem = self.faker.random_element((stem, stem.capitalize(), stem.upper(), stem.capitalize()))
        suffix = "".join(ch.upper() if self.faker.boolean() else ch for ch in self._chars(HEX, 10))
        return f"{stem}_{suffix}"

    def parameter_value(self) -> str:
        """A custom parameter value as people type them: words, doubled and surrounding spaces."""
        words = self.faker.words(nb=self.faker.random_int(1, 3))
        inner = self.faker.random_element((" ", "  ")).join(words)
        return self.faker.random_element(("", " ", "  ")) + inner + self.faker.random_element(("", " ", "  "))

    def fcm_token(self) -> str:
        return f"{self._chars(_B64URL, 22)}:APA91b{self._chars(_B64URL, 134)}"

    def secret(self) -> str:
        return self._chars(HEX, 32)

    def project_id(self) -> str:
        return f"{self.faker.word()}-{self._chars(HEX, 6)}"
