"""Certificates: PDF rendering and (later) verification views."""
