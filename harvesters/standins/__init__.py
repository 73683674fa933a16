"""Stand-ins for the source systems the portal harvests but that cannot be reached from here.

Each module serves realistic payloads of one source system over real HTTP; ``server`` mounts
them all under their own path prefix. Used by the demo (deploy/run) and the tests.
"""
