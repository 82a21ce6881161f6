"""A person's data in their hands: everything held about them, as a file (export.py); deleting an
account (deletion.py); and keeping records only as long as they serve (retention.py).
docs/privacy.md says what is stored, why and for how long."""
