"""Benchmark the certificate PDF renderer.

    python bench/certificates.py [--n 30] [--no-font-cache] [--out DIR]

Renders N certificates (Arabic and Latin names, with and without expiry date)
and prints the median and p95 render time in ms and the median size in KB.
The first (cold) render, which parses the font once per process, is reported
separately and left out of the statistics.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from elearn.certificates import fontcache  # noqa: E402
from elearn.certificates.pdf import CertificateContent, render_certificate_pdf  # noqa: E402

NAMES = ["محمّد الأحمد", "Jane Doe", "ليلى حدّاد", "Omar Al-Khatib", "Lina ليلى Haddad"]
TITLES = [
    (
        "العقوبات على سوريا: مدخل إلى الإطار القانوني",
        "Sanctions on Syria: an introduction to the legal framework",
    ),
    (
        "الاستثناءات الإنسانية والتراخيص العامة",
        "Humanitarian exemptions and general licences",
    ),
]
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def sample(i: int) -> CertificateContent:
    code = "-".join(
        "".join(ALPHABET[(i * 7 + j * 13 + k * 5) % len(ALPHABET)] for k in range(4))
        for j in range(4)
    ) + "-" + ALPHABET[i % len(ALPHABET)] + ALPHABET[(i * 3) % len(ALPHABET)]
    title_ar, title_en = TITLES[i % len(TITLES)]
    issued = datetime.date(2026, 1, 1) + datetime.timedelta(days=37 * i)
    return CertificateContent(
        name=NAMES[i % len(NAMES)],
        module_title_ar=title_ar,
        module_title_en=title_en,
        issued_on=issued,
        expires_on=issued + datetime.timedelta(days=730) if i % 2 else None,
        code=code,
        verify_url=f"https://elearn.example.org/certificates/verify/{code}",
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="certificates to render (default 30)")
    parser.add_argument(
        "--no-font-cache",
        action="store_true",
        help="use plain FPDF.add_font for every document (for comparison)",
    )
    parser.add_argument("--out", type=Path, help="also write the PDFs to this directory")
    args = parser.parse_args(argv)

    if args.no_font_cache:
        fontcache.enabled = False
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    render_certificate_pdf(sample(0))
    cold_ms = (time.perf_counter() - t0) * 1000

    times, sizes = [], []
    for i in range(args.n):
        content = sample(i)
        t0 = time.perf_counter()
        data = render_certificate_pdf(content)
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(data) / 1024)
        if args.out:
            (args.out / f"certificate-{i:03d}.pdf").write_bytes(data)

    mode = "plain add_font" if args.no_font_cache else "font cache"
    print(f"certificates: n={args.n} ({mode})")
    print(f"cold first render: {cold_ms:.1f} ms")
    print(f"median: {statistics.median(times):.1f} ms")
    print(f"p95:    {percentile(times, 0.95):.1f} ms")
    print(f"median size: {statistics.median(sizes):.1f} KB (max {max(sizes):.1f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
