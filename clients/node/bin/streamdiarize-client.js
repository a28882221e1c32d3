#!/usr/bin/env node
// streamdiarize-client stream FILE.wav [--server HOST:PORT] [--api-key KEY] [--speakers N] [--latency S] [--realtime] [--events] [--rttm OUT]
'use strict';
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('util');
const { streamWav, TurnLedger, grpc } = require('..');

const usage = `usage: streamdiarize-client stream FILE.wav [--server HOST:PORT] [--api-key KEY] [--speakers N] [--latency S] [--realtime] [--events] [--rttm OUT]

Streams a 16-bit PCM or 32-bit float WAV to a StreamDiarize daemon as one session and prints its final turns.
  --server    the daemon's gRPC endpoint (default 127.0.0.1:50051)
  --api-key   the daemon's API key, if it has keys (or STREAMDIARIZE_API_KEY)
  --speakers  the exact number of speakers, when known
  --latency   seconds until a turn is final (0.25 to 10)
  --realtime  send at the speed of speech, as a live source would
  --events    also print every event as it arrives (stderr)
  --rttm      write the final turns to this RTTM file`;

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        server: { type: 'string', default: '127.0.0.1:50051' }, 'api-key': { type: 'string' }, speakers: { type: 'string' },
        latency: { type: 'string' }, realtime: { type: 'boolean' }, events: { type: 'boolean' }, rttm: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    fail(`${e.message}\n\n${usage}`);
  }
  const { values: o, positionals } = parsed;
  if (o.help) { console.log(usage); return; }
  if (positionals[0] !== 'stream' || positionals.length !== 2) fail(usage);
  const file = positionals[1];
  const speakers = o.speakers === undefined ? undefined : Number(o.speakers);
  if (speakers !== undefined && !(Number.isInteger(speakers) && speakers >= 1)) fail(`--speakers ${o.speakers} is invalid: give a whole number, 1 or more`);

  const ledger = new TurnLedger();
  try {
    await streamWav(file, o.server, {
      apiKey: o['api-key'] || process.env.STREAMDIARIZE_API_KEY, speakers, latencySeconds: o.latency && Number(o.latency), realtime: o.realtime,
      onEvent: e => {
        ledger.apply(e);
        if (e.event === 'session_started') console.error(`session ${e.session_started.session_id} started`);
        if (e.event === 'session_ended') console.error(`session ended: ${e.session_ended.speakers} speaker(s), ${e.session_ended.speech_seconds.toFixed(1)} s of speech`);
        if (o.events) console.error(`${e.stream_time_seconds.toFixed(2).padStart(8)}  ${e.event}  ${JSON.stringify(e[e.event])}`);
      },
    });
  } catch (e) {
    if (e.code !== undefined && grpc.status[e.code]) fail(`the daemon at ${o.server} answered ${grpc.status[e.code]}: ${e.details}`);
    fail(e.code === 'ENOENT' ? `${file}: no such file` : e.message);
  }
  const turns = ledger.turns();
  console.log(`${'start'.padStart(8)} ${'end'.padStart(8)}  speaker`);
  for (const t of turns) console.log(`${t.start.toFixed(2).padStart(8)} ${t.end.toFixed(2).padStart(8)}  ${t.speaker}`);
  if (o.rttm) {
    const id = path.basename(file, path.extname(file));
    fs.writeFileSync(o.rttm, turns.map(t => `SPEAKER ${id} 1 ${t.start.toFixed(3)} ${(t.end - t.start).toFixed(3)} <NA> <NA> ${t.speaker} <NA> <NA>\n`).join(''));
    console.error(`${turns.length} turn(s) -> ${o.rttm}`);
  }
}

main();
