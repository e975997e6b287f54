"""Datasette configuration for ``python -m archive serve``: plugin hooks and templates."""
