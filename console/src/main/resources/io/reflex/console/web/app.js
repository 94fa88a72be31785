// Reflex console: hash routing, login with a token, role-aware buttons, a shared dialog.
import * as api from './api.js';
import { h } from './dom.js';
import * as incidents from './views/incidents.js';
import * as incident from './views/incident.js';
import * as rules from './views/rules.js';
import * as approvals from './views/approvals.js';
import * as status from './views/status.js';
import * as drills from './views/drills.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('whoami');
const logout = document.getElementById('logout');

/** What the views share: who is logged in, and helpers. */
export const session = { name: null, role: null, permissions: [] };

export function can(permission) {
  return session.permissions.includes(permission);
}

/**
 * Disables a button the role may not use, with a tooltip naming the role that may. Returns
 * the button. `also` is an extra reason to disable it (or null), shown as its tooltip.
 */
export function guard(button, permission, also = null) {
  button.dataset.permission = permission;
  if (!can(permission)) {
    button.disabled = true;
    button.title = `Needs role ${api.PERMISSION_ROLES[permission] || 'admin'} or admin (you are ${session.role}: ${session.name})`;
    button.dataset.denied = 'role';
  } else if (also) {
    button.disabled = true;
    button.title = also;
    delete button.dataset.denied;
  } else {
    button.disabled = false;
    button.removeAttribute('title');
    delete button.dataset.denied;
  }
  return button;
}

// --- dialog -------------------------------------------------------------------------------

const dialog = document.getElementById('dialog');

/**
 * A modal question. With `reason`, it asks for a text and resolves to it (''
 * allowed unless `reasonRequired`); resolves null when cancelled.
 */
export function ask({ title, text = '', ok = 'OK', danger = false, reason = false, reasonRequired = false, placeholder = '' }) {
  document.getElementById('dialog-title').textContent = title;
  document.getElementById('dialog-text').textContent = text;
  const label = document.getElementById('dialog-input-label');
  const input = document.getElementById('dialog-input');
  label.hidden = !reason;
  input.value = '';
  input.placeholder = placeholder;
  input.required = reasonRequired;
  const okButton = document.getElementById('dialog-ok');
  okButton.textContent = ok;
  okButton.className = danger ? 'danger' : '';
  return new Promise(resolve => {
    const cancel = document.getElementById('dialog-cancel');
    const done = value => {
      dialog.removeEventListener('close', onClose);
      cancel.removeEventListener('click', onCancel);
      resolve(value);
    };
    const onClose = () => done(dialog.returnValue === 'ok' ? (reason ? input.value.trim() : '') : null);
    const onCancel = () => { dialog.returnValue = 'cancel'; dialog.close(); };
    okButton.value = 'ok';
    dialog.returnValue = '';
    dialog.addEventListener('close', onClose);
    cancel.addEventListener('click', onCancel);
    dialog.showModal();
    (reason ? input : okButton).focus();
  });
}

// --- theme --------------------------------------------------------------------------------

document.getElementById('theme-toggle').addEventListener('click', () => {
  const current = document.documentElement.dataset.theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const next = current === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('reflex.theme', next); } catch (e) { /* private mode: this page only */ }
});

// --- login and routing ----------------------------------------------------------------------

let cleanup = null;

function loginScreen(message = '') {
  if (cleanup) { cleanup(); cleanup = null; }
  nav.hidden = true;
  logout.hidden = true;
  who.textContent = '';
  const input = h('input', { type: 'password', id: 'token', testid: 'login-token', autocomplete: 'off',
    placeholder: 'paste your Reflex API token', required: true });
  const error = h('p', { class: 'error', testid: 'login-error', hidden: !message }, message);
  const form = h('form', { class: 'panel login', testid: 'login-form' },
    h('h2', {}, 'Log in to Reflex'),
    h('p', { class: 'muted small' }, 'Use an API token from the auth.tokens of the Reflex configuration. ',
      'Without one configured, Reflex wrote an admin token to ', h('code', {}, '<data dir>/auth/admin.token'),
      ' on its first start. The token stays in this browser tab only.'),
    h('label', {}, 'Token', input),
    error,
    h('div', { class: 'row end' }, h('button', { type: 'submit', testid: 'login-submit' }, 'Log in')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    api.setToken(input.value.trim());
    if (!(await loadWhoami())) {
      api.setToken(null);
      error.hidden = false;
      error.textContent = 'Reflex did not accept this token (401). Check it, or ask an admin for one.';
      return;
    }
    route();
  });
  view.replaceChildren(form);
  input.focus();
}

async function loadWhoami() {
  const answer = await api.get('/api/whoami', { expect401: true });
  if (answer.ok) {
    Object.assign(session, answer.data);
    session.permissions = answer.data.permissions || [];
  } else if (answer.missing) {
    // A server without auth: every action is allowed there, the server decides anyway.
    Object.assign(session, { name: 'anonymous', role: 'admin', permissions: Object.keys(api.PERMISSION_ROLES) });
  } else {
    return false;
  }
  who.textContent = `${session.name} · ${session.role}`;
  who.title = `permissions: ${session.permissions.join(', ')}`;
  return true;
}

api.whenUnauthorized(() => {
  api.setToken(null);
  loginScreen('Your token was refused (401): log in again.');
});

logout.addEventListener('click', () => { api.setToken(null); loginScreen(); });

const routes = [
  [/^#\/incidents\/(.+)$/, 'incidents', (root, m) => incident.render(root, decodeURIComponent(m[1]))],
  [/^#\/incidents\/?$/, 'incidents', root => incidents.render(root)],
  [/^#\/rules\/?$/, 'rules', root => rules.render(root)],
  [/^#\/approvals\/?$/, 'approvals', root => approvals.render(root)],
  [/^#\/status\/?$/, 'status', root => status.render(root)],
  [/^#\/drills\/runs\/(.+)$/, 'drills', (root, m) => drills.renderRun(root, decodeURIComponent(m[1]))],
  [/^#\/drills\/?$/, 'drills', root => drills.render(root)],
];

async function route() {
  if (!api.token()) { loginScreen(); return; }
  if (!session.role && !(await loadWhoami())) { api.setToken(null); loginScreen('Your token was refused: log in again.'); return; }
  nav.hidden = false;
  logout.hidden = false;
  const hash = location.hash || '#/incidents';
  const match = routes.map(([re, name, fn]) => [re.exec(hash), name, fn]).find(([m]) => m);
  if (!match) { location.hash = '#/incidents'; return; }
  const [m, name, fn] = match;
  nav.querySelectorAll('a').forEach(a => a.classList.toggle('active', a.dataset.route === name));
  if (cleanup) cleanup();
  const root = h('div', { testid: `view-${name}` });
  view.replaceChildren(root);
  try {
    cleanup = fn(root, m) || null;
  } catch (e) {
    console.error(e);
    root.replaceChildren(h('p', { class: 'error' }, `This view failed: ${e.message}`));
  }
}

// The approval count and the pause banner in the header, refreshed in the background.
async function refreshHeader() {
  if (!api.token() || !session.role) return;
  const [waiting, guardrails] = await Promise.all([
    api.get('/api/actions?status=AWAITING_APPROVAL'), api.get('/api/guardrails')]);
  const count = document.getElementById('approvals-count');
  const n = waiting.ok && Array.isArray(waiting.data) ? waiting.data.length : 0;
  count.hidden = n === 0;
  count.textContent = String(n);
  document.getElementById('paused-banner').hidden = !(guardrails.ok && guardrails.data && guardrails.data.paused);
}
setInterval(refreshHeader, 5000);
export { refreshHeader };

window.addEventListener('hashchange', route);
route().then(refreshHeader);
