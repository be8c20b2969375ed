"""What the suite plays for the candidate, and watches.

The FCM model (``fcm``), the registrar a client role registers with (``registrar``), the
loopback server that exposes both over HTTP (``loopback``) and the transcript of exchanges.
"""
