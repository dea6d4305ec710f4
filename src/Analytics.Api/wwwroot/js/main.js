import { ApiError, createApi } from './api.js';
import { h, field, message } from './dom.js';
import { lastDays, rangePicker } from './dates.js';
import { session } from './session.js';
import * as templates from './views/templates.js';

// The first view is loaded with the page; the others when first opened.
const views = {
  templates: async () => templates,
  usage: () => import('./views/usage.js'),
  extract: () => import('./views/extract.js'),
  ingestion: () => import('./views/ingestion.js'),
};
const titles = { templates: 'Prompt templates', usage: 'Usage', extract: 'Credit extract', ingestion: 'Ingestion' };
const needs = { extract: 'admin' };
const usesRange = new Set(['templates', 'usage']);

const main = document.getElementById('main');
const whoBox = document.getElementById('who');
let range = lastDays(30);
let current = null; // { api, who, workspace }
let inFlight = null;

boot();

async function boot() {
  if (!session.key) return showSignIn();
  const api = createApi({ key: session.key, workspace: session.workspace });
  try {
    const who = await api.whoami();
    await enter(who, session.key);
  } catch (e) {
    session.signOut();
    showSignIn(e instanceof ApiError && e.status === 401 ? 'Your key is no longer accepted (revoked or expired). Sign in again.' : errorText(e));
  }
}

function showSignIn(problem) {
  current = null;
  whoBox.replaceChildren();
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = problem ? message('error', problem) : null;
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title', onsubmit: async (e) => {
    e.preventDefault();
    const secret = key.value.trim();
    if (!secret) return;
    button.disabled = true;
    try {
      const who = await createApi({ key: secret }).whoami();
      session.signIn(secret);
      await enter(who, secret);
    } catch (err) {
      form.querySelector('.message')?.remove();
      form.append(message('error', err instanceof ApiError && err.status === 401
        ? 'That key was not accepted: it is wrong, revoked or expired.' : errorText(err)));
      key.focus();
    } finally {
      button.disabled = false;
    }
  } },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Use an API key with the read scope (admin for the credit extract), or the bootstrap admin token. The key is kept for this browser tab only.'),
    field('API key', key),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
    status);
  const button = form.querySelector('button');
  main.replaceChildren(form);
  key.focus();
}

async function enter(who, key) {
  let workspace = who.workspace_id ?? session.workspace;
  if (who.bootstrap_admin) {
    const { workspaces } = await createApi({ key }).workspaces();
    if (!workspace || !workspaces.includes(workspace)) workspace = null;
    if (!workspace) return showPicker(who, key, workspaces);
  }
  session.chooseWorkspace(workspace);
  current = { api: createApi({ key, workspace }), who, workspace, workspaces: null };
  showWho();
  showShell();
}

function showPicker(who, key, workspaces) {
  const select = h('select', { name: 'workspace' }, workspaces.map((w) => h('option', { value: w }, w)));
  main.replaceChildren(h('form', { class: 'card', 'aria-labelledby': 'picker-title', onsubmit: (e) => {
    e.preventDefault();
    session.chooseWorkspace(select.value);
    current = { api: createApi({ key, workspace: select.value }), who, workspace: select.value, workspaces };
    showWho();
    showShell();
  } },
    h('h2', { id: 'picker-title' }, 'Choose a workspace'),
    workspaces.length === 0
      ? message('empty', 'No workspace has keys or usage yet. Create a key with POST /v1/admin/keys, then send events.')
      : [field('Workspace', select), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Open'))],
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'))));
  select.focus();
}

function showWho() {
  const { who, workspace } = current;
  whoBox.replaceChildren(...[
    h('span', {}, 'Workspace ', h('strong', { id: 'workspace-name' }, workspace), ` · ${who.bootstrap_admin ? 'admin token' : who.scopes.join(', ')}`),
    who.bootstrap_admin ? h('button', { type: 'button', class: 'link', onclick: () => { session.chooseWorkspace(''); boot(); } }, 'Change workspace') : null,
    h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out'),
  ].filter(Boolean));
}

function signOut() {
  session.signOut();
  showSignIn();
}

function showShell() {
  const nav = h('nav', { 'aria-label': 'Views' }, h('ul', {}, Object.keys(views).map((name) =>
    h('li', {}, h('a', { href: `#${name}`, dataset: { view: name } }, titles[name])))));
  const controls = h('div', { class: 'controls' });
  const heading = h('h2', { id: 'view-title', tabindex: '-1' });
  const view = h('div', { id: 'view', class: 'view', 'aria-busy': 'true' });
  main.replaceChildren(nav, h('section', { 'aria-labelledby': 'view-title' }, heading, controls, view));
  window.onhashchange = () => show();
  show();

  async function show() {
    const name = views[location.hash.slice(1)] ? location.hash.slice(1) : 'templates';
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    heading.textContent = titles[name];
    document.title = `${titles[name]} · Analytics`;
    controls.replaceChildren(usesRange.has(name) ? rangePicker(range, (r) => { range = r; show(); }) : '');
    inFlight?.abort();
    const abort = new AbortController();
    inFlight = abort;
    view.setAttribute('aria-busy', 'true');
    delete view.dataset.ready;
    view.replaceChildren(h('p', { class: 'loading', role: 'status' }, 'Loading…'));
    if (needs[name] && !current.who.scopes.includes(needs[name])) {
      view.replaceChildren(message('empty', `The ${titles[name].toLowerCase()} needs a key with the ${needs[name]} scope; this one has ${current.who.scopes.join(', ')}.`));
      view.setAttribute('aria-busy', 'false');
      view.dataset.ready = 'scope';
      return;
    }
    const ctx = { ...current, range, signal: abort.signal, refresh: show, fail: (e) => fail(view, e) };
    try {
      const module = await views[name]();
      await module.render(view, ctx);
      if (abort.signal.aborted) return;
      view.setAttribute('aria-busy', 'false');
      view.dataset.ready = name;
      performance.mark(`view-ready:${name}`);
    } catch (e) {
      if (e.name === 'AbortError') return;
      fail(view, e);
    }
  }
}

function fail(view, e) {
  view.setAttribute('aria-busy', 'false');
  if (e instanceof ApiError && e.status === 401) {
    session.signOut();
    showSignIn('Your key is no longer accepted (revoked or expired). Sign in again.');
    return;
  }
  // A view with filters keeps them, so that the request can be changed and sent again.
  const target = view.querySelector('.results') ?? view;
  target.replaceChildren(message('error', errorText(e)));
  view.dataset.ready = 'error';
}

const errorText = (e) => (e instanceof ApiError ? e.text : `Something went wrong in the page: ${e.message}`);
