// One conversation, with a person or a room: history with paging, send, live messages, delivery state.
import {h, fill, errorBox, time} from '../dom.js';
import {get, post, q, ApiError} from '../api.js';
import {call} from '../calls.js';
import {conferenceBar} from '../conference.js';
import {STATE_WORDS, conversationOf, displayName} from './buddies.js';

const PAGE = 30;
const DELIVERY = {
  PENDING: 'sending…', DELIVERED: 'delivered', STORED: 'stored for later', EXPIRED: 'expired, not delivered',
  FAILED: 'failed',
};

const INLINE_IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** 1.2 MB, 340 KB, 12 bytes (decimal units, as phones are told). */
function size(bytes) {
  if (bytes < 1000) return bytes + (bytes === 1 ? ' byte' : ' bytes');
  const units = ['KB', 'MB', 'GB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
  return (value < 10 ? value.toFixed(1) : String(Math.round(value))) + ' ' + units[unit];
}

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
  const fileInput = h('input', {type: 'file', testid: 'chat-file', hidden: true, 'aria-label': 'File to send'});
  const attach = h('button', {type: 'button', class: 'attach', testid: 'chat-attach', title: 'Send a file',
    onclick: () => fileInput.click()}, 'Attach');
  const progress = h('progress', {class: 'upload', testid: 'chat-progress', max: 100, value: 0, hidden: true});
  const form = h('form', {class: 'chat-form'}, attach, fileInput, input, send);
  const conference = room ? conferenceBar(name, app) : null;

  fill(view, h('div', {class: 'chat'},
    h('div', {class: 'chat-head'},
      h('a', {href: room ? '#/rooms' : '#/buddies', class: 'back', 'aria-label': 'Back'}, '←'),
      h('h1', null, title), state, callButton),
    conference && conference.el, older, log, latest, progress, error.el, form));

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
      m.file ? fileCard(m.file)
        : h('div', {class: 'text', testid: 'message-text'}, (m.text || '').replace(/\s+$/, '')),
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

  // Files: served from this origin with the session (the token in file.url is for phones).
  function fileCard(file) {
    const href = '/f/' + q(file.id);
    const label = file.name + ' (' + size(file.size) + ')';
    if (INLINE_IMAGES.includes(file.type)) {
      return h('a', {class: 'file image', href, target: '_blank', rel: 'noopener', testid: 'message-image'},
        h('img', {src: href, alt: file.name, loading: 'lazy'}), h('span', {class: 'muted'}, label));
    }
    return h('a', {class: 'file card', href, download: file.name, testid: 'message-file'},
      h('span', {class: 'file-name'}, file.name), h('span', {class: 'muted'}, size(file.size)));
  }

  /** Sends a file with a progress bar: XMLHttpRequest, for its upload progress events. */
  function upload(file) {
    if (!file) return;
    error.clear();
    const body = new FormData();
    body.append(room ? 'room' : 'to', name);
    body.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/messages/files');
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) progress.value = Math.round(100 * e.loaded / e.total);
    });
    const done = () => { progress.hidden = true; attach.disabled = false; fileInput.value = ''; };
    xhr.addEventListener('load', () => {
      done();
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = {message: xhr.responseText.slice(0, 200)}; }
      if (xhr.status === 201) {
        add([data]);
        draw(true);
      } else {
        error.show(new ApiError(xhr.status, data).message);
      }
    });
    xhr.addEventListener('error', () => { done(); error.show(new ApiError(0, {message: 'the upload did not finish'}).message); });
    progress.value = 0;
    progress.hidden = false;
    attach.disabled = true;
    xhr.send(body);
  }

  fileInput.addEventListener('change', () => upload(fileInput.files[0]));
  const chat = view.querySelector('.chat');
  chat.addEventListener('dragover', (e) => { e.preventDefault(); chat.classList.add('dropping'); });
  chat.addEventListener('dragleave', () => chat.classList.remove('dropping'));
  chat.addEventListener('drop', (e) => {
    e.preventDefault();
    chat.classList.remove('dropping');
    if (e.dataTransfer && e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
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
