// The live channel: one WebSocket to /api/live, reconnecting by itself with back-off.
// The server decides from the session what this browser receives; we only listen.

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
    this.retry = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retry);
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
      clearInterval(this.pinger);
      this.pinger = setInterval(() => socket.readyState === 1 && socket.send('ping'), 25000);
    };
    socket.onmessage = (e) => {
      let frame;
      try { frame = JSON.parse(e.data); } catch (err) { return; }
      this.onFrame(frame);
    };
    socket.onclose = (e) => {
      clearInterval(this.pinger);
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
