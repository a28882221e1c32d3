// A client of the StreamDiarize daemon: loads protos/ at run time (@grpc/proto-loader), streams PCM over gRPC
// (@grpc/grpc-js), and keeps the final turns with Relabel and Merge applied, as the daemon's own ledger does.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const PROTO = 'streamdiarize/v1/diarizer.proto';

/** The protos/ folder: $STREAMDIARIZE_PROTOS, the copy a packed client carries, or the repository's. */
function protosDir() {
  const candidates = [process.env.STREAMDIARIZE_PROTOS, path.join(__dirname, 'protos'), path.join(__dirname, '..', '..', 'protos')];
  const found = candidates.find(dir => dir && fs.existsSync(path.join(dir, PROTO)));
  if (!found) throw new Error(`${PROTO} not found: set STREAMDIARIZE_PROTOS to the repository's protos/ folder`);
  return found;
}

function loadService() {
  const def = loader.loadSync(PROTO, { includeDirs: [protosDir()], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  return grpc.loadPackageDefinition(def).streamdiarize.v1.Diarizer;
}

/** {encoding, rate, channels, pcm} of a 16-bit integer or 32-bit float WAV; throws naming the file and the fix. */
function readWav(file) {
  const data = fs.readFileSync(file);
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a WAV file; convert it, e.g. sox IN -b 16 -c 1 -r 16000 OUT.wav`);
  }
  let fmt = null;
  for (let pos = 12; pos + 8 <= data.length;) {
    const id = data.toString('ascii', pos, pos + 4), size = data.readUInt32LE(pos + 4), body = pos + 8;
    if (id === 'fmt ' && size >= 16) {
      fmt = { tag: data.readUInt16LE(body), channels: data.readUInt16LE(body + 2), rate: data.readUInt32LE(body + 4), bits: data.readUInt16LE(body + 14) };
      if (fmt.tag === 0xfffe && size >= 26) fmt.tag = data.readUInt16LE(body + 24); // WAVE_FORMAT_EXTENSIBLE
    } else if (id === 'data' && fmt) {
      const pcm = data.subarray(body, Math.min(data.length, body + size));
      if (fmt.tag === 1 && fmt.bits === 16) return { encoding: 'PCM_S16LE', width: 2, rate: fmt.rate, channels: fmt.channels, pcm };
      if (fmt.tag === 3 && fmt.bits === 32) return { encoding: 'PCM_F32LE', width: 4, rate: fmt.rate, channels: fmt.channels, pcm };
      throw new Error(`${file}: ${fmt.bits}-bit samples of format ${fmt.tag} are not sent by this client; convert to 16-bit PCM, e.g. sox IN -b 16 OUT.wav`);
    }
    pos = body + size + (size & 1);
  }
  throw new Error(`${file}: no audio (no fmt and data chunks)`);
}

/** Final turns of a session: apply() every event, turns() at the end. */
class TurnLedger {
  constructor() { this.final = []; }

  apply(e) {
    if (e.event === 'segment' && e.segment.is_final) {
      this.final.push({ start: e.segment.start_seconds, end: e.segment.end_seconds, speaker: e.segment.speaker });
    } else if (e.event === 'relabel') {
      const r = e.relabel, out = [];
      for (const s of this.final) {
        if (s.speaker !== r.from_speaker || s.end <= r.start_seconds || s.start >= r.end_seconds) { out.push(s); continue; }
        if (s.start < r.start_seconds) out.push({ ...s, end: r.start_seconds });
        out.push({ start: Math.max(s.start, r.start_seconds), end: Math.min(s.end, r.end_seconds), speaker: r.to_speaker });
        if (s.end > r.end_seconds) out.push({ ...s, start: r.end_seconds });
      }
      this.final = out;
    } else if (e.event === 'merge') {
      for (const s of this.final) if (s.speaker === e.merge.from_speaker) s.speaker = e.merge.into_speaker;
    }
  }

  /** Turns in time order, a speaker's touching pieces joined. */
  turns() {
    const joined = [];
    for (const s of [...this.final].sort((a, b) => a.start - b.start)) {
      const last = joined[joined.length - 1];
      if (last && last.speaker === s.speaker && s.start - last.end <= 1e-6) last.end = Math.max(last.end, s.end);
      else joined.push({ ...s });
    }
    return joined;
  }
}

/**
 * Streams a WAV as one Diarize session. onEvent sees every DiarizeEvent; resolves when the daemon ends the stream,
 * rejects with the gRPC error (err.code, err.details) on a refusal. The audio goes out only once the daemon has sent
 * SessionStarted: a refused session (at capacity, a quota, a bad config) then ends with the daemon's status, and no
 * audio is written into a call the daemon has already ended.
 */
function streamWav(file, server, { apiKey, speakers, latencySeconds, realtime = false, onEvent = () => {} } = {}) {
  const wav = readWav(file);
  const Diarizer = loadService();
  const client = new Diarizer(server, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
  const call = client.Diarize(metadata);
  return new Promise((resolve, reject) => {
    let since = 0; // when the audio started going out: at SessionStarted
    let ended = false; // SessionEnded came: the daemon ended the session (a shutdown, a limit), stop sending
    let closed = false;
    const halfClose = () => { if (!closed) { closed = true; call.end(); } };
    call.on('data', e => {
      onEvent(e);
      if (e.event === 'session_started' && !since) {
        since = Date.now();
        pump();
      }
      if (e.event === 'session_ended') {
        ended = true;
        halfClose(); // at once, so the call ends cleanly on both sides (docs/GRPC.md)
      }
    });
    call.on('error', err => { client.close(); reject(err); });
    call.on('end', () => { client.close(); resolve(); });
    const config = { format: { encoding: wav.encoding, sample_rate_hz: wav.rate, channels: wav.channels } };
    if (speakers) config.exact_speakers = speakers;
    if (latencySeconds) config.latency_seconds = latencySeconds;
    call.write({ config });
    const step = Math.max(1, Math.round(wav.rate / 10)) * wav.width * wav.channels; // 100 ms per message
    let at = 0;
    // Writes wait for the stream to drain (backpressure), and in real time for the clock.
    const pump = () => {
      if (ended) return;
      while (at < wav.pcm.length && !ended) {
        const chunk = wav.pcm.subarray(at, at + step);
        at += step;
        const more = call.write({ audio: { data: chunk } });
        if (realtime) {
          const due = since + (1000 * at) / (wav.width * wav.channels * wav.rate);
          setTimeout(pump, Math.max(0, due - Date.now()));
          return;
        }
        if (!more) { call.once('drain', pump); return; }
      }
      halfClose(); // the daemon settles the last turns, sends SessionEnded and ends the stream
    };
  });
}

module.exports = { readWav, streamWav, TurnLedger, loadService, grpc };
