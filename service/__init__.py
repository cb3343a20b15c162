"""Raqib: the HTTP service (reports, items, review, webhooks) around the classifier in ``models``."""
