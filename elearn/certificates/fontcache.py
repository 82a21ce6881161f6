"""Everything the certificate renderer does with fpdf2 and fontTools internals.

Two things live here, so that ``pdf.py`` uses only fpdf2's public API:

1. **A font cache** (speed).  DESIGN.md gives a certificate at most 150 ms.
   With plain ``FPDF.add_font`` parsing Amiri and subsetting it on output
   take ~170 ms each per document on a 2-core box.  So each style is parsed
   once per process into a *template* and cloned into each document
   (~45 ms).  It relies on:

   - fpdf2 ``fpdf.fonts.TTFFont``: built with ``__new__`` and filled slot by
     slot from ``TTFFont.__slots__``; the per-document slots set here are
     ``i`` (font number), ``desc`` (fpdf2 writes object ids into it),
     ``_hbfont`` (fpdf2 sets its ``ptem``), ``ttfont``, ``cw``, ``glyph_ids``,
     ``missing_glyphs``, ``biggest_size_pt`` and ``subset``; the rest
     (cmap, metrics, names, flags) is shared read-only.
   - fpdf2 ``fpdf.fonts.HarfBuzzFont(face)``, ``SubsetMap(font)``, the
     ``TTFFont.hbfont`` property, and ``FPDF.fonts`` keyed family + style.
   - fpdf2's output step (``fpdf/output.py``): it runs fontTools' subsetter
     on ``font.ttfont`` in place, dropping the tables in ``_LEAN_DROP`` and
     the glyph names (post format 3), so the template's font program leaves
     them out from the start.
   - fontTools ``ttLib.TTFont(lazy=True)``, ``setGlyphOrder``,
     ``ttLib.getTableClass`` and the instance state (``__dict__``) of the
     ``glyf`` table (``glyphs``, ``glyphOrder``, ``_reverseGlyphOrder``),
     of its ``Glyph`` objects (raw bytes while not expanded) and of ``hmtx``
     (``metrics``): tables are rebuilt from that state with ``__new__``.
   - fontTools' subsetter reading ``glyf.glyphs`` through ``__getitem__`` /
     ``get`` / ``values`` / ``items`` and then editing the glyphs it got in
     place (component remapping, hinting trim): ``_SharedGlyphs`` hands out
     copies so the template stays intact.

   Tested with fpdf2 2.8.5-2.8.9 and fontTools 4.58-4.68, the ranges pinned
   in pyproject.toml (fpdf2 2.8.4 and older have no ``TTFFont.hbfont``).
   If cloning raises, ``enabled`` is switched off and documents use plain
   ``add_font`` (same page, slower).  ``tests/test_certificate_pdf.py``
   renders with and without the cache and compares the embedded glyph
   outlines, so a change that silently alters glyphs fails there.

2. **A fix for Arabic diacritics** (correctness), applied on import: fpdf2's
   module global ``fpdf.fpdf.get_unicode_script`` is replaced, see
   ``patch_inherited_script``.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont

__all__ = ["add_family", "enabled", "patch_inherited_script", "preload"]

log = logging.getLogger(__name__)

#: Switched off for good, process-wide, if cloning ever fails.
enabled = True


# --------------------------------------------------------------------------
# fpdf2 fix: combining marks must not split a shaping run
# --------------------------------------------------------------------------

def patch_inherited_script() -> None:
    """Treat Unicode script "Inherited" like "Common" in fpdf2's run splitting.

    fpdf2 (checked up to 2.8.9) splits text into separately shaped fragments
    whenever the Unicode script changes, and counts combining marks (script
    Inherited: shadda, fatha, tanween, ZWNJ, ...) as a script of their own.
    "منصّة" is then shaped as "منص" + "ّ" + "ة": the letters lose their
    joining forms and the shadda its anchor.  Marks inherit the script of the
    preceding character (UAX #24), i.e. they must never start a new run.
    Idempotent; only ``FPDF._parse_chars`` uses this function, and fpdf2
    calls its ``cache_clear()``, hence the ``lru_cache``.
    """
    # Why here: the patch needs fpdf2's module object itself, not a name imported from it.
    import fpdf.fpdf as fpdf_module
    from fpdf.unicode_script import UnicodeScript

    original = fpdf_module.get_unicode_script
    if getattr(original, "_inherited_as_common", False):
        return

    @functools.cache
    def get_unicode_script(char: str) -> UnicodeScript:
        script = original(char)
        return UnicodeScript.COMMON if script == UnicodeScript.INHERITED else script

    get_unicode_script._inherited_as_common = True  # type: ignore[attr-defined]
    fpdf_module.get_unicode_script = get_unicode_script


patch_inherited_script()


# --------------------------------------------------------------------------
# Font cache
# --------------------------------------------------------------------------

# Tables fpdf2 drops from embedded subsets anyway (see fpdf/output.py).
_LEAN_DROP = (
    "FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT",
    "CBLC", "EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR",
)


class _SharedGlyphs(dict):
    """The template's ``glyf`` glyphs; every read hands out a private copy.

    fontTools' subsetter rebinds ``glyf.glyphs`` to a new dict built by
    indexing this one, then edits those glyphs in place (component remapping,
    hinting trim): copies keep the shared originals intact.  The originals are
    never expanded, so a copy is just the raw glyph bytes.
    """

    __slots__ = ()

    def __getitem__(self, name):
        src = dict.__getitem__(self, name)
        glyph = object.__new__(type(src))
        glyph.__dict__.update(src.__dict__)
        return glyph

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


@dataclass(frozen=True)
class _FontTemplate:
    font: TTFFont  # parsed once, never output itself
    lean: bytes  # font program without layout tables and glyph names
    glyph_order: tuple[str, ...]
    glyf_state: dict  # decompiled 'glyf' table state (glyphs: _SharedGlyphs)
    hmtx_state: dict  # decompiled 'hmtx' table state (tuples: immutable)


def _lean_font(path: Path) -> bytes:
    """``path`` without the tables fpdf2 drops from subsets and without glyph
    names (post format 3: subsets are written that way anyway)."""
    tt = ttLib.TTFont(path, recalcTimestamp=False)
    tt.getGlyphOrder()
    for tag in _LEAN_DROP:
        if tag in tt:
            del tt[tag]
    post = tt["post"]
    post.formatType = 3.0
    post.extraNames, post.mapping = [], {}
    buf = io.BytesIO()
    tt.save(buf)
    return buf.getvalue()


def _template(pdf: FPDF, family: str, style: str, path: Path) -> _FontTemplate:
    pdf.add_font(family, style, path)
    font = pdf.fonts[family + style]
    font.hbfont  # noqa: B018 - load the HarfBuzz face once
    order = tuple(font.ttfont.getGlyphOrder())
    lean = _lean_font(path)
    tt = ttLib.TTFont(io.BytesIO(lean), recalcBBoxes=False, lazy=True)
    tt.setGlyphOrder(list(order))
    glyf_state = dict(tt["glyf"].__dict__)
    glyf_state["glyphs"] = _SharedGlyphs(glyf_state["glyphs"])
    glyf_state.pop("_reverseGlyphOrder", None)
    return _FontTemplate(font, lean, order, glyf_state, dict(tt["hmtx"].__dict__))


@functools.cache
def _templates(family: str, paths: tuple[tuple[str, Path], ...]) -> dict[str, _FontTemplate]:
    pdf = FPDF()
    return {style: _template(pdf, family, style, path) for style, path in paths}


def _document_ttfont(tpl: _FontTemplate) -> ttLib.TTFont:
    """A per-document font program for fpdf2 to subset (it edits it in place).

    Only small tables are parsed again; 'glyf' and 'hmtx' reuse the
    template's parsed data.  recalcBBoxes=False lets fontTools copy glyph
    bytes instead of decoding and re-encoding every outline; the price is
    that the subset's 'head', 'hhea' and 'maxp' keep the whole font's
    bounding box and maxima (harmless: upper bounds).
    """
    tt = ttLib.TTFont(io.BytesIO(tpl.lean), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    order = list(tpl.glyph_order)
    tt.setGlyphOrder(order)
    for tag, state in (("glyf", tpl.glyf_state), ("hmtx", tpl.hmtx_state)):
        cls = ttLib.getTableClass(tag)
        table = cls.__new__(cls)
        table.__dict__.update(state)
        if tag == "glyf":
            table.glyphOrder = order
        tt[tag] = table
    return tt


def _clone_font(tpl: _FontTemplate, index: int) -> TTFFont:
    src = tpl.font
    font = TTFFont.__new__(TTFFont)
    for slot in TTFFont.__slots__:  # immutable parts are shared
        if hasattr(src, slot):
            setattr(font, slot, getattr(src, slot))
    font.i = index
    font.desc = copy.copy(src.desc)  # fpdf2 sets its object id and font file
    # Own HarfBuzz font (fpdf2 sets its ptem) on the shared, immutable face.
    font._hbfont = HarfBuzzFont(src.hbfont.face)
    font.ttfont = _document_ttfont(tpl)
    font.cw = src.cw.copy()
    font.glyph_ids = dict(src.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    return font


def _key(paths: Mapping[str, Path]) -> tuple[tuple[str, Path], ...]:
    return tuple(paths.items())


def preload(family: str, paths: Mapping[str, Path]) -> None:
    """Parse the fonts now (about 0.2 s) instead of in the first document."""
    if enabled:
        _templates(family, _key(paths))


def add_family(pdf: FPDF, family: str, paths: Mapping[str, Path]) -> None:
    """Add the styles of ``family`` (fpdf2 style -> font file) to ``pdf``:
    cloned from the cache, or through plain ``add_font`` if it is off."""
    global enabled
    if enabled:
        try:
            clones = {}
            for style, tpl in _templates(family, _key(paths)).items():
                clones[family + style] = _clone_font(tpl, len(pdf.fonts) + len(clones) + 1)
        except Exception:  # fpdf2 internals changed: stay correct, get slower
            log.warning("certificate font cache disabled; using FPDF.add_font", exc_info=True)
            enabled = False
        else:
            pdf.fonts.update(clones)
            return
    for style, path in paths.items():
        pdf.add_font(family, style, path)
