"""Outputs for people: annual compliance reports and the overview page (HTML)."""
