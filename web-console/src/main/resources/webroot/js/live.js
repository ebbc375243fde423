// The live channel: one WebSocket to /api/live, reconnecting by itself with back-off.
// The server decides from the session what this browser receives; we only listen (and say when the
// user turns to the console: 'focus').

export const SESSION_ENDED = 4401;

export class Live {
  /**
   * @param onFrame called with each JSON frame
   * @param onState called with 'connecting' | 'open' | 'closed'
   * @param onEnded called when the server says the session is over
   */
  constructor({onFrame, onState, onEnded}) {
    Object.assign(this, {onFrame, onState, onEnded});
    this.delay = 1000;
    this.stopped = false;
    this.socket = null;
    this.pinger = null;
    this.watchdog = null;
    this.retry = null;
    this.seen = new Set(); // ids of messages received, so that none is shown (or counted unread) twice
    // The browser knows before the socket does: drop it when offline, come back at once when online.
    this.offline = () => this.socket && this.socket.close(4000, 'offline');
    // The user turned to the console: the server counts it as a use of the console (the device in use).
    this.focus = () => this.socket && this.socket.readyState === 1 && this.socket.send('focus');
    this.online = () => {
      if (this.stopped || (this.socket && this.socket.readyState <= 1)) return;
      clearTimeout(this.retry);
      this.delay = 1000;
      this.connect();
    };
  }

  start() {
    this.stopped = false;
    window.addEventListener('offline', this.offline);
    window.addEventListener('online', this.online);
    window.addEventListener('focus', this.focus);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('offline', this.offline);
    window.removeEventListener('online', this.online);
    window.removeEventListener('focus', this.focus);
    clearTimeout(this.retry);
    clearTimeout(this.watchdog);
    clearInterval(this.pinger);
    if (this.socket) this.socket.close(1000, 'bye');
    this.socket = null;
  }

  connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/live`);
    this.socket = socket;
    this.onState('connecting');
    socket.onopen = () => {
      this.delay = 1000;
      this.onState('open');
      if (document.hasFocus()) socket.send('focus'); // the console in use: the device in use is here
      clearInterval(this.pinger);
      // A ping every 25 s; a connection that does not answer within 10 s is dead, whatever TCP thinks.
      this.pinger = setInterval(() => {
        if (socket.readyState !== 1) return;
        socket.send('ping');
        clearTimeout(this.watchdog);
        this.watchdog = setTimeout(() => socket.close(4001, 'no answer'), 10000);
      }, 25000);
    };
    socket.onmessage = (e) => {
      clearTimeout(this.watchdog);
      let frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      if (frame.type === 'message' && frame.message) {
        if (this.seen.has(frame.message.id)) return;
        this.seen.add(frame.message.id);
        if (this.seen.size > 1000) this.seen.delete(this.seen.values().next().value);
      }
      this.onFrame(frame);
    };
    socket.onclose = (e) => {
      clearInterval(this.pinger);
      clearTimeout(this.watchdog);
      if (this.socket !== socket || this.stopped) return;
      this.onState('closed');
      if (e.code === SESSION_ENDED) {
        this.stopped = true;
        this.onEnded(e.reason);
        return;
      }
      // A refused upgrade (401 after a restart, say) also lands here: the next API call tells.
      this.retry = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 30000);
    };
  }
}
