// The buddy list (always beside the page on a desktop, its own page on a phone) and the home page.
import {h, fill, errorBox, time} from '../dom.js';
import {get, post, del, q} from '../api.js';
import {call} from '../calls.js';

/** Where a buddy is reachable: the class of their device in use (presence's "device"). */
export const DEVICE_WORDS = {
  'desk-phone': 'on desk phone',
  mobile: 'on mobile',
  softphone: 'on softphone',
  web: 'at the console',
};

export const STATE_WORDS = {
  available: 'available', away: 'away', busy: 'busy', dnd: 'do not disturb',
  'on-the-phone': 'on the phone', ringing: 'ringing', offline: 'offline',
  'in-meeting': 'in a meeting',
};

/** The conversation a message belongs to, seen from the logged-in user. */
export function conversationOf(m, me) {
  if (m.room) return 'room-' + m.room;
  return m.from === me ? m.to : m.from;
}

export function displayName(app, username) {
  const b = app.buddies.find((x) => x.username === username);
  return (b && b.displayName) || username;
}

let wired = false;
let paneOffs = [];

export function renderPane(pane, app) {
  paneOffs.forEach((off) => off()); // a new session in the same page
  const list = h('div', {class: 'groups', testid: 'buddy-list'});
  const error = errorBox('buddy-error');
  const username = h('input', {placeholder: 'username or extension', required: true, testid: 'buddy-add-username',
    'aria-label': 'Buddy to add', autocapitalize: 'none'});
  const group = h('input', {placeholder: 'group (optional)', testid: 'buddy-add-group', 'aria-label': 'Group'});
  const add = h('form', {class: 'add-buddy', 'aria-label': 'Add a buddy'}, username, group,
    h('button', {type: 'submit', testid: 'buddy-add-submit'}, 'Add'));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    try {
      const body = {username: username.value.trim()};
      if (group.value.trim()) body.group = group.value.trim();
      const r = await post('/api/buddies', body);
      app.buddies = r.buddies;
      username.value = '';
      draw();
    } catch (err) {
      error.show(err.message);
    }
  });
  fill(pane, h('h2', null, 'Buddies'), list, error.el, add);

  function row(b) {
    const p = b.presence || {state: 'offline'};
    const state = b.visible === false ? 'offline' : p.state;
    const note = b.visible === false ? 'not shared with you yet' : (p.note || '');
    const device = b.visible === false || state === 'offline' ? null : DEVICE_WORDS[p.device];
    const unread = app.unread[b.username] || 0;
    const name = b.displayName || b.username;
    return h('li', {class: 'buddy', testid: 'buddy-' + b.username, 'data-state': state},
      h('span', {class: 'dot', 'aria-hidden': 'true'}),
      h('a', {href: '#/chat/' + q(b.username), class: 'name', testid: 'buddy-open-' + b.username,
        title: 'Chat with ' + name}, name),
      h('span', {class: 'state', testid: 'buddy-state-' + b.username, 'data-state': state}, STATE_WORDS[state] || state),
      note ? h('span', {class: 'note', testid: 'buddy-note-' + b.username}, note) : null,
      device ? h('span', {class: 'device', testid: 'buddy-device-' + b.username, 'data-device': p.device}, device) : null,
      unread ? h('span', {class: 'unread', testid: 'unread-' + b.username, 'aria-label': unread + ' unread'}, unread) : null,
      h('span', {class: 'actions'},
        h('button', {type: 'button', class: 'call', testid: 'buddy-call-' + b.username, title: 'Call ' + name,
          onclick: () => call(b.username, name)}, 'Call'),
        h('button', {type: 'button', class: 'remove', testid: 'buddy-remove-' + b.username,
          title: 'Remove ' + name + ' from the list', onclick: () => remove(b)}, '×')));
  }

  async function remove(b) {
    if (!confirm(`Remove ${b.displayName || b.username} from your buddies?`)) return;
    try {
      await del('/api/buddies/' + q(b.username));
      app.buddies = app.buddies.filter((x) => x.username !== b.username);
      draw();
    } catch (err) {
      error.show(err.message);
    }
  }

  function draw() {
    const groups = new Map();
    for (const b of app.buddies) {
      const g = b.group || 'Buddies';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(b);
    }
    fill(list, groups.size === 0 ? h('p', {class: 'muted'}, 'No buddies yet: add a colleague below.') : null,
      [...groups].map(([g, members]) => h('section', {class: 'group', 'aria-label': g},
        h('h3', null, g), h('ul', null, members.map(row)))));
  }

  async function load() {
    try {
      app.buddies = (await get('/api/buddies')).buddies;
      error.clear();
      draw();
      app.emit('buddies');
    } catch (err) {
      error.show(err.message);
    }
  }

  if (!wired) {
    wired = true;
    app.on('presence', (f) => {
      const b = app.buddies.find((x) => x.username === f.username);
      if (!b) return;
      b.presence = f.presence;
      b.visible = true;
      app.emit('buddy-changed', b);
    });
    app.on('message', (f) => {
      const m = f.message;
      const key = conversationOf(m, app.me.username);
      if (m.from !== app.me.username && key !== app.openConversation) {
        app.unread[key] = (app.unread[key] || 0) + 1;
        app.emit('unread', key);
      }
    });
  }
  paneOffs = [
    app.on('buddy-changed', (b) => {
      const old = list.querySelector(`[data-testid="buddy-${CSS.escape(b.username)}"]`);
      if (old) old.replaceWith(row(b)); else draw();
    }),
    app.on('unread', () => draw()),
    app.on('catch-up', load),
  ];
  draw();
  load();
}

/** Home: recent conversations with unread counts (and, on a phone, the buddy list above). */
export function renderHome(view, app) {
  const list = h('ul', {class: 'conversations', testid: 'conversations'});
  const error = errorBox();
  fill(view, h('h1', null, 'Conversations'), error.el, list);
  async function load() {
    try {
      const r = await get('/api/conversations');
      fill(list, r.conversations.length === 0 ? h('li', {class: 'muted'}, 'No conversations yet.') : null,
        r.conversations.map((c) => {
          const room = c.with.startsWith('room-');
          const href = room ? '#/room/' + q(c.with.slice(5)) : '#/chat/' + q(c.with);
          const unread = app.unread[c.with] || 0;
          return h('li', {testid: 'conversation-' + c.with},
            h('a', {href}, room ? '# ' + c.with.slice(5) : displayName(app, c.with)),
            unread ? h('span', {class: 'unread'}, unread) : null,
            c.last ? h('span', {class: 'preview'}, (c.last.fromDisplayName || c.last.from) + ': ' + c.last.text) : null,
            c.last ? h('time', {datetime: c.last.createdAt}, time(c.last.createdAt)) : null);
        }));
    } catch (err) {
      error.show(err.message);
    }
  }
  load();
  const offs = [app.on('message', load), app.on('catch-up', load)];
  return () => offs.forEach((off) => off());
}
