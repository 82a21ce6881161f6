"""Certificates: issued once on completion, PDF stored, verified publicly by code, renewed."""
