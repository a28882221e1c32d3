// The live timeline: follows /api/sessions/{id}/events (Server-Sent Events), keeps the turns the way
// Core's SegmentLedger does (final turns, provisional turns, Relabel and Merge rewrite the past) and draws them as SVG.
'use strict';
const WINDOW_SECONDS = 60;
// Okabe-Ito: distinguishable with the common colour-vision deficiencies; every turn is also labelled with its speaker.
const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#CC79A7', '#D55E00', '#0072B2', '#BBBBBB'];
const DARK_TEXT = new Set(['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#CC79A7', '#BBBBBB']);
const SVG_NS = 'http://www.w3.org/2000/svg'; // a namespace name, never fetched

const params = new URLSearchParams(location.search);
const sessionId = params.get('id') || decodeURIComponent(location.hash.slice(1));
const $ = id => document.getElementById(id);
const esc = s => String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const mmss = s => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

let state, source, dirty = true;
const colours = new Map(); // speaker -> palette index, kept across resyncs so colours never jump

function reset() {
  state = { final: [], provisional: [], speakers: [], names: {}, now: 0, current: null, ended: null, segments: 0, relabels: 0 };
  dirty = true;
}

function colourOf(speaker) {
  if (!colours.has(speaker)) colours.set(speaker, colours.size);
  return PALETTE[colours.get(speaker) % PALETTE.length];
}

// An identified speaker (SpeakerIdentified) is shown by the enrolled person's name; the others by their id.
function nameOf(speaker) {
  return (state.names && state.names[speaker]) || speaker;
}

function addSpeaker(speaker) {
  if (speaker && !state.speakers.includes(speaker)) {
    state.speakers.push(speaker);
    state.speakers.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    colourOf(speaker);
  }
}

// The same rules as src/StreamDiarize.Core/Events/SegmentLedger.cs, so the page shows what a client's ledger holds.
function applySegment(e) {
  const seg = { start: e.start, end: e.end, speaker: e.speaker };
  if (e.name) state.names[e.speaker] = e.name; // a watcher that joined after SpeakerIdentified learns the name here
  if (e.final) {
    state.final.push(seg);
    state.provisional = state.provisional.filter(p => !(p.start < seg.end));
  } else {
    state.provisional = state.provisional.filter(p => !(p.end > seg.start));
    state.provisional.push(seg);
  }
  addSpeaker(e.speaker);
}

function applyRelabel(e) {
  const out = [];
  for (const s of state.final) {
    if (s.speaker !== e.from || s.end <= e.start || s.start >= e.end) { out.push(s); continue; }
    if (s.start < e.start) out.push({ ...s, end: e.start });
    out.push({ start: Math.max(s.start, e.start), end: Math.min(s.end, e.end), speaker: e.to });
    if (s.end > e.end) out.push({ ...s, start: e.end });
  }
  state.final = out;
  addSpeaker(e.to);
}

function applyMerge(e) {
  for (const list of [state.final, state.provisional]) {
    for (const s of list) if (s.speaker === e.from) s.speaker = e.into;
  }
  state.speakers = state.speakers.filter(s => s !== e.from);
  if (state.current === e.from) state.current = e.into;
  addSpeaker(e.into);
}

// Final and provisional turns by start time, a speaker's touching turns joined (FrameGrouper.JoinTouching).
function snapshot() {
  const all = [...state.final.map(s => ({ ...s, final: true })), ...state.provisional.map(s => ({ ...s, final: false }))]
    .sort((a, b) => a.start - b.start);
  const joined = [];
  for (const s of all) {
    const last = joined[joined.length - 1];
    if (last && last.speaker === s.speaker && last.final === s.final && s.start - last.end <= 1e-6) last.end = Math.max(last.end, s.end);
    else joined.push({ ...s });
  }
  return joined;
}

function onEvent(e) {
  state.now = Math.max(state.now, e.time || 0, e.end || 0);
  switch (e.kind) {
    case 'started': $('session').textContent = e.sessionId; break;
    case 'segment': applySegment(e); state.segments++; break;
    case 'relabel': applyRelabel(e); state.relabels++; break;
    case 'merge': applyMerge(e); state.relabels++; break;
    case 'speakerAdded': addSpeaker(e.speaker); break;
    case 'identified': state.names[e.speaker] = e.name; addSpeaker(e.speaker); break;
    case 'change': state.current = e.to; addSpeaker(e.to); break;
    case 'ended': state.ended = e; state.current = null; state.provisional = []; source.close(); break;
    case 'dropped': resync(e.count); return;
  }
  dirty = true;
}

function connect() {
  source = new EventSource(`api/sessions/${encodeURIComponent(sessionId)}/events`);
  source.onopen = () => { $('status').textContent = 'live'; };
  source.onmessage = m => onEvent(JSON.parse(m.data));
  source.onerror = () => {
    if (state.ended) return;
    // CLOSED: the daemon answered 404 (no such session, or it ended while we were away); otherwise EventSource retries.
    $('status').textContent = source.readyState === EventSource.CLOSED ? 'session not live' : 'reconnecting…';
    // EventSource hides the status code: ask once whether the refusal was for want of an API key.
    if (source.readyState === EventSource.CLOSED) {
      fetch('api/sessions', { cache: 'no-store' }).then(r => { if (r.status === 401) location.href = 'login'; }, () => {});
    }
  };
}

// The screen fell behind and the daemon dropped events for it: start again from the replay of final turns.
function resync(count) {
  const dropped = Number(document.body.dataset.dropped) + count;
  document.body.dataset.dropped = dropped;
  $('notice').textContent = `This screen fell behind: ${dropped} events skipped, timeline reloaded from the daemon.`;
  $('notice').hidden = false;
  source.close();
  reset();
  connect();
}

function el(name, attrs, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function turnRect(parent, s, x, y, w, h, attrs) {
  const colour = colourOf(s.speaker);
  parent.appendChild(el('rect', { x, y, width: Math.max(w, 2), height: h, rx: 4, fill: colour,
    'fill-opacity': s.final ? 1 : 0.4, stroke: s.final ? 'none' : colour, 'stroke-dasharray': '6 4', 'stroke-width': 2,
    'data-speaker': s.speaker, 'data-final': s.final, ...attrs }));
  if (w > 44 && h >= 22) {
    parent.appendChild(el('text', { x: x + w / 2, y: y + h / 2 + 8, 'text-anchor': 'middle', 'font-size': 22, 'font-weight': 'bold',
      fill: s.final ? (DARK_TEXT.has(colour) ? '#000' : '#fff') : '#fff' }, nameOf(s.speaker)));
  }
}

function drawLanes(turns, talk) {
  const svg = $('lanes');
  const speakers = state.speakers, W = svg.clientWidth || 1200, LABEL = 190, AXIS = 34;
  // Lanes share the screen left below the banner (the overview needs ~140 px), 70 to 150 px each.
  const room = innerHeight - svg.getBoundingClientRect().top - 150 - AXIS;
  const LANE = Math.round(Math.max(70, Math.min(150, room / Math.max(1, speakers.length))));
  const H = AXIS + Math.max(1, speakers.length) * LANE + 8;
  const right = Math.max(WINDOW_SECONDS, state.now), left = right - WINDOW_SECONDS;
  const x = t => LABEL + (t - left) / WINDOW_SECONDS * (W - LABEL - 16);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('height', H);
  svg.replaceChildren();
  for (let t = Math.ceil(left / 10) * 10; t <= right; t += 10) {
    svg.appendChild(el('line', { x1: x(t), x2: x(t), y1: AXIS - 6, y2: H, stroke: '#2a303c', 'stroke-width': 2 }));
    svg.appendChild(el('text', { x: Math.min(x(t), W - 24), y: AXIS - 12, 'text-anchor': 'middle', 'font-size': 20, fill: '#9aa3b2' }, mmss(t)));
  }
  if (!speakers.length) {
    svg.appendChild(el('text', { x: LABEL, y: AXIS + 48, 'font-size': 28, fill: '#9aa3b2' }, 'no speaker yet'));
  }
  speakers.forEach((speaker, i) => {
    const y = AXIS + i * LANE, speaking = speaker === state.current;
    if (speaking) svg.appendChild(el('rect', { x: 0, y: y + 2, width: W, height: LANE - 4, fill: '#ffffff', 'fill-opacity': 0.09 }));
    svg.appendChild(el('rect', { x: 14, y: y + 14, width: 22, height: LANE - 28, rx: 4, fill: colourOf(speaker) }));
    svg.appendChild(el('text', { x: 48, y: y + LANE / 2 + 2, 'font-size': 34, 'font-weight': 'bold', fill: '#f2f4f8' }, nameOf(speaker)));
    svg.appendChild(el('text', { x: 48, y: y + LANE / 2 + 28, 'font-size': 20, fill: '#9aa3b2' }, `${Math.round(talk.get(speaker) || 0)} s talk`));
  });
  for (const s of turns) {
    const lane = speakers.indexOf(s.speaker);
    if (lane < 0 || s.end <= left) continue;
    const x0 = x(Math.max(s.start, left));
    turnRect(svg, s, x0, AXIS + lane * LANE + 10, x(s.end) - x0, LANE - 20, { 'data-lane-turn': '' });
  }
  svg.appendChild(el('line', { x1: x(state.now), x2: x(state.now), y1: AXIS - 6, y2: H, stroke: '#f2f4f8', 'stroke-width': 3 }));
}

function drawOverview(turns) {
  const svg = $('overview');
  const W = svg.clientWidth || 1200, H = 64, total = Math.max(state.now, 1), PAD = 4;
  const x = t => PAD + t / total * (W - 2 * PAD);
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren(el('rect', { x: 0, y: 0, width: W, height: H, rx: 8, fill: '#161a22' }));
  for (const s of turns) turnRect(svg, s, x(s.start), 10, x(s.end) - x(s.start), H - 20, { 'data-turn': '' });
  const from = Math.max(0, Math.max(WINDOW_SECONDS, state.now) - WINDOW_SECONDS);
  svg.appendChild(el('rect', { x: x(from), y: 3, width: x(state.now) - x(from), height: H - 6, rx: 6,
    fill: 'none', stroke: '#f2f4f8', 'stroke-width': 3 }));
}

function drawCurrent() {
  const current = $('current'), speaker = state.ended ? '' : state.current || '';
  current.dataset.speaker = speaker;
  current.querySelector('.swatch').style.background = speaker ? colourOf(speaker) : '';
  $('current-text').textContent = state.ended ? 'session ended' : speaker ? `${nameOf(speaker)} speaking` : state.now > 0 ? 'silence' : 'waiting for speech…';
}

function drawSummary(talk) {
  const e = state.ended, summary = $('summary');
  summary.hidden = !e;
  if (!e) return;
  const speech = [...talk.values()].reduce((a, b) => a + b, 0) || 1;
  summary.innerHTML = `<h2>Session ended at ${mmss(e.time)}</h2>
    <p>${e.speakers} speakers · ${e.speechSeconds.toFixed(1)} s of speech · ${e.segmentCount} final turns</p>` +
    state.speakers.map(s => `<div class="row"><b style="width:90px">${esc(nameOf(s))}</b>
      <span class="share" style="width:${Math.round(600 * (talk.get(s) || 0) / speech)}px;background:${colourOf(s)}"></span>
      <span>${(talk.get(s) || 0).toFixed(1)} s (${Math.round(100 * (talk.get(s) || 0) / speech)}%)</span></div>`).join('');
}

function render() {
  if (!dirty) return;
  dirty = false;
  const turns = snapshot(), talk = new Map();
  for (const s of turns) if (s.final) talk.set(s.speaker, (talk.get(s.speaker) || 0) + s.end - s.start);
  $('clock').textContent = mmss(state.now);
  if (state.ended) $('status').textContent = 'ended';
  drawCurrent();
  drawLanes(turns, talk);
  drawOverview(turns);
  drawSummary(talk);
  Object.assign(document.body.dataset, { segments: state.segments, relabels: state.relabels, turns: turns.length, ended: !!state.ended });
}

if (!sessionId) {
  $('current-text').textContent = 'no session chosen';
  $('status').innerHTML = '<a href="./">pick one from the list</a>';
} else {
  document.title = `StreamDiarize · ${sessionId}`;
  $('session').textContent = sessionId;
  reset();
  connect();
  // A timer rather than requestAnimationFrame: the screen keeps up even when the tab is in the background.
  setInterval(render, 200);
  addEventListener('resize', () => { dirty = true; });
}
