// The sessions list: asks /api/sessions every 2 s and redraws the table; a row links to the session's timeline.
'use strict';
const tbody = document.querySelector('#sessions tbody');
const esc = s => String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const mmss = s => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

async function refresh() {
  try {
    const response = await fetch('api/sessions', { cache: 'no-store' });
    if (response.status === 401) {
      location.href = 'login'; // API keys are on: the form stores the key as a cookie
      return;
    }
    const sessions = await response.json();
    tbody.innerHTML = sessions.map(s => `<tr data-session="${esc(s.id)}">
      <td><a href="session.html?id=${encodeURIComponent(s.id)}">${esc(s.id)}</a></td>
      <td>${esc(new Date(s.startTime).toLocaleTimeString())}</td><td>${mmss(s.audioSeconds)}</td>
      <td>${s.speakers}</td><td>${s.watchers}</td></tr>`).join('');
    document.getElementById('empty').hidden = sessions.length > 0;
    document.getElementById('status').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (e) {
    document.getElementById('status').textContent = 'daemon unreachable, retrying…';
  }
}
// The hint's command names this daemon: the page's own host and the gRPC port the daemon reports.
fetch('api/server', { cache: 'no-store' }).then(r => r.ok ? r.json() : null).then(server => {
  if (!server) return;
  const url = `${server.tls ? 'https' : 'http'}://${location.hostname}:${server.grpcPort}`;
  document.getElementById('stream-command').textContent = `streamdiarize stream AUDIO --server ${url} --realtime`;
}, () => {});
refresh();
setInterval(refresh, 2000);
