"""The service layer: one function per user action or job step.

A service takes a unit of work (bot/services/unit.py: one database session and transaction,
the caller, the resident and dialog state loaded once, the time) plus plain ids and values, does
the reads, the pure matching decision and the writes, queues any message to another person as
an outbox row, and returns a plain result for the handler to render. Services import nothing
of Telegram; the runner (bot/runner.py) runs each one off the event loop and commits it once.
"""
