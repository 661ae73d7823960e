// The style and script the live view adds to the html viewer (`compiler/graph/html-viewer.ts`).
// The script listens to `/events` and changes only text, classes and a few shapes it adds to
// the svg once (the channels' fill gauges, the badges); the svg itself is never reloaded, so
// panning, zooming and hovering carry on undisturbed. Text goes in through textContent only.

export const liveCss = `
#stage .edge-label text.rate { font-variant-numeric: tabular-nums; fill: #52606d; }
#stage .edge-label.flowing text.rate { fill: #1b5e20; font-weight: 700; }
#stage .edge.flowing path { stroke: #2e7d32; stroke-width: 1.8; }
#stage .edge.blocked path { stroke: #c62828; stroke-width: 2; }
#stage .edge-label.blocked text.rate { fill: #b71c1c; font-weight: 700; }
#stage .node.failing > .shape, #stage .cluster.group.failing > rect { fill: #ffebee; stroke: #c62828; stroke-width: 2.6; }
#stage .node.failing .title { fill: #b71c1c; }
#stage .node.stopped { opacity: 0.5; }
#stage .gauge-track { fill: #ffffff; stroke: #90a4ae; stroke-width: 0.6; }
#stage .gauge-fill { fill: #1565c0; }
#stage .gauge-fill.high { fill: #ef6c00; }
#stage .gauge-fill.full { fill: #c62828; }
#stage .badge > rect { fill: #ffffff; stroke: #1565c0; stroke-width: 1; }
#stage .badge > text { fill: #0d47a1; font-weight: 700; font-variant-numeric: tabular-nums; }
#stage .badge.alarm > rect { fill: #c62828; stroke: #c62828; }
#stage .badge.alarm > text { fill: #ffffff; }
#live-status { display: inline-flex; align-items: center; gap: 6px; padding: 3px 9px; border-radius: 10px; background: #eceff1; color: #37474f; }
#live-status::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #90a4ae; }
#live-status.live::before { background: #2e7d32; }
#live-status.lost::before { background: #ef6c00; }
#live-status.ended::before { background: #616161; }
#panel { max-height: calc(100% - 70px); }
#panel .live { margin: 4px 0 8px; }
#panel .live table { margin-top: 6px; }
#panel .live td.key { width: 64%; word-break: normal; }
#panel .live td { font-variant-numeric: tabular-nums; }
#panel .state { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 12px; font-weight: 700; background: #e8f5e9; color: #1b5e20; }
#panel .state.failing { background: #ffebee; color: #b71c1c; }
#panel .state.stopped { background: #eceff1; color: #455a64; }
#panel .reason { color: #52606d; font-size: 12px; margin-left: 6px; }
#panel .error { margin: 6px 0; padding: 6px 8px; border-left: 3px solid #c62828; background: #fff5f5; color: #7f0000; font-size: 12px; word-break: break-word; }
#panel .error .when { display: block; color: #52606d; font-size: 11px; margin-bottom: 2px; }
`;

/** The script, given the interval between frames (ms), to tell a stalled feed from a slow one. */
export function liveScript(intervalMs: number): string {
  return `
(() => {
  const INTERVAL = ${Math.max(100, Math.round(intervalMs))};
  const NS = 'http://www.w3.org/2000/svg';
  const graph = JSON.parse(document.getElementById('flowc-graph').textContent);
  const roles = new Map(graph.nodes.map((n) => [n.id, n.role]));
  const targets = new Map(graph.edges.map((e) => [e.id, e.to]));
  const names = new Map(graph.nodes.map((n) => [n.id, n.role + ' ' + n.name]));
  const stage = document.getElementById('stage');
  const svg = stage.querySelector('svg');
  const panel = document.getElementById('panel');
  const byId = (selector) => {
    const m = new Map();
    for (const el of svg.querySelectorAll(selector)) m.set(el.getAttribute('data-id'), el);
    return m;
  };
  const edges = byId('.edge[data-id]');
  const nodes = byId('.node[data-id], .cluster.group[data-id]');
  const el = (tag, attrs, parent) => {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  };

  // The rate is the last line of each edge label; the label's box follows its width.
  const labels = new Map();
  for (const [id, g] of byId('.edge-label[data-id]')) {
    const texts = [...g.querySelectorAll('text')];
    const rate = texts[texts.length - 1];
    rate.classList.add('rate');
    labels.set(id, { g, rect: g.querySelector('rect'), texts, rate, cx: Number(rate.getAttribute('x')), title: el('title', {}, g) });
  }
  const fit = (l) => {
    const w = Math.max(...l.texts.map((t) => t.getComputedTextLength())) + 10;
    l.rect.setAttribute('width', w.toFixed(1));
    l.rect.setAttribute('x', (l.cx - w / 2).toFixed(1));
  };

  // A gauge along the bottom of each channel, and its figure in a badge on the corner.
  const gauges = new Map();
  for (const [id, g] of nodes) {
    if (roles.get(id) !== 'channel') continue;
    const b = g.querySelector('.shape').getBBox();
    const durable = g.querySelector('.shape').tagName === 'path';
    const y = b.y + b.height - (durable ? 13 : 8);
    const track = el('rect', { class: 'gauge-track', x: b.x + 10, y, width: b.width - 20, height: 4, rx: 2 }, g);
    const fill = el('rect', { class: 'gauge-fill', x: b.x + 10, y, width: 0, height: 4, rx: 2 }, g);
    const badge = el('g', { class: 'badge fill-badge' }, g);
    const rect = el('rect', { x: b.x + b.width - 22, y: b.y - 9, width: 44, height: 17, rx: 8.5 }, badge);
    const text = el('text', { x: b.x + b.width, y: b.y + 3.5, 'font-size': 10.5, 'text-anchor': 'middle' }, badge);
    gauges.set(id, { track, fill, badge, rect, text, x: b.x + 10, w: b.width - 20, right: b.x + b.width });
  }

  const fmtRate = (r) => {
    if (r === null || r === undefined) return '\u2014';
    if (r === 0) return '0';
    if (r < 10) return r.toFixed(1);
    if (r < 1000) return String(Math.round(r));
    if (r < 1e6) return (r / 1000).toFixed(r < 1e4 ? 2 : 1) + 'k';
    return (r / 1e6).toFixed(1) + 'M';
  };
  const fmtFill = (f) => (f >= 100 ? '100' : f > 0 && f < 10 ? f.toFixed(1) : String(Math.round(f))) + '%';
  const ago = (at) => {
    const s = Math.max(0, Math.round((Date.now() - at) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : new Date(at).toLocaleTimeString();
  };

  let frame = null;
  function apply(f) {
    frame = f;
    for (const [id, e] of Object.entries(f.edges)) {
      const l = labels.get(id);
      const flowing = e.rate !== null && e.rate > 0;
      // Events held up in front of a failing component.
      const to = f.nodes[targets.get(id)];
      const blocked = !flowing && to !== undefined && to.state === 'failing';
      if (l) {
        l.rate.textContent = fmtRate(e.rate) + ' ev/s';
        l.g.classList.toggle('flowing', flowing);
        l.g.classList.toggle('blocked', blocked);
        // Where the figure comes from, on hover: the counter, and its value now.
        l.title.textContent = e.basis
          ? e.basis.counter + ' of ' + (names.get(e.basis.node) || e.basis.node) + ': ' + e.count
          : 'no Flume counter counts the events along this edge alone';
        fit(l);
      }
      const g = edges.get(id);
      if (g) {
        g.classList.toggle('flowing', flowing);
        g.classList.toggle('blocked', blocked);
      }
    }
    for (const [id, n] of Object.entries(f.nodes)) {
      const g = nodes.get(id);
      if (!g) continue;
      g.classList.toggle('failing', n.state === 'failing');
      g.classList.toggle('stopped', n.state === 'stopped');
      const gauge = gauges.get(id);
      if (gauge && n.fill !== undefined) {
        const pct = Math.max(0, Math.min(100, n.fill));
        gauge.fill.setAttribute('width', (gauge.w * pct / 100).toFixed(1));
        gauge.fill.classList.toggle('high', pct >= 75 && pct < 95);
        gauge.fill.classList.toggle('full', pct >= 95);
        gauge.badge.classList.toggle('alarm', pct >= 95);
        gauge.text.textContent = fmtFill(pct);
        const w = gauge.text.getComputedTextLength() + 12;
        gauge.rect.setAttribute('width', w.toFixed(1));
        gauge.rect.setAttribute('x', (gauge.right - w / 2).toFixed(1));
      }
    }
    if (!panel.hidden && panel.getAttribute('data-id')) liveSection(panel.getAttribute('data-id'));
  }

  // The panel: the viewer fills it from the model; this adds what is happening now.
  const add = (parent, tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    parent.appendChild(e);
    return e;
  };
  const rateNames = { EventReceivedCount: 'received/s', EventAcceptedCount: 'accepted/s', EventPutSuccessCount: 'put/s', EventTakeSuccessCount: 'taken/s', EventDrainSuccessCount: 'drained/s' };
  function liveSection(id) {
    const old = panel.querySelector('.live');
    if (old) old.remove();
    const n = frame && frame.nodes[id];
    if (!n) return;
    const box = document.createElement('div');
    box.className = 'live';
    add(box, 'span', n.state || 'unknown', 'state ' + (n.state || ''));
    if (n.reason) add(box, 'span', n.reason, 'reason');
    if (n.lastError) {
      const err = add(box, 'div', undefined, 'error');
      add(err, 'span', 'last error' + (n.lastErrorAt ? ', ' + ago(n.lastErrorAt) : '') + (n.restarts ? ' \u00b7 ' + n.restarts + ' restart' + (n.restarts === 1 ? '' : 's') : ''), 'when');
      add(err, 'span', n.lastError);
    }
    const rows = [];
    if (n.fill !== undefined) rows.push(['fill', fmtFill(Math.min(100, n.fill)) + ' (' + n.counters.ChannelSize + ' of ' + n.counters.ChannelCapacity + ')']);
    for (const [k, v] of Object.entries(n.rates || {})) rows.push([rateNames[k] || k + '/s', fmtRate(v)]);
    for (const [k, v] of Object.entries(n.counters || {})) if (k !== 'ChannelFillPercentage') rows.push([k, String(v)]);
    if (rows.length) {
      const t = add(box, 'table');
      for (const [k, v] of rows) {
        const tr = add(t, 'tr');
        add(tr, 'td', k, 'key');
        add(tr, 'td', v);
      }
    }
    const where = panel.querySelector('.where');
    panel.insertBefore(box, where ? where.nextSibling : null);
  }
  document.addEventListener('flowc:panel', (e) => liveSection(e.detail.id));

  const status = document.createElement('span');
  status.id = 'live-status';
  document.getElementById('bar').appendChild(status);
  const say = (cls, text) => { status.className = cls; status.textContent = text; };
  say('', 'connecting\u2026');
  let lastAt = 0;
  const source = new EventSource('events');
  source.addEventListener('open', () => say('live', 'live'));
  source.addEventListener('frame', (m) => {
    const f = JSON.parse(m.data);
    lastAt = Date.now();
    apply(f);
    say('live', 'live \u00b7 ' + new Date(f.at).toLocaleTimeString());
  });
  source.addEventListener('reload', () => location.reload());
  source.addEventListener('bye', () => {
    source.close();
    say('ended', 'the agent has stopped');
  });
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) say('lost', 'reconnecting\u2026');
  });
  setInterval(() => {
    if (source.readyState === EventSource.OPEN && lastAt && Date.now() - lastAt > 3 * INTERVAL) say('lost', 'no update for ' + ago(lastAt).replace(' ago', ''));
  }, INTERVAL);
})();
`;
}
