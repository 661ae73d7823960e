// The style and script of the html viewer, kept apart from the page template. The script
// is plain browser JavaScript (no build step, no library): pan and zoom by moving the svg's
// viewBox, and a panel that shows the hovered component from the embedded model. It builds
// the panel with textContent only, so no name or value from the flow is ever parsed as html.

export const viewerCss = `
:root { color-scheme: light; }
html, body { margin: 0; height: 100%; background: #ffffff; font-family: Helvetica, Arial, "Liberation Sans", sans-serif; color: #1f2933; }
#stage { position: fixed; inset: 0; overflow: hidden; cursor: grab; touch-action: none; }
#stage.dragging { cursor: grabbing; }
#stage > svg { width: 100%; height: 100%; display: block; }
#stage .node, #stage .cluster.group { cursor: pointer; }
#stage .node.hover > .shape, #stage .cluster.group.hover > rect { stroke-width: 3; }
#bar { position: fixed; left: 12px; bottom: 12px; display: flex; gap: 8px; align-items: center; font-size: 12px; color: #52606d; }
#bar button { font: inherit; padding: 4px 10px; border: 1px solid #b0bec5; border-radius: 5px; background: #fff; color: #1f2933; cursor: pointer; }
#panel { position: fixed; top: 12px; right: 12px; width: 360px; max-height: calc(100% - 24px); overflow: auto; box-sizing: border-box;
  background: #fff; border: 1px solid #cfd8dc; border-radius: 8px; box-shadow: 0 4px 16px rgba(31, 41, 51, 0.15); padding: 12px 14px; font-size: 13px; }
#panel[hidden] { display: none; }
#panel.left { right: auto; left: 12px; }
#panel h2 { margin: 0 0 2px; font-size: 16px; }
#panel .kind { color: #52606d; margin-bottom: 8px; word-break: break-all; }
#panel .where { color: #52606d; font-size: 12px; margin-bottom: 8px; }
#panel h3 { margin: 10px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: #52606d; }
#panel table { border-collapse: collapse; width: 100%; }
#panel td { padding: 3px 4px; vertical-align: top; border-top: 1px solid #eceff1; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
#panel td.key { color: #52606d; width: 42%; }
#panel td.masked { color: #ad1457; }
#panel .pinned { float: right; font-size: 11px; color: #52606d; }
`;

export const viewerScript = `
(() => {
  const graph = JSON.parse(document.getElementById('flowc-graph').textContent);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const agents = new Map(graph.agents.map((a) => [a.id, a]));
  const stage = document.getElementById('stage');
  const svg = stage.querySelector('svg');
  const panel = document.getElementById('panel');
  // A copy: baseVal is live and follows every change of the viewBox.
  const base = svg.viewBox.baseVal;
  const full = { x: base.x, y: base.y, width: base.width, height: base.height };
  let view = { x: full.x, y: full.y, w: full.width, h: full.height };
  const apply = () => svg.setAttribute('viewBox', view.x + ' ' + view.y + ' ' + view.w + ' ' + view.h);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  // The whole graph, centred, at its natural size or smaller: a small flow is not blown up.
  const fit = () => {
    const r = stage.getBoundingClientRect();
    const k = Math.max(1, full.width / r.width, full.height / r.height);
    const w = r.width * k;
    const h = r.height * k;
    view = { x: full.x - (w - full.width) / 2, y: full.y - (h - full.height) / 2, w, h };
    apply();
  };
  fit();
  window.addEventListener('resize', fit);
  const toSvg = (e) => {
    const p = svg.createSVGPoint();
    p.x = e.clientX;
    p.y = e.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  };

  stage.addEventListener('wheel', (e) => {
    e.preventDefault();
    const at = toSvg(e);
    const factor = Math.exp(Math.max(-1, Math.min(1, e.deltaY / 300)));
    const w = Math.max(full.width / 50, Math.min(full.width * 20, view.w * factor));
    const k = w / view.w;
    view = { x: at.x - (at.x - view.x) * k, y: at.y - (at.y - view.y) * k, w, h: view.h * k };
    apply();
  }, { passive: false });

  let drag = null;
  stage.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { start: toSvg(e), moved: false };
    stage.setPointerCapture(e.pointerId);
  });
  stage.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const at = toSvg(e);
    const dx = at.x - drag.start.x;
    const dy = at.y - drag.start.y;
    if (Math.abs(dx) + Math.abs(dy) > 0.5) drag.moved = true;
    view = { ...view, x: view.x - dx, y: view.y - dy };
    apply();
  });
  const endDrag = (e) => {
    if (!drag) return;
    const clicked = !drag.moved;
    drag = null;
    stage.releasePointerCapture(e.pointerId);
    if (clicked) pinAt(e);
  };
  stage.addEventListener('pointerup', endDrag);
  stage.addEventListener('pointercancel', endDrag);
  stage.addEventListener('dblclick', fit);
  document.getElementById('fit').addEventListener('click', fit);

  let hovered = null;
  let pinned = null;
  const targetOf = (el) => el && el.closest ? el.closest('.node[data-id], .cluster.group[data-id]') : null;
  const mark = (el, on) => { if (el) el.classList.toggle('hover', on); };
  stage.addEventListener('pointerover', (e) => {
    if (drag) return;
    const el = targetOf(e.target);
    if (el === hovered) return;
    if (hovered !== pinned) mark(hovered, false);
    hovered = el;
    if (!el) return;
    mark(el, true);
    if (!pinned) show(el.getAttribute('data-id'), false, e.clientX);
  });
  stage.addEventListener('pointerout', (e) => {
    const el = targetOf(e.target);
    if (!el || el.contains(e.relatedTarget)) return;
    if (el !== pinned) mark(el, false);
    if (hovered === el) hovered = null;
    if (!pinned) panel.hidden = true;
  });
  const pinAt = (e) => {
    const el = targetOf(document.elementFromPoint(e.clientX, e.clientY));
    mark(pinned, false);
    pinned = el;
    if (el) { mark(el, true); show(el.getAttribute('data-id'), true, e.clientX); } else panel.hidden = true;
  };
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { mark(pinned, false); pinned = null; panel.hidden = true; }
  });

  const add = (parent, tag, text, cls) => {
    const el = document.createElement(tag);
    if (text !== undefined) el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  };
  const table = (parent, props) => {
    const t = add(parent, 'table');
    for (const p of props) {
      const tr = add(t, 'tr');
      add(tr, 'td', p.key, 'key');
      add(tr, 'td', p.text, p.masked ? 'masked' : undefined);
    }
  };
  const roles = { source: 'source', selector: 'selector', channel: 'channel', sink: 'sink', group: 'sink group', filter: 'config filter' };
  function show(id, isPinned, x) {
    const n = nodes.get(id);
    if (!n) return;
    // On the side away from the pointer, so that the panel never hides what it describes.
    panel.classList.toggle('left', x > window.innerWidth / 2);
    panel.replaceChildren();
    if (isPinned) add(panel, 'span', 'pinned · Esc to close', 'pinned');
    add(panel, 'h2', n.name);
    add(panel, 'div', roles[n.role] + ' · ' + n.kind + (n.role === 'channel' ? ' (' + n.storage + ')' : ''), 'kind');
    const agent = agents.get(n.agent);
    const host = agent && agent.host !== undefined ? ' on ' + agent.host : '';
    add(panel, 'div', 'agent ' + (agent ? agent.name : n.agent) + host + ' · ' + n.span.file + ':' + n.span.line + ':' + n.span.col, 'where');
    const facts = [];
    if (n.address) facts.push({ key: n.role === 'sink' ? 'sends to' : 'listens on', text: n.address });
    if (n.header !== undefined) facts.push({ key: 'header', text: n.header });
    if (n.priority !== undefined) facts.push({ key: 'priority', text: String(n.priority) });
    if (n.policy !== undefined) facts.push({ key: 'policy', text: n.policy + (n.backoff ? ', backoff' : '') });
    if (n.members) for (const m of n.members) facts.push({ key: 'member', text: (nodes.get(m.sink) || { name: m.sink }).name + (m.priority !== undefined ? ' (priority ' + m.priority + ')' : '') });
    if (facts.length) table(panel, facts);
    if (n.steps && n.steps.length) {
      add(panel, 'h3', 'interceptors');
      for (const s of n.steps) {
        add(panel, 'div', '| ' + s.name + (s.kind !== s.name ? ' : ' + s.kind : ''));
        if (s.properties.length) table(panel, s.properties);
      }
    }
    add(panel, 'h3', 'properties');
    if (n.properties.length) table(panel, n.properties);
    else add(panel, 'div', 'none set: Flume defaults', 'where');
    panel.hidden = false;
    // For pages that add to the panel (the live view): which node it now describes.
    panel.setAttribute('data-id', id);
    document.dispatchEvent(new CustomEvent('flowc:panel', { detail: { id } }));
  }
})();
`;
