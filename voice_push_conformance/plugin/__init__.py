"""The suite's pytest plugin, one concern per module.

``voice_push_conformance.pytest_plugin`` registers these modules; the layers, lowest first:
``settings`` (run settings and stash keys) and ``marks`` (what the tags and features say),
then ``options``, ``header``, ``collection``, ``scenario`` and ``outcomes``, then ``decide``
and finally ``outputs``. A module imports only from layers below its own.
"""
