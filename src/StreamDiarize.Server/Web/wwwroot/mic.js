// The browser microphone: getUserMedia -> AudioWorklet (16-bit PCM, 100 ms blocks) -> WebSocket /api/diarize.
// The daemon runs the audio as a Diarize session; once it has an id, live.js draws its timeline from the same event
// stream every watcher gets. At the end the daemon sends the final turns, offered as RTTM (and the audio, if kept).
'use strict';
(() => { // a scope of its own: live.js, loaded later into the same page, declares its own globals
  const $ = id => document.getElementById(id);
  // What a script (or a test) can read: the session, what was sent, and how it ended. 'loading' until the timeline
  // is in place and Start works (as the body's data-mic says), then 'idle'.
  const mic = window.streamdiarizeMic = {
    state: 'loading', sessionId: null, sampleRateHz: 0, samplesSent: 0, turns: null, rttm: null, error: null,
    closeCode: null, closeReason: null, start, stop, audioBase64,
  };
  let socket, context, stream, worklet, source; // the source node is kept: a collected one stops the audio
  const kept = [];

  function setState(state) { mic.state = state; document.body.dataset.mic = state; }
  function say(text) { $('mic-status').textContent = text; }

  function fail(text) {
    say(text);
    mic.error = mic.error || { code: 'CLIENT', message: text };
    stopCapture();
    setState('ended');
    newSessionButton();
  }

  // Ask for a 16 kHz context, so the browser resamples and the wire carries 32 KB/s; a browser that will not mix a
  // device into a context of another rate (Firefox) gets its native rate, which the daemon resamples.
  async function openAudio() {
    for (const options of [{ sampleRate: 16000 }, {}]) {
      let ctx;
      try {
        ctx = new AudioContext(options);
        await ctx.audioWorklet.addModule('mic-worklet.js');
        source = ctx.createMediaStreamSource(stream);
        // Channels mixed to one. The node writes no output: joined to the destination only so the browser keeps
        // pulling the graph, it plays silence.
        const node = new AudioWorkletNode(ctx, 'pcm-blocks', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
        source.connect(node);
        node.connect(ctx.destination);
        await ctx.resume();
        return [ctx, node];
      } catch (e) {
        if (ctx) ctx.close();
        if (!options.sampleRate) throw e;
      }
    }
  }

  async function start() {
    $('start').disabled = true;
    setState('starting');
    say('opening the microphone…');
    if (!window.isSecureContext || !navigator.mediaDevices) {
      fail('The microphone needs a secure page: open the daemon as http://127.0.0.1 or http://localhost, or over https (Server:Tls).');
      return;
    }
    try {
      // The raw signal: echo cancellation, noise suppression and gain control change voices, and so the speakers found.
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
      [context, worklet] = await openAudio();
    } catch (e) {
      fail(e.name === 'NotAllowedError' ? 'Microphone access was refused: allow it for this page (the icon in the address bar), then press Start again.'
        : e.name === 'NotFoundError' ? 'No microphone found: plug one in, then press Start again.'
        : `The microphone cannot be opened (${e.name}: ${e.message}).`);
      return;
    }
    mic.sampleRateHz = context.sampleRate;
    setState('connecting');
    say('connecting to the daemon…');
    socket = new WebSocket(new URL('api/diarize', location.href).href.replace(/^http/, 'ws'));
    socket.onopen = () => {
      const config = { format: { encoding: 'PCM_S16LE', sampleRateHz: context.sampleRate, channels: 1 }, includeProvisional: true };
      if ($('speakers').value) config.exactSpeakers = Number($('speakers').value);
      socket.send(JSON.stringify(config));
      // Blocks captured while the socket opened waited in the port; they go first.
      worklet.port.onmessage = e => send(e.data);
      setState('live');
      $('stop').disabled = false;
    };
    socket.onmessage = m => onMessage(JSON.parse(m.data));
    socket.onclose = onClose;
  }

  function send(block) {
    if (mic.state !== 'live' || socket.readyState !== WebSocket.OPEN) return;
    socket.send(block);
    mic.samplesSent += block.byteLength / 2;
    if ($('keep').checked) kept.push(block);
    if (socket.bufferedAmount > 1 << 20) say('The network is slower than the microphone: audio is piling up in this browser.');
  }

  function onMessage(e) {
    switch (e.kind) {
      case 'started':
        mic.sessionId = e.sessionId;
        say(`streaming ${mic.sampleRateHz} Hz audio as session ${e.sessionId}; others can watch it from the session list`);
        // The timeline is the ordinary session view: live.js reads the id from the address and follows the session.
        history.replaceState(null, '', `mic.html?id=${encodeURIComponent(e.sessionId)}`);
        document.body.appendChild(Object.assign(document.createElement('script'), { src: 'live.js' }));
        break;
      case 'turns':
        mic.turns = e.turns;
        mic.rttm = e.turns.map(t => `SPEAKER ${mic.sessionId} 1 ${t.start.toFixed(3)} ${(t.end - t.start).toFixed(3)} <NA> <NA> ${t.speaker} <NA> <NA>\n`).join('');
        offer('rttm', new Blob([mic.rttm], { type: 'text/plain' }), `${mic.sessionId}.rttm`);
        if (kept.length) offer('wav', wavBlob(), `${mic.sessionId}.wav`);
        break;
      case 'error':
        mic.error = e;
        refused(e);
        break;
    }
  }

  // The daemon's refusal, whole, under a line that says what kind of problem it is; the message itself says what was
  // wrong and what to do. Without a key the way to the login form is one click.
  const leads = {
    UNAVAILABLE: 'The daemon cannot take a new session now.',
    RESOURCE_EXHAUSTED: 'A limit of the daemon was reached.',
    UNAUTHENTICATED: 'This daemon needs an API key.',
    DEADLINE_EXCEEDED: 'The session was ended because no audio arrived.',
    INVALID_ARGUMENT: 'The daemon did not accept what this page sent.',
  };
  function refused(e) {
    const status = $('mic-status');
    const message = e.message.charAt(0).toUpperCase() + e.message.slice(1);
    status.textContent = `${leads[e.code] || 'The daemon ended the session.'} ${message} (${e.code})`;
    status.className = 'notice';
    if (e.code === 'UNAUTHENTICATED') {
      status.append(' ', Object.assign(document.createElement('a'), { id: 'login', href: 'login', textContent: 'Enter the API key' }));
    }
  }

  function onClose(e) {
    mic.closeCode = e.code;
    mic.closeReason = e.reason;
    stopCapture();
    setState('ended');
    newSessionButton();
    if (mic.error) return;
    if (e.code === 1000) {
      say(`Session ${mic.sessionId} ended: ${(mic.turns || []).length} turns.`);
    } else if (!mic.sessionId) {
      // No socket at all, and no reason: the daemon explains its own refusals on the socket (a missing key, the rate,
      // capacity), so what is left is the network, or something between the page and the daemon.
      fetch('api/server', { cache: 'no-store' }).then(
        () => say(`The WebSocket to the daemon did not open (${e.code}${e.reason ? ': ' + e.reason : ''}): a proxy in front of the daemon must pass WebSocket upgrades and the Host header.`),
        () => say('The daemon is unreachable: is streamdiarize serve still running?'));
    } else {
      say(`The connection ended early (${e.code}${e.reason ? ': ' + e.reason : ''}); the turns so far are in the timeline.`);
    }
  }

  function stop() {
    if (mic.state !== 'live') return;
    setState('stopping');
    $('stop').disabled = true;
    stopCapture();
    // The half-close: the daemon settles the last turns, sends them, and closes.
    socket.send(JSON.stringify({ end: true }));
    say('finishing: the daemon is settling the last turns…');
  }

  function stopCapture() {
    if (worklet) worklet.port.onmessage = null;
    if (stream) stream.getTracks().forEach(t => t.stop());
    if (context && context.state !== 'closed') context.close();
  }

  function newSessionButton() {
    $('stop').disabled = true;
    $('start').textContent = 'New session';
    $('start').disabled = false;
    $('start').onclick = () => { location.href = 'mic.html'; };
  }

  function offer(id, blob, name) {
    Object.assign($(id), { href: URL.createObjectURL(blob), download: name, hidden: false });
  }

  function keptBytes() {
    const out = new Uint8Array(kept.reduce((n, b) => n + b.byteLength, 0));
    let at = 0;
    for (const b of kept) { out.set(new Uint8Array(b), at); at += b.byteLength; }
    return out;
  }

  function wavBlob() {
    const pcm = keptBytes(), header = new DataView(new ArrayBuffer(44)), rate = mic.sampleRateHz;
    const text = (at, s) => [...s].forEach((c, i) => header.setUint8(at + i, c.charCodeAt(0)));
    text(0, 'RIFF'); header.setUint32(4, 36 + pcm.length, true); text(8, 'WAVE'); text(12, 'fmt ');
    header.setUint32(16, 16, true); header.setUint16(20, 1, true); header.setUint16(22, 1, true);
    header.setUint32(24, rate, true); header.setUint32(28, rate * 2, true); header.setUint16(32, 2, true); header.setUint16(34, 16, true);
    text(36, 'data'); header.setUint32(40, pcm.length, true);
    return new Blob([header, pcm], { type: 'audio/wav' });
  }

  // The kept audio (16-bit PCM at sampleRateHz) as base64, for scripts that cannot follow a download link.
  function audioBase64() {
    const bytes = keptBytes();
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  // The timeline is session.html's, taken whole so the two pages never drift apart: its header above the controls,
  // the rest below; live.js finds the same elements here as there.
  async function borrowTimeline() {
    const page = new DOMParser().parseFromString(await (await fetch('session.html', { cache: 'no-store' })).text(), 'text/html');
    const controls = document.querySelector('.mic');
    Object.assign(document.body.dataset, page.body.dataset);
    for (const node of [...page.body.children]) {
      if (node.tagName === 'SCRIPT') continue;
      if (node.tagName === 'HEADER') document.body.insertBefore(node, controls);
      else document.body.insertBefore(node, document.querySelector('script[src="mic.js"]'));
    }
    $('session').textContent = 'microphone';
    $('status').textContent = '';
    $('current-text').textContent = 'press Start microphone';
  }

  $('start').onclick = start;
  $('stop').onclick = stop;
  borrowTimeline().then(() => { setState('idle'); $('start').disabled = false; },
    () => say('The page could not load its timeline: reload it.'));
})();
