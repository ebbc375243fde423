// Who may see my presence: rules per watcher, and requests waiting for my decision.
import {h, fill, errorBox} from '../dom.js';
import {get, put} from '../api.js';
import {section as apiTokens} from './tokens.js';

const ACTIONS = {allow: 'may see me', block: 'blocked', 'polite-block': 'sees me offline', confirm: 'must ask'};

export function render(view, app) {
  const rulesList = h('ul', {class: 'rules', testid: 'rules'});
  const pendingList = h('ul', {class: 'pending', testid: 'pending'});
  const error = errorBox('privacy-error');
  const watcher = h('input', {required: true, testid: 'rule-watcher', placeholder: 'username or * for everyone else',
    'aria-label': 'Who', autocapitalize: 'none'});
  const action = select('allow', 'rule-action');
  action.setAttribute('aria-label', 'Rule');
  const form = h('form', {class: 'inline'}, watcher, action, h('button', {type: 'submit', testid: 'rule-add'}, 'Add rule'));
  let rules = [];

  function select(value, testid) {
    return h('select', {testid}, Object.entries(ACTIONS).map(([a, words]) =>
      h('option', {value: a, selected: a === value}, `${a} (${words})`)));
  }

  async function save(next) {
    error.clear();
    try {
      rules = (await put('/api/presence/rules', {rules: next})).rules;
      await load();
    } catch (err) {
      error.show(err.message);
    }
  }

  function decide(who, act) {
    save([...rules.filter((r) => r.watcher !== who), {watcher: who, action: act}]);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    decide(watcher.value.trim(), action.value);
    watcher.value = '';
  });

  fill(view, h('h1', null, 'Privacy'), error.el,
    h('h2', null, 'Waiting for your decision'), pendingList,
    h('h2', null, 'Who may see my presence'), rulesList, form,
    h('p', {class: 'muted'}, 'Buddies on your list may see you unless a rule says otherwise.'),
    apiTokens());

  async function load() {
    try {
      rules = (await get('/api/presence/rules')).rules;
      const pending = (await get('/api/presence/pending')).pending;
      fill(pendingList, pending.length === 0 ? h('li', {class: 'muted'}, 'Nobody is waiting.') : null,
        pending.map((p) => h('li', {testid: 'pending-' + p.watcher}, h('span', {class: 'name'}, p.watcher),
          h('button', {type: 'button', testid: 'allow-' + p.watcher, onclick: () => decide(p.watcher, 'allow')}, 'Allow'),
          h('button', {type: 'button', testid: 'deny-' + p.watcher, onclick: () => decide(p.watcher, 'block')}, 'Deny'))));
      fill(rulesList, rules.length === 0 ? h('li', {class: 'muted'}, 'No rules.') : null, rules.map((r) => {
        const s = select(r.action, 'rule-' + r.watcher);
        s.setAttribute('aria-label', 'Rule for ' + r.watcher);
        s.addEventListener('change', () => decide(r.watcher, s.value));
        return h('li', null, h('span', {class: 'name'}, r.watcher === '*' ? 'everyone else' : r.watcher), s,
          h('button', {type: 'button', class: 'remove', onclick: () => save(rules.filter((x) => x.watcher !== r.watcher))},
            'Remove'));
      }));
    } catch (err) {
      error.show(err.message);
    }
  }
  load();
}
