/**
 * The return label: its QR code and PDF are fetched with the customer's token (an `<img src>` or a
 * link cannot send it) and handed to the page as blob URLs.
 */
export const labelScript = String.raw`
async function showQr(v) {
  const img = $('label-qr');
  if (state.qr.caseId === v.id && state.qr.url) {
    if (img.getAttribute('src') !== state.qr.url) img.src = state.qr.url;
    return;
  }
  state.qr.caseId = v.id;
  try {
    const res = await fetch(v.label.qrUrl, { headers: { authorization: 'Bearer ' + state.token } });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const url = URL.createObjectURL(await res.blob());
    if (state.qr.url) URL.revokeObjectURL(state.qr.url);
    state.qr.url = url;
    img.src = url;
  } catch {
    state.qr.caseId = null;
    $('label-error').textContent = t('error.label');
  }
}

async function downloadLabel() {
  const v = state.view;
  if (!v?.label) return;
  const button = $('download-label');
  button.disabled = true;
  $('label-error').textContent = '';
  try {
    const res = await fetch(v.label.pdfUrl, { headers: { authorization: 'Bearer ' + state.token } });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: 'return-label-' + v.label.trackingNumber.replace(/[^A-Za-z0-9_-]/g, '') + '.pdf' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch {
    $('label-error').textContent = t('error.label');
  } finally {
    button.disabled = false;
  }
}
`;
