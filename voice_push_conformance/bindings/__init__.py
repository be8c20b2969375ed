"""How a candidate is reached.

Target resolution (``targets``); the HTTP harness protocol's wire format (``harness``); its
client side: requests and faults (``connection``), the roles (``http_roles``) and the target
(``http_client``); its server side: the reference served over it (``http_server``, started
by ``reference_http``), Flask answers (``wsgi``) and what a served app calls (``app_services``);
and an issuer-only token URL (``token_url``).
"""
