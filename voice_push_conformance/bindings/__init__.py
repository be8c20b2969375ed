"""How a candidate is reached.

Target resolution (``targets``), the HTTP harness protocol's wire format (``harness``),
its client side (``http_client``) and server side (``http_server``), and an issuer-only
token URL (``token_url``).
"""
