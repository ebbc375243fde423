// The JSON API as the pages use it: errors become ApiError with words; a 401 ends the session.

const WORDS = {
  0: 'The server cannot be reached',
  400: 'Not accepted', 401: 'Not logged in', 403: 'Not allowed', 404: 'Not found', 409: 'Already exists', 410: 'No longer valid',
  413: 'Too large', 415: 'Wrong format', 429: 'Too many attempts', 503: 'Not available right now',
};

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && body.message ? body.message : (status >= 500 ? 'the server had a problem' : '');
    super(`${WORDS[status] || 'Error'} (${status || 'network'})${detail ? ': ' + detail : ''}`);
    this.status = status;
    this.body = body || {};
    this.field = this.body.field;
  }
}

let unauthorized = () => {};
/** Called with the message when any request answers 401 (the session ended). */
export function onUnauthorized(handler) { unauthorized = handler; }

export async function api(method, path, body, contentType) {
  const headers = {Accept: 'application/json'};
  const init = {method, headers, credentials: 'same-origin'};
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    init.body = contentType ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, {message: 'check the connection and try again'});
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = {message: text.slice(0, 200)}; }
  if (response.status === 401 && path !== '/api/login') unauthorized(data && data.message);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const put = (path, body) => api('PUT', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
export const q = encodeURIComponent;
