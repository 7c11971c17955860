/**
 * A PDF is a title page followed by a list of sections, rendered with pdfmake 0.3 (Node API:
 * the module is one pdfmake instance; fonts, URL and local access policies are set on it, and
 * createPdf(doc).getBuffer() renders). Text is real text in embedded DejaVu fonts, so it can be
 * selected and searched; charts go in as SVG and stay vector.
 *
 * Other steps add their own sections (analysis adds a verdict section): build a PdfSection and
 * pass it in `sections`, at the position it should take.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { PrerequisiteError } from '../core/errors.js';

export interface PdfSection {
  /** Stable id, e.g. "results", "ratios", "charts", "verdict". */
  id: string;
  /** Heading of the section; listed in the table of contents. */
  title: string;
  content: Content[];
  /** Start on a new page (default true). */
  pageBreakBefore?: boolean;
}

export interface PdfDocument {
  title: string;
  /** Short text for the page footer, e.g. "reference-2011". */
  footer: string;
  titlePage: Content[];
  sections: PdfSection[];
  /** A line printed at the top of every page after the first, e.g. the emulated marker. */
  pageBanner?: string;
}

const require = createRequire(import.meta.url);
type PdfMake = typeof import('pdfmake');

export const DEJAVU_DIR = process.env.VIRTBENCH_FONT_DIR ?? '/usr/share/fonts/truetype/dejavu';
const FONT_FILES = {
  normal: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italics: 'DejaVuSans-Oblique.ttf',
  bolditalics: 'DejaVuSans-BoldOblique.ttf',
};

let pdfmake: PdfMake | undefined;

function pdfmakeInstance(): PdfMake {
  if (pdfmake) return pdfmake;
  const missing = Object.values(FONT_FILES).filter((f) => !existsSync(join(DEJAVU_DIR, f)));
  if (missing.length) {
    throw new PrerequisiteError('REPORT_FONTS', `PDF fonts missing in ${DEJAVU_DIR}: ${missing.join(', ')}`, {
      hint: 'apt-get install fonts-dejavu-core (or set VIRTBENCH_FONT_DIR to a folder with the DejaVu Sans TTF files)',
    });
  }
  const pm = require('pdfmake') as PdfMake;
  const files = Object.fromEntries(Object.entries(FONT_FILES).map(([k, f]) => [k, join(DEJAVU_DIR, f)]));
  pm.setFonts({ DejaVu: files as { normal: string; bold: string; italics: string; bolditalics: string } });
  // The report needs no network and no file but its fonts.
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy((p: string) => p.startsWith(`${DEJAVU_DIR}/`));
  pdfmake = pm;
  return pm;
}

export const PDF_STYLES: TDocumentDefinitions['styles'] = {
  title: { fontSize: 24, bold: true, color: '#1d3f5e', margin: [0, 16, 0, 8] },
  subtitle: { fontSize: 12, color: '#444', margin: [0, 0, 0, 16] },
  h1: { fontSize: 16, bold: true, color: '#1d3f5e', margin: [0, 0, 0, 10] },
  h2: { fontSize: 12, bold: true, color: '#1d3f5e', margin: [0, 12, 0, 6] },
  note: { fontSize: 8, color: '#555', margin: [0, 4, 0, 0] },
  small: { fontSize: 8 },
  tableHeader: { bold: true, fontSize: 8, fillColor: '#e8eef5', color: '#1d3f5e' },
  warning: { fontSize: 10, bold: true, color: '#9a4a00' },
  label: { fontSize: 9, color: '#555' },
};

export function pdfDefinition(doc: PdfDocument): TDocumentDefinitions {
  const content: Content[] = [...doc.titlePage];
  doc.sections.forEach((s, i) => {
    const breakBefore = s.pageBreakBefore ?? true;
    content.push({
      text: s.title,
      style: 'h1',
      tocItem: true,
      headlineLevel: 1,
      ...(breakBefore || i === 0 ? { pageBreak: 'before' as const } : { margin: [0, 18, 0, 10] as [number, number, number, number] }),
    });
    content.push(...s.content);
  });
  return {
    info: { title: doc.title, creator: 'virtbench', producer: 'virtbench (pdfmake)' },
    pageSize: 'A4',
    pageMargins: [40, 50, 40, 50],
    defaultStyle: { font: 'DejaVu', fontSize: 10, lineHeight: 1.15 },
    styles: PDF_STYLES,
    header: (page: number) =>
      page > 1 && doc.pageBanner ? { text: doc.pageBanner, style: 'warning', fontSize: 8, alignment: 'center', margin: [40, 20, 40, 0] } : null,
    footer: (page: number, pages: number) => ({
      columns: [
        { text: doc.footer, style: 'label', fontSize: 8 },
        { text: `Page ${page} of ${pages}`, alignment: 'right', fontSize: 8, color: '#555' },
      ],
      margin: [40, 18, 40, 0],
    }),
    content,
    // A section heading never ends a page: it moves to the next one with its content. Header
    // and footer nodes are in the list too (at the page's top), hence the position filter.
    pageBreakBefore: (node, nodes) =>
      node.headlineLevel === 1 && !nodes.getFollowingNodesOnPage().some((n) => n.startPosition.top > node.startPosition.top),
  };
}

export async function renderPdf(doc: PdfDocument): Promise<Buffer> {
  const pm = pdfmakeInstance();
  return (await pm.createPdf(pdfDefinition(doc)).getBuffer()) as Buffer;
}
