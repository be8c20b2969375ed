"""How a candidate is reached.

Target resolution (``targets``); the HTTP harness protocol's client side: requests and
faults (``connection``), the roles (``http_roles``) and the target (``http_client``); its
server side: the reference served over it (``http_server``, started by ``reference_http``)
and what a served app calls (``app_services``); and an issuer-only token URL (``token_url``).
The protocol's wire format, shared by both sides and by the suite's loopback server, is
:mod:`voice_push_conformance.codecs.harness` (Flask answers: ``codecs.wsgi``).
"""
