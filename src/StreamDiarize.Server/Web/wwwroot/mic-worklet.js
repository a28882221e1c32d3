// The browser microphone's audio thread: the first input channel as 16-bit PCM, posted in 100 ms blocks.
// Runs at the AudioContext's rate (16 kHz where the browser resamples for us, else its native rate).
'use strict';
class PcmBlockProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 10);
    this.block = new Int16Array(this.size);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true; // no input yet (device starting): keep the node alive
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i]));
      this.block[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === this.size) {
        // The block's buffer moves to the page (no copy) and is detached here; a new one takes its place, 10 times a second.
        this.port.postMessage(this.block.buffer, [this.block.buffer]);
        this.block = new Int16Array(this.size);
        this.filled = 0;
      }
    }
    return true;
  }
}
registerProcessor('pcm-blocks', PcmBlockProcessor);
