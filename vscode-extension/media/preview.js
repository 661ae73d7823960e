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

  // The viewer captures the pointer to pan, so a click is a press and release in one place,
  // and the node is the one under the release.
  let down = null;
  document.addEventListener('pointerdown', (e) => (down = { x: e.clientX, y: e.clientY }), true);
  document.addEventListener('pointerup', (e) => {
    if (!down || Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4) return;
    down = null;
    const at = document.elementFromPoint(e.clientX, e.clientY);
    const node = at && at.closest ? at.closest('.node[data-id], .cluster.group[data-id]') : null;
    if (node) vscode.postMessage({ type: 'reveal', id: node.getAttribute('data-id') });
  }, true);
})();
