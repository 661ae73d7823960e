// Runs first in the graph preview webview. It hands clicks on nodes to the extension (which
// reveals the declaration), shows status lines, and stands in for the live view's
// EventSource: frames come from the extension host, which reads `flowc run --ui`.
(() => {
  const vscode = acquireVsCodeApi();
  const listeners = new Map();
  class HostEvents {
    constructor() {
      this.readyState = 0;
      HostEvents.instance = this;
    }
    addEventListener(type, fn) {
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type).push(fn);
    }
    close() {
      this.readyState = 2;
    }
    emit(type, data) {
      for (const fn of listeners.get(type) || []) fn({ data });
    }
  }
  HostEvents.CONNECTING = 0;
  HostEvents.OPEN = 1;
  HostEvents.CLOSED = 2;
  window.EventSource = HostEvents;

  window.addEventListener('message', (event) => {
    const m = event.data;
    const source = HostEvents.instance;
    if (m.type === 'status') {
      document.getElementById('status').textContent = m.text;
    } else if (m.type === 'frame' && source) {
      if (source.readyState !== 1) {
        source.readyState = 1;
        source.emit('open', '');
      }
      source.emit('frame', JSON.stringify(m.frame));
    } else if (m.type === 'bye' && source) {
      source.emit('bye', '');
    }
  });

  document.addEventListener('click', (event) => {
    const node = event.target instanceof Element ? event.target.closest('.node[data-id], .cluster.group[data-id]') : null;
    if (node) vscode.postMessage({ type: 'reveal', id: node.getAttribute('data-id') });
  });
})();
