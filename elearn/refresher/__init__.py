"""Refreshers: a short quiz for holders of a module's certificate; passing renews the certificate."""
