"""Business rules: plain functions over plain data or a database Session.

Nothing here imports reflex or celery (a unit test checks it).
"""
