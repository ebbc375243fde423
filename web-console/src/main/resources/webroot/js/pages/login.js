import {h, fill, errorBox, field} from '../dom.js';
import {post} from '../api.js';

export function render(view, params, app, startSession) {
  const username = h('input', {name: 'username', autocomplete: 'username', required: true, testid: 'login-username',
    autocapitalize: 'none', spellcheck: 'false'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true,
    testid: 'login-password'});
  const submit = h('button', {type: 'submit', testid: 'login-submit'}, 'Log in');
  const error = errorBox('login-error');
  const message = sessionStorage.getItem('switchboard.loginMessage');
  sessionStorage.removeItem('switchboard.loginMessage');
  const form = h('form', {class: 'card login', 'aria-labelledby': 'login-title'},
    h('h1', {id: 'login-title'}, 'Log in to Switchboard'),
    message ? h('p', {class: 'notice', testid: 'login-message', role: 'status'}, message) : null,
    field('Username', username), field('Password', password), error.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    submit.disabled = true;
    try {
      const me = await post('/api/login', {username: username.value.trim(), password: password.value});
      password.value = '';
      await startSession(me);
    } catch (err) {
      error.show(err.status === 401 ? 'Wrong username or password.' : err.message);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  fill(view, form);
  username.focus();
}
