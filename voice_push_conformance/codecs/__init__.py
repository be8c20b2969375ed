"""Wire formats, each read and written in one place with a well-kept library.

Access tokens (``tokens``, PyJWT), the ``twi_params`` push field (``twi_params``, urllib),
TwiML (``twiml``: ElementTree out, defusedxml in) and the HTTP harness protocol's bodies
(``harness``; ``wsgi`` turns its answers into Flask responses for the two servers).
"""
