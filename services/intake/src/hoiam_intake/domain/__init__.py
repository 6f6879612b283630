"""Intake's pure domain: what an item is, how ids are derived, and how each channel is read.

Nothing here touches Kafka, MongoDB, HTTP, files or the clock (an import-linter contract keeps
it so): the adapters hand it bytes, settings (`Rules`) and moments, and it hands back events.
"""
