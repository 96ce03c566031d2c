"""Backing up and restoring the whole database (``flask backup …``)."""
