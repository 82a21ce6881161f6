"""Open Badges 3.0: every certificate is also an OpenBadgeCredential (W3C VC 2.0), signed with
the issuer's Ed25519 key as a Data Integrity proof (eddsa-rdfc-2022), with its revocation and
supersession published as Bitstring Status Lists. See docs/interoperability.md."""
