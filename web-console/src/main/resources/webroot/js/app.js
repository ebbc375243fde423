// The console's shell: who is logged in, the live channel, hash routes to pages.
import {h, fill} from './dom.js';
import {get, put, post, onUnauthorized} from './api.js';
import {Live} from './live.js';
import * as loginPage from './pages/login.js';
import * as buddyList from './pages/buddies.js';
import * as chatPage from './pages/chat.js';
import * as roomsPage from './pages/rooms.js';
import * as searchPage from './pages/search.js';
import * as privacyPage from './pages/privacy.js';
import * as adminPages from './pages/admin.js';
import * as passwordPage from './pages/password.js';
import * as broadcastsPage from './pages/broadcasts.js';
import {startTicker} from './ticker.js';
import {callStatus, listen as listenForCalls} from './calls.js';
import {remember as rememberMetrics} from './charts.js';
import {watchVoicemail} from './voicemail.js';

/** What every page shares: the user, buddies, unread counts, and events from the live channel. */
export const app = {
  me: null,
  buddies: [],
  unread: {},            // conversation key ("bob", "room-team") → count
  openConversation: null, // the key of the conversation on screen
  focus: null,           // {id, createdAt}: a search hit the next conversation opens at
  metrics: [],           // samples of the server's meters (administrators only), for the status page's charts
  handlers: new Map(),
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type).delete(fn);
  },
  emit(type, data) {
    for (const fn of [...(this.handlers.get(type) || [])]) fn(data);
  },
  go(hash) { location.hash = hash; },
};

listenForCalls(app);
app.on('metrics', (f) => rememberMetrics(app, f));

const view = document.getElementById('view');
const pane = document.getElementById('buddies-pane');
const header = document.querySelector('header.top');
const liveState = document.querySelector('[data-testid="live-state"]');
let cleanup = null;
let live = null;
let connectedOnce = false;
let stopTicker = null;

const routes = [
  [/^login$/, (p) => loginPage.render(view, p, app, startSession)],
  [/^buddies$/, (p) => buddyList.renderHome(view, app)],
  [/^chat\/([^/]+)$/, (p) => chatPage.render(view, {kind: 'user', name: p[1]}, app)],
  [/^room\/([^/]+)$/, (p) => chatPage.render(view, {kind: 'room', name: p[1]}, app)],
  [/^rooms$/, () => roomsPage.render(view, app)],
  [/^search$/, () => searchPage.render(view, app)],
  [/^privacy$/, () => privacyPage.render(view, app)],
  [/^broadcasts$/, () => broadcastsPage.render(view, app)],
  [/^admin\/users$/, () => adminPages.users(view, app)],
  [/^admin\/devices\/([^/]+)$/, (p) => adminPages.devices(view, p[1], app)],
  [/^admin\/import$/, () => adminPages.importCsv(view, app)],
  [/^admin\/status$/, () => adminPages.status(view, app)],
  [/^password\/([^/]+)$/, (p) => { passwordPage.render(view, p[1], app); }],
];

function route() {
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || 'buddies';
  if (!app.me && path !== 'login' && !path.startsWith('password/')) { // a set-password link needs no session
    app.go('#/login');
    return;
  }
  if (app.me && path === 'login') {
    app.go('#/buddies');
    return;
  }
  if (cleanup) cleanup();
  cleanup = null;
  app.openConversation = null;
  const name = path.split('/')[0];
  document.body.dataset.route = name;
  document.querySelectorAll('[data-nav]').forEach((a) => {
    const active = a.getAttribute('href') === '#/' + path || (name === 'admin' && a.dataset.nav === 'admin' && !path.endsWith('status'));
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  for (const [pattern, render] of routes) {
    const m = path.match(pattern);
    if (m) {
      cleanup = render(m) || null;
      // Keyboard and screen-reader users land in the new page, unless it focused a field itself.
      if (!view.contains(document.activeElement)) view.focus({preventScroll: true});
      return;
    }
  }
  fill(view, h('h1', null, 'Not found'), h('p', null, 'There is no page at ', h('code', null, path), '.'));
}

/** After login or when a session already exists: the shell, the live channel, the buddy list. */
async function startSession(me) {
  if (live) live.stop();
  app.me = me;
  header.hidden = false;
  pane.hidden = false;
  const whoami = document.querySelector('[data-testid="whoami"]');
  whoami.textContent = me.displayName || me.username;
  whoami.dataset.username = me.username;
  document.querySelectorAll('[data-admin]').forEach((a) => { a.hidden = me.role !== 'admin'; });
  document.querySelectorAll('[data-broadcaster]').forEach((a) => { a.hidden = me.role !== 'admin' && me.role !== 'broadcaster'; });
  buddyList.renderPane(pane, app);
  connectedOnce = false;
  live = new Live({
    onFrame: (f) => app.emit(f.type, f),
    onState: (s) => {
      liveState.textContent = s === 'open' ? '' : s === 'connecting' ? 'Connecting…' : 'Offline: reconnecting…';
      liveState.dataset.state = s;
      if (s === 'closed') get('/api/me').catch(() => {}); // a 401 here ends the session
    },
    onEnded: (why) => endSession('Your session has ended' + (why ? ': ' + why : '') + '.'),
  });
  live.start();
  if (stopTicker) stopTicker();
  stopTicker = startTicker(document.querySelector('[data-testid="ticker"]'), app);
  watchVoicemail(app);
  await refreshMyState();
  if (!location.hash || location.hash.startsWith('#/login')) app.go('#/buddies'); else route();
}

async function refreshMyState() {
  try {
    const answer = await get('/api/presence/' + encodeURIComponent(app.me.username));
    const mine = answer.presence || answer; // {"username", "presence": {"state", "note"}}
    const select = document.getElementById('status-select');
    if (['available', 'away', 'busy', 'dnd'].includes(mine.state)) select.value = mine.state;
    document.getElementById('status-note').value = mine.note || '';
  } catch (e) { /* not fatal: the select keeps its default */ }
}

function endSession(why) {
  if (!app.me) return;
  app.me = null;
  if (live) live.stop();
  live = null;
  if (stopTicker) stopTicker();
  stopTicker = null;
  header.hidden = true;
  pane.hidden = true;
  liveState.textContent = '';
  fill(pane);
  app.unread = {};
  app.metrics = [];
  callStatus.clear();
  sessionStorage.setItem('switchboard.loginMessage', why || '');
  if (location.hash === '#/login') route(); else app.go('#/login'); // hashchange routes

}

// Every "hello" after the first means we were disconnected: catch up on what we missed.
app.on('hello', () => {
  if (connectedOnce) app.emit('catch-up');
  connectedOnce = true;
});

onUnauthorized((message) => endSession(message ? 'Your session has ended: ' + message + '.' : 'Your session has ended.'));

document.getElementById('me-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  await setMyState();
});
document.getElementById('status-select').addEventListener('change', () => setMyState());
async function setMyState() {
  const state = document.getElementById('status-select').value;
  const note = document.getElementById('status-note').value.trim();
  try {
    await put('/api/presence/me', note ? {state, note} : {state});
    callStatus.info('Your state is now ' + document.getElementById('status-select').selectedOptions[0].textContent.toLowerCase() + '.');
  } catch (err) {
    callStatus.error(err.message);
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await post('/api/logout'); } catch (e) { /* logged out either way */ }
  endSession('You have logged out.');
});

window.addEventListener('hashchange', route);

(async function boot() {
  try {
    const me = await get('/api/me');
    await startSession(me);
  } catch (e) {
    route();
  }
})();
