/**
 * The portal script's shared state: the token, the last case and the language picked live in
 * sessionStorage (the tab's own, gone with it); the rest in `state` for the page's lifetime.
 */
export const stateScript = String.raw`
const store = window.sessionStorage;
const $ = (id) => document.getElementById(id);

const state = {
  lang: 'en',
  langFixed: false,
  texts: {},
  token: store.getItem('portal-token'),
  order: null,
  formFor: null,
  view: null,
  poll: 0,
  qr: { caseId: null, url: null },
};
`;
