// Personal API tokens for scripts: made and revoked here; a new token's secret is shown this once.
import {h, fill, errorBox, time} from '../dom.js';
import {get, post, del, q} from '../api.js';

/** The "API tokens" section of the user's own settings page. */
export function section() {
  const list = h('ul', {class: 'tokens', testid: 'tokens'});
  const error = errorBox('tokens-error');
  const shown = h('div', {class: 'token-secret', testid: 'token-secret-box', hidden: true});
  const name = h('input', {required: true, maxlength: 64, testid: 'token-name', placeholder: 'what it is for, e.g. backup script',
    'aria-label': 'Token name'});
  const form = h('form', {class: 'inline'}, name, h('button', {type: 'submit', testid: 'token-create'}, 'Create token'));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    try {
      const made = await post('/api/tokens', {name: name.value.trim()});
      name.value = '';
      fill(shown, h('p', null, 'Copy this token now: it is not shown again. Send it as ',
        h('code', null, 'Authorization: Bearer …'), '.'),
      h('input', {readonly: true, value: made.secret, testid: 'token-secret', 'aria-label': 'New token', class: 'secret'}));
      shown.hidden = false;
      await load();
    } catch (err) {
      error.show(err);
    }
  });

  async function revoke(token) {
    error.clear();
    try {
      await del('/api/tokens/' + q(token.id));
      shown.hidden = true;
      await load();
    } catch (err) {
      error.show(err);
    }
  }

  async function load() {
    try {
      const tokens = (await get('/api/tokens')).tokens;
      fill(list, tokens.length === 0 ? h('li', {class: 'muted'}, 'No tokens.') : null, tokens.map((t) =>
        h('li', {testid: 'token-' + t.name},
          h('span', {class: 'name'}, t.name),
          h('span', {class: 'muted'}, ' made ', time(t.createdAt), ', ',
            t.lastUsedAt ? 'last used ' + time(t.lastUsedAt) : 'never used'),
          h('button', {type: 'button', class: 'remove', testid: 'token-revoke-' + t.name, onclick: () => revoke(t)},
            'Revoke'))));
    } catch (err) {
      error.show(err);
    }
  }
  load();

  return h('section', {testid: 'api-tokens'}, h('h2', null, 'API tokens'),
    h('p', {class: 'muted'}, 'For scripts: a token acts with your rights until you revoke it.'),
    error.el, list, form, shown);
}
