// Search of one's own conversations and rooms: words, a sender, a date range; a hit opens its conversation there.
import {h, fill, errorBox, field, time} from '../dom.js';
import {get, q} from '../api.js';
import {conversationOf, displayName} from './buddies.js';

const PAGE = 30;

export function render(view, app) {
  const words = h('input', {type: 'search', testid: 'search-input', maxlength: 200, autocomplete: 'off',
    placeholder: 'budget report'});
  const from = h('input', {testid: 'search-from', autocapitalize: 'none', placeholder: 'anyone'});
  const after = h('input', {type: 'date', testid: 'search-after'});
  const before = h('input', {type: 'date', testid: 'search-before'});
  const form = h('form', {class: 'card search-form', role: 'search', 'aria-label': 'Search messages'},
    field('Words', words), field('From', from), field('From date', after), field('To date', before),
    h('button', {type: 'submit', testid: 'search-submit'}, 'Search'));
  const hits = h('ol', {class: 'hits', testid: 'search-hits', 'aria-live': 'polite', 'aria-label': 'Messages found'});
  const more = h('button', {type: 'button', class: 'older', testid: 'search-more', hidden: true}, 'More');
  const error = errorBox('search-error');
  fill(view, h('h1', null, 'Search'), form, error.el, hits, more);

  let last = null; // the oldest hit shown: the next page starts before it
  let shown = [];

  function query(beforeIso) {
    const params = new URLSearchParams({limit: String(PAGE)});
    if (words.value.trim()) params.set('q', words.value.trim());
    if (from.value.trim()) params.set('from', from.value.trim());
    if (after.value) params.set('after', new Date(after.value + 'T00:00:00').toISOString());
    const end = beforeIso || (before.value ? new Date(before.value + 'T24:00:00').toISOString() : null);
    if (end) params.set('before', end);
    return '/api/messages/search?' + params;
  }

  function where(m) {
    const key = conversationOf(m, app.me.username);
    return key.startsWith('room-') ? {href: '#/room/' + q(key.slice(5)), label: '# ' + key.slice(5)}
      : {href: '#/chat/' + q(key), label: displayName(app, key)};
  }

  function item(m) {
    const place = where(m);
    return h('li', {class: 'hit', testid: 'search-hit', 'data-id': m.id},
      h('a', {href: place.href, testid: 'search-hit-open', onclick: () => { app.focus = {id: m.id, createdAt: m.createdAt}; }},
        h('span', {class: 'where'}, place.label),
        h('span', {class: 'from'}, m.from === app.me.username ? 'You' : (m.fromDisplayName || m.from)),
        h('time', {datetime: m.createdAt}, time(m.createdAt)),
        h('div', {class: 'text'}, (m.text || '').replace(/\s+$/, ''))));
  }

  async function run(next) {
    error.clear();
    try {
      const page = (await get(query(next ? last : null))).messages;
      shown = next ? shown.concat(page) : page;
      last = page.length ? page[page.length - 1].createdAt : last;
      more.hidden = page.length < PAGE;
      fill(hits, shown.length === 0 ? h('li', {class: 'muted', testid: 'search-none'}, 'Nothing found.') : null,
        shown.map(item));
    } catch (err) {
      error.show(err.message);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run(false);
  });
  more.addEventListener('click', () => run(true));
  words.focus();
}
