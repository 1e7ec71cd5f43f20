/**
 * The portal's script (`GET /portal/app.js`), plain browser JavaScript without a build step. It talks
 * only to the portal API with the customer's token (sessionStorage), renders every value with
 * textContent / DOM nodes (never HTML strings) and takes every text from /portal/texts/<lang>.
 * Dynamic text keys use the prefixes `status.`, `next.`, `why.`, `refund_status.` (checked by the
 * texts test against the API's enumerations).
 *
 * The parts in portal/client/ are one classic script once joined (no imports in the browser): they
 * share its top-level names, so the state comes first and the start, which uses them all, last.
 */
import { apiScript } from './client/api-script.js';
import { caseScript } from './client/case-script.js';
import { caseViewScript } from './client/case-view-script.js';
import { domScript } from './client/dom-script.js';
import { labelScript } from './client/label-script.js';
import { languageScript } from './client/language-script.js';
import { orderScript } from './client/order-script.js';
import { returnFormScript } from './client/return-form-script.js';
import { signInScript } from './client/sign-in-script.js';
import { startScript } from './client/start-script.js';
import { stateScript } from './client/state-script.js';

export { PORTAL_POLL_MS } from './client/case-script.js';

/** The JSON API paths the script calls (a test checks each exists in the OpenAPI document). */
export const PORTAL_API_CALLS = [
  { method: 'post', path: '/v1/portal/sessions' },
  { method: 'get', path: '/v1/portal/order' },
  { method: 'post', path: '/v1/portal/returns' },
  { method: 'get', path: '/v1/portal/returns/{id}' },
  { method: 'get', path: '/v1/portal/returns/{id}/label' },
  { method: 'get', path: '/v1/portal/returns/{id}/label/qr.svg' },
] as const;

export const portalScript = [
  stateScript,
  languageScript,
  domScript,
  apiScript,
  signInScript,
  orderScript,
  returnFormScript,
  caseScript,
  caseViewScript,
  labelScript,
  startScript,
].join('');
