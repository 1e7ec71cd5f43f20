/** The return label as a PDF: A6 with a Code 128 barcode and a QR code of the tracking number. */
import bwipjs from 'bwip-js';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { CustomsDeclaration } from '../domain/customs.js';

export interface Address {
  name: string;
  lines: string[];
  /** Printed as one line "postal code city" after `lines` (a configured warehouse may keep it in `lines`). */
  postalCode?: string;
  city?: string;
  country: string;
}

/** An address as printed, line by line: name, street lines, postal code and city, country. */
export function addressLines(a: Address): string[] {
  const place = [a.postalCode, a.city].filter((s) => s && s.trim()).join(' ');
  return [a.name, ...a.lines, ...(place ? [place] : []), a.country].filter((l) => l !== '');
}

export interface ReturnLabelData {
  /** Absent on a label pre-issued before any case exists: the label then names the order only. */
  caseId?: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  parcelNo: number;
  parcelCount: number;
  sender: Address;
  receiver: Address;
  /**
   * Present when the goods cross a customs border: adds a content declaration page. Built by
   * domain/customs.ts, the same declaration GET /v1/returns/:id/customs answers with.
   */
  customs?: Pick<CustomsDeclaration, 'exportReference' | 'currency' | 'from' | 'to' | 'items' | 'totalValue'>;
}

/** Where returns go unless configured (WAREHOUSE_ADDRESS, WAREHOUSE_COUNTRY). */
export const DEFAULT_WAREHOUSE: Address = {
  name: 'Returns Warehouse',
  lines: ['Returns dept.', 'Lagergatan 1', '211 20 Malmö'],
  country: 'SE',
};

/**
 * Part of every stored label's key (documents/label-cache.ts): raise it with any change to what
 * renderReturnLabel draws, so labels rendered by the old code are not sent again.
 */
export const LABEL_LAYOUT_VERSION = 1;

const MM = 72 / 25.4;
const A6: [number, number] = [105 * MM, 148 * MM];
const MARGIN = 6 * MM;

export async function renderReturnLabel(data: ReturnLabelData): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Return label ${data.trackingNumber}`);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [width, height] = A6;
  const page = doc.addPage(A6);
  const inner = width - 2 * MARGIN;
  let y = height - MARGIN;

  const text = (p: PDFPage, s: string, x: number, at: number, size: number, f: PDFFont = font) =>
    p.drawText(winAnsi(s), { x, y: at, size, font: f, color: rgb(0, 0, 0) });

  text(page, 'RETURN', MARGIN, y - 14, 16, bold);
  const carrier = data.carrier.toUpperCase();
  text(page, carrier, width - MARGIN - bold.widthOfTextAtSize(winAnsi(carrier), 12), y - 13, 12, bold);
  y -= 22;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 1 });

  // Sender and receiver side by side: FROM small, TO large (the carrier sorts by the receiver).
  y -= 10;
  const half = inner / 2;
  text(page, 'FROM', MARGIN, y, 6, bold);
  text(page, 'TO', MARGIN + half, y, 6, bold);
  const from = addressLines(data.sender);
  const to = addressLines(data.receiver);
  from.forEach((l, i) => text(page, fit(l, font, 7, half - 4), MARGIN, y - 9 - i * 9, 7));
  to.forEach((l, i) =>
    text(page, fit(l, i === 0 ? bold : font, 9, half), MARGIN + half, y - 11 - i * 11, 9, i === 0 ? bold : font),
  );
  y -= 14 + Math.max(from.length * 9, to.length * 11);
  page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 1 });

  // Code 128: scaled to the page width at most, keeping bars at the rendered module width or wider.
  y -= 6;
  const bar = await doc.embedPng(
    await bwipjs.toBuffer({ bcid: 'code128', text: data.trackingNumber, scale: 3, height: 15, includetext: true }),
  );
  const barScale = Math.min(inner / bar.width, 0.5);
  const barW = bar.width * barScale;
  const barH = bar.height * barScale;
  y -= barH;
  page.drawImage(bar, { x: (width - barW) / 2, y, width: barW, height: barH });

  // QR code beside the references, with the 4-module quiet zone (~5.3 mm) the QR spec asks for.
  const qrSize = 28 * MM;
  const quiet = 6 * MM;
  y -= quiet;
  const qr = await doc.embedPng(await bwipjs.toBuffer({ bcid: 'qrcode', text: data.trackingNumber, scale: 4 }));
  page.drawImage(qr, { x: width - MARGIN - qrSize, y: y - qrSize, width: qrSize, height: qrSize });
  const refs: [string, string][] = [
    ['Tracking', data.trackingNumber],
    ['Case', caseRef(data)],
    ['Order', data.orderId],
    ['Carrier', data.carrier],
    ['Parcel', `${data.parcelNo} of ${data.parcelCount}`],
  ];
  const refW = inner - qrSize - quiet;
  refs.forEach(([k, v], i) => {
    text(page, k.toUpperCase(), MARGIN, y - 8 - i * 16, 6, bold);
    text(page, fit(v, font, 8, refW), MARGIN, y - 16 - i * 16, 8);
  });

  text(page, 'Attach this label to the parcel. Cover or remove any old labels.', MARGIN, MARGIN, 6);

  if (data.customs) addDeclaration(doc.addPage(A6), data, font, bold);
  return doc.save();
}

function addDeclaration(page: PDFPage, data: ReturnLabelData, font: PDFFont, bold: PDFFont) {
  const customs = data.customs!;
  const [width, height] = A6;
  const draw = (s: string, x: number, y: number, size: number, f = font) =>
    page.drawText(winAnsi(s), { x, y, size, font: f });
  let y = height - MARGIN - 14;
  draw('CONTENT DECLARATION', MARGIN, y, 13, bold);
  y -= 16;
  draw(`Export reference: ${customs.exportReference}`, MARGIN, y, 8);
  y -= 11;
  draw(`Order ${data.orderId} - case ${caseRef(data)}`, MARGIN, y, 8);
  y -= 11;
  draw(`Tracking ${data.trackingNumber}`, MARGIN, y, 8);
  y -= 11;
  draw(`Return from ${customs.from.country || '?'} to ${customs.to.country || '?'}`, MARGIN, y, 8);
  y -= 16;
  // One row per item (SKU, HS code, origin, quantity, value), the description beneath it.
  const right = width - MARGIN;
  const col = { item: MARGIN, hs: MARGIN + 37 * MM, origin: MARGIN + 55 * MM, qty: MARGIN + 66 * MM };
  const drawRight = (s: string, y: number, size: number, f = font) =>
    draw(s, right - f.widthOfTextAtSize(winAnsi(s), size), y, size, f);
  draw('SKU / description', col.item, y, 7, bold);
  draw('HS code', col.hs, y, 7, bold);
  draw('Origin', col.origin, y, 7, bold);
  draw('Qty', col.qty, y, 7, bold);
  drawRight(`Value (${customs.currency})`, y, 7, bold);
  y -= 3;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: right, y }, thickness: 0.5 });
  const rowHeight = 18;
  const room = Math.floor((y - (MARGIN + 34)) / rowHeight); // an A6 page holds ~15 items; returns rarely have more
  const shown = customs.items.length > room ? customs.items.slice(0, Math.max(room - 1, 0)) : customs.items;
  for (const item of shown) {
    y -= 10;
    draw(fit(item.sku, font, 7, col.hs - col.item - 4), col.item, y, 7);
    draw(item.hsCode ?? '-', col.hs, y, 7);
    draw(item.originCountry ?? '-', col.origin, y, 7);
    draw(String(item.quantity), col.qty, y, 7);
    drawRight(money(item.customsValue), y, 7);
    y -= 8;
    draw(fit(`${item.description} (${money(item.unitValue)} each)`, font, 6, right - col.item), col.item, y, 6);
  }
  if (shown.length < customs.items.length) {
    y -= 10;
    draw(
      `... and ${customs.items.length - shown.length} more items (see the case's customs declaration)`,
      col.item,
      y,
      6,
    );
  }
  y -= 4;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: right, y }, thickness: 0.5 });
  y -= 10;
  draw('Total', col.item, y, 7, bold);
  drawRight(`${money(customs.totalValue)} ${customs.currency}`, y, 7, bold);
  draw('Returned goods: no sale. Values are the prices paid.', MARGIN, MARGIN, 6);
}

/** A pre-issued label has no case yet: the case is opened when the parcel arrives. */
const caseRef = (data: ReturnLabelData) => data.caseId ?? `opened on arrival (order ${data.orderId})`;

const money = (minor: number) => (minor / 100).toFixed(2);

/** The standard fonts only encode WinAnsi: replace what they cannot draw rather than throw. */
function winAnsi(s: string): string {
  return s.normalize('NFC').replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?');
}

function fit(s: string, f: PDFFont, size: number, max: number): string {
  let out = winAnsi(s);
  if (f.widthOfTextAtSize(out, size) <= max) return out;
  while (out.length > 1 && f.widthOfTextAtSize(`${out}...`, size) > max) out = out.slice(0, -1);
  return `${out}...`;
}
