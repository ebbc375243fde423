// One conversation, with a person or a room: history with paging, send, live messages, delivery state.
import {h, fill, errorBox, time} from '../dom.js';
import {get, post, q} from '../api.js';
import {call} from '../calls.js';
import {conferenceBar} from '../conference.js';
import {STATE_WORDS, conversationOf, displayName} from './buddies.js';

const PAGE = 30;
const DELIVERY = {
  PENDING: 'sending…', DELIVERED: 'delivered', STORED: 'stored for later', EXPIRED: 'expired, not delivered',
  FAILED: 'failed',
};

export function render(view, {kind, name}, app) {
  const room = kind === 'room';
  const key = room ? 'room-' + name : name;
  const title = room ? '# ' + name : displayName(app, name);
  app.openConversation = key;
  if (app.unread[key]) {
    delete app.unread[key];
    app.emit('unread', key);
  }

  const messages = new Map(); // id → message
  const focus = app.focus; // a search hit to open the conversation at, once
  app.focus = null;
  const log = h('ol', {class: 'chat-log', testid: 'chat-log', 'aria-live': 'polite', 'aria-label': 'Messages'});
  const older = h('button', {type: 'button', class: 'older', testid: 'chat-older', hidden: true}, 'Older messages');
  // Opened at a search hit, the page ends there: this goes to the present.
  const latest = h('button', {type: 'button', class: 'older', testid: 'chat-latest', hidden: !focus}, 'Jump to the latest messages');
  const input = h('input', {class: 'chat-input', testid: 'chat-input', autocomplete: 'off', maxlength: 4000,
    'aria-label': 'Message to ' + title, placeholder: 'Write a message…'});
  const send = h('button', {type: 'submit', testid: 'chat-send'}, 'Send');
  const error = errorBox('chat-error');
  const state = h('span', {class: 'state', testid: 'chat-state'});
  const callButton = room ? null : h('button', {type: 'button', class: 'call', testid: 'call-button',
    onclick: () => call(name, title)}, 'Call');
  const form = h('form', {class: 'chat-form'}, input, send);
  const conference = room ? conferenceBar(name, app) : null;

  fill(view, h('div', {class: 'chat'},
    h('div', {class: 'chat-head'},
      h('a', {href: room ? '#/rooms' : '#/buddies', class: 'back', 'aria-label': 'Back'}, '←'),
      h('h1', null, title), state, callButton),
    conference && conference.el, older, log, latest, error.el, form));

  function stateOfPeer() {
    if (room) return;
    const b = app.buddies.find((x) => x.username === name);
    if (b) {
      const s = b.visible === false ? 'offline' : b.presence.state;
      state.dataset.state = s;
      state.textContent = STATE_WORDS[s] + (b.presence.note && b.visible !== false ? ' — ' + b.presence.note : '');
    } else {
      get('/api/presence/' + q(name)).then((answer) => {
        const p = answer.presence || answer;
        state.dataset.state = p.state;
        state.textContent = STATE_WORDS[p.state] || p.state;
      }, () => { state.textContent = ''; });
    }
  }

  function item(m) {
    const mine = m.from === app.me.username;
    const hit = focus && focus.id === m.id;
    return h('li', {class: (mine ? 'msg mine' : 'msg') + (hit ? ' hit' : ''), 'data-id': m.id, testid: hit ? 'message-hit' : 'message'},
      h('span', {class: 'from'}, mine ? 'You' : (m.fromDisplayName || m.from)),
      h('time', {datetime: m.createdAt}, time(m.createdAt)),
      h('div', {class: 'text', testid: 'message-text'}, (m.text || '').replace(/\s+$/, '')),
      mine && !room ? h('span', {class: 'delivery', testid: 'message-state', 'data-state': m.state,
        'data-seen': m.displayedAt ? 'true' : 'false', title: m.displayedAt ? 'seen ' + time(m.displayedAt) : ''},
        m.displayedAt ? 'seen' : (DELIVERY[m.state] || m.state)) : null);
  }

  // Display receipts: what this page shows of the peer's messages, while the tab is visible, is "seen"
  // (the sender's console marks it; their CPIM phone gets an IMDN display notification when it asked).
  const seenSent = new Set();
  function markSeen() {
    if (room || document.visibilityState !== 'visible') return;
    for (const m of messages.values()) {
      if (m.from === app.me.username || m.displayedAt || seenSent.has(m.id)) continue;
      seenSent.add(m.id);
      post('/api/messages/' + q(m.id) + '/seen').then((answer) => {
        if (answer) messages.set(m.id, {...messages.get(m.id), ...answer});
      }, () => seenSent.delete(m.id));
    }
  }
  document.addEventListener('visibilitychange', markSeen);

  function draw(stick) {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const sorted = [...messages.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    fill(log, sorted.length === 0 ? h('li', {class: 'muted'}, 'No messages yet.') : null, sorted.map(item));
    const hit = focus && log.querySelector('.msg.hit');
    if (hit && !focus.shown) {
      focus.shown = true;
      hit.scrollIntoView({block: 'center'});
    } else if (stick || atBottom) {
      log.scrollTop = log.scrollHeight;
    }
    markSeen();
  }

  function add(list) {
    for (const m of list) messages.set(m.id, {...messages.get(m.id), ...m});
  }

  async function load(before) {
    try {
      const params = `with=${q(key)}&limit=${PAGE}` + (before ? `&before=${q(before)}` : '');
      const page = (await get('/api/messages?' + params)).messages;
      add(page);
      if (!before || page.length < PAGE) older.hidden = page.length < PAGE;
      const height = log.scrollHeight;
      const focusedBefore = !focus || focus.shown;
      draw(!before);
      // keep the reader where they were (unless this page brought the search hit, which draw scrolled to)
      if (before && focusedBefore) log.scrollTop = log.scrollHeight - height;
    } catch (err) {
      error.show(err.message);
    }
  }

  latest.addEventListener('click', () => {
    latest.hidden = true;
    messages.clear();
    load();
  });

  older.addEventListener('click', () => {
    const oldest = [...messages.values()].map((m) => m.createdAt).sort()[0];
    load(oldest);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    error.clear();
    send.disabled = true;
    try {
      const m = room ? await post('/api/rooms/' + q(name) + '/messages', {body: text})
        : await post('/api/messages', {to: name, body: text});
      input.value = '';
      add([m]);
      draw(true);
    } catch (err) {
      error.show(err.message);
    } finally {
      send.disabled = false;
      input.focus();
    }
  });

  const offs = [
    app.on('message', (f) => {
      if (conversationOf(f.message, app.me.username) === key) {
        add([f.message]);
        draw(true);
      }
    }),
    app.on('message-state', (f) => {
      if (messages.has(f.message.id)) {
        add([f.message]);
        draw(false);
      }
    }),
    app.on('buddy-changed', (b) => b.username === name && stateOfPeer()),
    app.on('buddies', stateOfPeer),
    app.on('catch-up', () => load()),
    conference ? conference.off : () => {},
  ];
  stateOfPeer();
  load(focus ? new Date(Date.parse(focus.createdAt) + 1).toISOString() : undefined);
  input.focus();
  return () => {
    document.removeEventListener('visibilitychange', markSeen);
    offs.forEach((off) => off());
  };
}
