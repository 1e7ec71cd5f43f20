/**
 * Building the page: elements from nodes and strings only (never HTML), and which of the three
 * views (sign-in, order, case) shows.
 */
export const domScript = String.raw`
/** An element; children are nodes or strings (text nodes), never HTML. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null && c !== false) e.append(c);
  return e;
}

function show(viewId) {
  for (const id of ['signin-view', 'order-view', 'case-view']) $(id).hidden = id !== viewId;
  $('sign-out').hidden = viewId === 'signin-view';
  const heading = $(viewId).querySelector('h2');
  if (heading && document.activeElement && !$(viewId).contains(document.activeElement)) heading.focus();
}
const currentView = () => ['signin-view', 'order-view', 'case-view'].find((id) => !$(id).hidden);
`;
