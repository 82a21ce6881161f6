// The text layer pdf.js (Firefox's viewer, many web viewers) reads from the first page of a PDF:
// one line per text line, as its text layer joins the items. Used by tests/test_certificate_pdf.py.
//   node tests/js/pdf_text.mjs file.pdf
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const data = new Uint8Array(readFileSync(process.argv[2]));
const pdf = await getDocument({ data, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
const content = await (await pdf.getPage(1)).getTextContent();
let line = "";
const lines = [];
for (const item of content.items) {
  line += item.str;
  if (item.hasEOL) {
    lines.push(line);
    line = "";
  }
}
if (line) lines.push(line);
process.stdout.write(lines.join("\n") + "\n");
