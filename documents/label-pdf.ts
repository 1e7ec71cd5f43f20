/** The return label as a PDF: A6 with a Code 128 barcode and a QR code of the tracking number. */
import bwipjs from 'bwip-js';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export interface Address {
  name: string;
  lines: string[];
  country: string;
}

export interface ReturnLabelData {
  caseId: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
  parcelNo: number;
  parcelCount: number;
  sender: Address;
  receiver: Address;
  /** Present when the goods cross a customs border: adds a content declaration page. */
  customs?: {
    exportReference: string;
    currency: string;
    lines: { sku: string; name: string; quantity: number; value: number }[];
  };
}

/** Where returns go unless the caller says otherwise. */
export const DEFAULT_WAREHOUSE: Address = {
  name: 'Returns Warehouse',
  lines: ['Returns dept.', 'Lagerveien 1', '2000 Lillestrøm'],
  country: 'NO',
};

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
  const from = [data.sender.name, ...data.sender.lines, data.sender.country];
  const to = [data.receiver.name, ...data.receiver.lines, data.receiver.country];
  from.forEach((l, i) => text(page, fit(l, font, 7, half - 4), MARGIN, y - 9 - i * 9, 7));
  to.forEach((l, i) => text(page, fit(l, i === 0 ? bold : font, 9, half), MARGIN + half, y - 11 - i * 11, 9, i === 0 ? bold : font));
  y -= 14 + Math.max(from.length * 9, to.length * 11);
  page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 1 });

  // Code 128: scaled to the page width at most, keeping bars at the rendered module width or wider.
  y -= 6;
  const bar = await doc.embedPng(await bwipjs.toBuffer({ bcid: 'code128', text: data.trackingNumber, scale: 3, height: 15, includetext: true }));
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
    ['Case', data.caseId],
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
  const draw = (s: string, x: number, y: number, size: number, f = font) => page.drawText(winAnsi(s), { x, y, size, font: f });
  let y = height - MARGIN - 14;
  draw('CONTENT DECLARATION', MARGIN, y, 13, bold);
  y -= 16;
  draw(`Export reference: ${customs.exportReference}`, MARGIN, y, 8);
  y -= 11;
  draw(`Order ${data.orderId} - case ${data.caseId}`, MARGIN, y, 8);
  y -= 11;
  draw(`Tracking ${data.trackingNumber}`, MARGIN, y, 8);
  y -= 16;
  const cols = [MARGIN, MARGIN + 40 * MM, MARGIN + 58 * MM];
  const right = width - MARGIN;
  draw('SKU / item', cols[0]!, y, 7, bold);
  draw('Qty', cols[1]!, y, 7, bold);
  draw(`Value (${customs.currency})`, cols[2]!, y, 7, bold);
  y -= 3;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: right, y }, thickness: 0.5 });
  let total = 0;
  for (const l of customs.lines) {
    y -= 10;
    if (y < MARGIN + 30) break; // an A6 page holds ~25 lines; returns rarely have more
    draw(fit(`${l.sku} ${l.name}`, font, 7, cols[1]! - cols[0]! - 4), cols[0]!, y, 7);
    draw(String(l.quantity), cols[1]!, y, 7);
    draw(money(l.value), cols[2]!, y, 7);
    total += l.value;
  }
  y -= 4;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: right, y }, thickness: 0.5 });
  y -= 10;
  draw('Total', cols[0]!, y, 7, bold);
  draw(`${money(total)} ${customs.currency}`, cols[2]!, y, 7, bold);
  draw('Returned goods: no sale. Values are the prices paid.', MARGIN, MARGIN, 6);
}

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
