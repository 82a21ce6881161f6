"""The manifest against ADL's SCORM 1.2 schemas (shipped in schemas/), with xmlschema.

Two quirks of the 2001 schemas, handled here rather than by editing them (packages ship them
unchanged): ims_xml.xsd binds the default namespace to the XML namespace, which XML namespaces
forbid and parsers refuse, so the `xml:` attributes come from xmlschema's own copy of the W3C
schema for that namespace; and imsmd_rootv1p2p1.xsd breaks XSD 1.0's Unique Particle Attribution
rule, so the schemas are read as XSD 1.1, which dropped that rule.
"""
from __future__ import annotations

from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ROOTS = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd")


class NoValidator(RuntimeError):
    """xmlschema is not installed (it comes with the `test` extra)."""


def problems(manifest: str) -> list[str]:
    """What is wrong with an imsmanifest.xml, per the schemas (an empty list when it is valid)."""
    try:
        # Why here: xmlschema is a test dependency; the export runs without it (and says so).
        import xmlschema
    except ImportError as exc:
        raise NoValidator("xmlschema is not installed: pip install xmlschema") from exc
    own_xml = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml.xsd"
    schema = xmlschema.XMLSchema11([str(SCHEMAS / name) for name in ROOTS],
                                   uri_mapper=lambda uri: own_xml.as_uri() if uri.endswith("ims_xml.xsd") else uri)
    return [str(error.reason or error) for error in schema.iter_errors(manifest)]
