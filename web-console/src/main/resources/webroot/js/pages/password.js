// A set-password link (#/password/<token>): whose it is, then choose a password, once.
import {h, fill, errorBox, field} from '../dom.js';
import {get, post, q} from '../api.js';

export async function render(view, token, app) {
  const error = errorBox('password-error');
  fill(view, h('div', {class: 'card login'}, h('h1', null, 'Choose your password'), error.el));
  let link;
  try {
    link = await get('/api/password-reset/' + q(token));
  } catch (err) {
    error.show(err.status === 410 ? 'This link was used already or has expired. Ask your administrator for a new one.'
      : err.status === 404 ? 'This link is not valid. Ask your administrator for a new one.' : err.message);
    return;
  }
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'new-password', required: true,
    minlength: 8, testid: 'password-new'});
  const again = h('input', {name: 'again', type: 'password', autocomplete: 'new-password', required: true,
    testid: 'password-again'});
  const submit = h('button', {type: 'submit', testid: 'password-submit'}, 'Set password');
  const form = h('form', {class: 'card login', 'aria-labelledby': 'password-title'},
    h('h1', {id: 'password-title'}, 'Choose your password'),
    h('p', null, 'For ', h('strong', {testid: 'password-username'}, link.username),
      '. This link can be used once, until ' + new Date(link.expiresAt).toLocaleString() + '.'),
    field('New password (at least 8 characters)', password), field('Again', again), error.el, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    if (password.value !== again.value) {
      error.show('The two passwords differ.');
      return;
    }
    submit.disabled = true;
    try {
      await post('/api/password-reset/' + q(token), {password: password.value});
      password.value = '';
      again.value = '';
      sessionStorage.setItem('switchboard.loginMessage', 'Your password is set: log in with it.');
      app.go('#/login');
    } catch (err) {
      error.show(err.message);
      submit.disabled = false;
    }
  });
  fill(view, form);
  password.focus();
}
