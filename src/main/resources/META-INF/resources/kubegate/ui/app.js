// kubegate approvals page. Plain JS, no build step.
// Security: two ways in. An admin token lives in sessionStorage (this tab only) and goes in the
// Authorization header of every call — no cookie. Or the person signs in with the company's OIDC
// issuer: the session is then an HttpOnly, Secure, SameSite=Strict cookie this script never sees,
// and every state-changing call carries the session's CSRF token (read from /kubegate/v1/oidc/session,
// which no other site can read) in the X-Kubegate-CSRF header.
// Everything the API returns comes from agents (labels, reasons, names): it is only ever put in
// the page with textContent, never parsed as HTML. The server sends a strict Content-Security-Policy.
'use strict';

const API = '/kubegate/v1/approvals';
const TOKEN_KEY = 'kubegate.adminToken';
const OIDC = '/kubegate/v1/oidc';
const $ = (sel, root = document) => root.querySelector(sel);

const state = { filter: 'pending', focus: null, scrolledTo: null, focusAction: null, items: [], stream: null, poll: null, refreshTimer: null,
  fullDiffs: new Map(), web: null };

function token() { return sessionStorage.getItem(TOKEN_KEY); }

/** Signed in with a token (this tab) or with the OIDC session cookie. */
function signedIn() { return !!token() || !!state.web; }

/** How this page authenticates a call: the token header, or the cookie plus the CSRF token on changes. */
function auth(method, headers) {
  if (!token() && state.web) {
    if (method !== 'GET' && method !== 'HEAD') headers['X-Kubegate-CSRF'] = state.web.csrfToken;
    return 'same-origin';
  }
  headers['Authorization'] = 'Bearer ' + token();
  return 'omit';
}

function say(text) { $('#message').textContent = text || ''; }

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  const credentials = auth(method, headers);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials, cache: 'no-store' });
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  if (resp.status === 401) { signOut(state.web ? 'Your session ended; sign in again.' : 'Your token was not accepted; sign in again.'); throw new Error('unauthorized'); }
  if (!resp.ok) throw new Error((data && data.message) || ('HTTP ' + resp.status));
  return data;
}

function parseHash() {
  const m = /^#\/approvals\/(ap-[a-z0-9]{10})(?:\/(approve|deny|diff))?$/.exec(location.hash);
  state.focus = m ? m[1] : null;
  state.focusAction = m ? (m[2] || null) : null;
}

async function refresh() {
  if (!signedIn()) return;
  try {
    const q = state.filter ? '?status=' + encodeURIComponent(state.filter) : '';
    const list = await api('GET', API + q);
    let items = list.items || [];
    if (state.focus && !items.some(r => r.id === state.focus)) {
      try { items = [await api('GET', API + '/' + state.focus)].concat(items); } catch (e) { say('Approval ' + state.focus + ': ' + e.message); }
    }
    state.items = items;
    render();
  } catch (e) {
    if (e.message !== 'unauthorized') say('Could not load approvals: ' + e.message);
  }
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(refresh, 150);
}

function age(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? s + 's ago' : s < 7200 ? Math.round(s / 60) + 'm ago' : Math.round(s / 3600) + 'h ago';
}

function text(el, value) { el.textContent = value == null || value === '' ? '—' : String(value); return el; }

function el(tag, cls, value) { const e = document.createElement(tag); if (cls) e.className = cls; if (value !== undefined) e.textContent = value; return e; }

function render() {
  const list = $('#requests');
  const openForms = new Map();
  list.querySelectorAll('.card').forEach(c => {
    const f = $('.deny-form', c);
    if (!f.hidden) openForms.set(c.dataset.id, f.elements.reason.value);
  });
  list.replaceChildren();
  $('#empty').hidden = state.items.length > 0;
  for (const r of state.items) list.appendChild(card(r, openForms));
  if (state.focus) {
    const c = list.querySelector('[data-id="' + state.focus + '"]');
    if (c) {
      c.classList.add('focus');
      if (state.focusAction === 'deny' && canDecide(c)) { openDeny(c); state.focusAction = null; }
      // A link from a chat message to a change shown only in part opens its full diff.
      if ((state.focusAction === 'diff' || state.focusAction === 'approve') && c.dataset.truncated === 'true') {
        state.focusAction = null;
        loadFullDiff(state.focus);
      }
      if (state.scrolledTo !== state.focus) { c.scrollIntoView({ block: 'start' }); state.scrolledTo = state.focus; }
    }
  }
}

function canDecide(c) { return !$('.deny', c).disabled; }

function card(r, openForms) {
  const c = $('#card').content.firstElementChild.cloneNode(true);
  c.dataset.id = r.id;
  const st = $('.status', c); st.textContent = r.status; st.classList.add(r.status);
  text($('.id', c), r.id);
  const t = $('.age', c); t.dateTime = r.createdAt; t.textContent = age(r.createdAt);
  text($('.describe', c), r.request && r.request.describe);
  const q = r.requester || {};
  text($('.requester', c), q.principal + (q.kind ? ' (' + q.kind + ')' : '') + (q.groups && q.groups.length ? ' · groups: ' + q.groups.join(', ') : ''));
  text($('.session', c), q.sessionId);
  text($('.justification', c), q.justification);
  const labels = $('.labels', c);
  const entries = Object.entries(q.labels || {});
  if (entries.length === 0) text(labels, '');
  for (const [k, v] of entries) labels.appendChild(el('span', 'chip', k + '=' + v));
  const call = r.call || {};
  text($('.call', c), call.method + ' ' + call.path + (call.query ? '?' + call.query : ''));
  const approvals = (r.decisions || []).filter(d => d.decision === 'approve').length;
  text($('.approvers', c), approvals + ' of ' + r.requiredApprovers + ' from ' + (r.approverGroups || []).join(' or '));
  const reasons = $('.reasons', c);
  for (const reason of (r.reasons || [])) reasons.appendChild(el('li', null, reason));
  const summary = $('.summary', c);
  for (const item of (r.summary || [])) {
    const flags = item.flags || [];
    const li = el('li', flags.length ? 'flagged' : null, (flags.length ? '⚠ ' : '') + item.text + ' ');
    for (const f of flags) li.appendChild(el('span', 'chip', f));
    summary.appendChild(li);
  }
  $('.summary-box', c).hidden = (r.summary || []).length === 0;
  const full = state.fullDiffs.get(r.id);
  const changes = full || r.changes || [];
  const truncated = isTruncated(r.changes || []);
  c.dataset.truncated = String(truncated);
  text($('.changes-note', c), full ? 'The full diff: all ' + full.length + ' changes, values whole.'
    : r.changesNote || (changes.length ? '' : 'No object changes to show for this call.'));
  if (!full && !r.changesNote && changes.length) $('.changes-note', c).hidden = true;
  const bar = $('.full-diff-bar', c);
  bar.hidden = !truncated || !!full;
  text($('.full-diff-hint', c), 'Only part of this change is shown (' + (r.changesTotal || '?') + ' changes in all).'
    + (r.status === 'pending' ? ' Approving needs the full diff.' : ''));
  $('.full-diff', c).addEventListener('click', () => loadFullDiff(r.id));
  const tbody = $('.changes tbody', c);
  for (const ch of changes) {
    const tr = document.createElement('tr');
    tr.className = 'op-' + ch.op;
    tr.appendChild(el('td', 'op-' + ch.op, ch.op));
    const path = el('td'); path.appendChild(el('code', null, ch.path || (ch.op === 'more' ? '' : '(whole object)'))); tr.appendChild(path);
    const before = el('td'); before.appendChild(el('code', null, ch.old == null ? '' : ch.old)); tr.appendChild(before);
    const after = el('td'); after.appendChild(el('code', null, ch.value == null ? '' : ch.value)); tr.appendChild(after);
    tbody.appendChild(tr);
  }
  if (changes.length === 0) $('.table-wrap', c).hidden = true;
  const decisions = $('.decisions', c);
  for (const d of (r.decisions || [])) {
    decisions.appendChild(el('li', null, (d.decision === 'approve' ? 'Approved' : 'Denied') + ' by ' + d.approver + ' ' + age(d.at)
      + (d.reason ? ': ' + d.reason : '')));
  }
  const pending = r.status === 'pending';
  const approve = $('.approve', c), deny = $('.deny', c);
  approve.disabled = deny.disabled = !pending;
  // The server refuses it anyway; the button says so first.
  if (pending && truncated && !full) { approve.disabled = true; approve.title = 'Show the full diff first'; }
  approve.setAttribute('aria-label', 'Approve ' + r.id);
  deny.setAttribute('aria-label', 'Deny ' + r.id);
  if (!pending) $('.actions', c).hidden = true;
  approve.addEventListener('click', () => decide(r.id, 'approve', {}, approve));
  deny.addEventListener('click', () => openDeny(c));
  const form = $('.deny-form', c);
  $('.cancel', form).addEventListener('click', () => { form.hidden = true; deny.focus(); });
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    const reason = form.elements.reason.value.trim();
    if (!reason) { say('A denial needs a reason: the agent reads it.'); return; }
    decide(r.id, 'deny', { reason }, $('button[type=submit]', form));
  });
  if (openForms.has(r.id) && pending) { form.hidden = false; form.elements.reason.value = openForms.get(r.id); }
  return c;
}

/** Whether the request's own diff leaves something out (a "more" entry or a cut value). */
function isTruncated(changes) {
  const cut = v => typeof v === 'string' && /… \(\d+ more characters\)$/.test(v);
  return changes.some(ch => ch.op === 'more' || cut(ch.old) || cut(ch.value));
}

/** Fetches the full diff (the server notes that this approver saw it) and shows it in place of the cut one. */
async function loadFullDiff(id) {
  try {
    const d = await api('GET', API + '/' + id + '/diff');
    state.fullDiffs.set(id, d.changes || []);
    render();
  } catch (e) {
    if (e.message !== 'unauthorized') say('Could not load the full diff of ' + id + ': ' + e.message);
  }
}

function openDeny(c) {
  const form = $('.deny-form', c);
  form.hidden = false;
  form.elements.reason.focus();
}

async function decide(id, action, body, button) {
  button.disabled = true;
  try {
    const r = await api('POST', API + '/' + id + '/' + action, body);
    say((action === 'approve' ? 'Approved ' : 'Denied ') + id + ' — now ' + r.status + '.');
    await refresh();
  } catch (e) {
    if (e.message !== 'unauthorized') say('Could not ' + action + ' ' + id + ': ' + e.message);
    button.disabled = false;
  }
}

// Live updates: Server-Sent Events read with fetch (EventSource cannot send the Authorization
// header). Each event names a changed request; the list is re-read. If the stream breaks, poll
// every 2 s and try the stream again later.
async function stream() {
  if (state.stream || !signedIn()) return;
  const ctrl = new AbortController();
  state.stream = ctrl;
  try {
    const headers = { 'Accept': 'text/event-stream' };
    const credentials = auth('GET', headers);
    const resp = await fetch(API + '/events', { headers, credentials, cache: 'no-store', signal: ctrl.signal });
    if (!resp.ok || !resp.body) throw new Error('HTTP ' + resp.status);
    live(true);
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, i); buf = buf.slice(i + 2);
        if (/^data:.*"(id|resync)"/m.test(chunk)) scheduleRefresh();
      }
    }
    throw new Error('stream ended');
  } catch (e) {
    live(false);
  } finally {
    if (state.stream === ctrl) state.stream = null;
  }
  if (signedIn()) setTimeout(stream, 10000);
}

function live(on) {
  const dot = $('#live');
  dot.classList.toggle('on', on);
  dot.title = on ? 'live updates' : 'polling every 2 s';
  clearInterval(state.poll);
  state.poll = on ? null : setInterval(refresh, 2000);
}

function show() {
  const inside = signedIn();
  $('#login').hidden = inside;
  $('#board').hidden = !inside;
  $('#who').hidden = !inside;
  text($('#whoami'), state.web ? state.web.name : 'admin token');
  if (inside) { refresh(); stream(); } else { $('#token').focus(); }
}

/** Ends the OIDC session (server side, then at the issuer when it offers a logout address). */
async function signOutWeb() {
  try {
    const r = await api('POST', OIDC + '/logout');
    state.web = null;
    if (r && r.endSession) { location.assign(r.endSession); return; }
    signOut();
  } catch (e) {
    if (e.message !== 'unauthorized') say('Could not sign out: ' + e.message);
  }
}

/** Whether the OIDC session cookie signs this browser in; shows the SSO button when OIDC is on. */
async function webSession() {
  try {
    const resp = await fetch(OIDC + '/session', { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'application/json' } });
    $('#sso-box').hidden = resp.status === 404;
    state.web = resp.ok ? await resp.json() : null;
  } catch (e) {
    state.web = null;
  }
}

function signOut(message) {
  state.web = null;
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.stream) state.stream.abort();
  state.stream = null;
  clearInterval(state.poll);
  state.items = [];
  $('#requests').replaceChildren();
  say(message || 'Signed out.');
  show();
}

document.addEventListener('DOMContentLoaded', () => {
  parseHash();
  $('#login').addEventListener('submit', async ev => {
    ev.preventDefault();
    const t = $('#token').value.trim();
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    $('#token').value = '';
    try {
      await api('GET', API + '?status=pending');
      say('');
      show();
    } catch (e) {
      if (e.message !== 'unauthorized') { sessionStorage.removeItem(TOKEN_KEY); say('Sign-in failed: ' + e.message); }
    }
  });
  $('#signout').addEventListener('click', () => state.web ? signOutWeb() : signOut());
  document.querySelectorAll('nav button').forEach(b => b.addEventListener('click', () => {
    state.filter = b.dataset.filter;
    document.querySelectorAll('nav button').forEach(x => x.setAttribute('aria-pressed', String(x === b)));
    refresh();
  }));
  window.addEventListener('hashchange', () => { parseHash(); refresh(); });
  setInterval(() => document.querySelectorAll('.card time').forEach(t => { t.textContent = age(t.dateTime); }), 15000);
  show();
  // A token in this tab signs in at once; otherwise the OIDC session cookie may.
  webSession().then(() => { if (state.web && !token()) show(); });
});
