"""Refresher pages."""
