"""Front-end features: framing, power spectrum, Slaney mel filterbank, MFCC, log-energy.

Constants (port to C# exactly):
  sample rate 16000, frame 400 samples (25 ms), hop 160 (10 ms), FFT 512,
  pre-emphasis 0.97 (applied on the whole signal, y[n] = x[n] - 0.97 x[n-1], y[0] = x[0]),
  periodic Hamming window (0.54 - 0.46 cos(2 pi n / N)), |FFT|^2 power spectrum (257 bins),
  Slaney mel filterbank (HTK-free Slaney mel scale, area-normalised triangles, 0-8000 Hz),
  log(max(mel_energy, 1e-10)), DCT-II orthonormal, keep coefficients 0..n_mfcc-1.
  Frame i covers samples [i*160, i*160+400); its time centre is i*0.01 + 0.0125 s.
"""
import numpy as np
from scipy.io import wavfile
from scipy.fft import dct

SR = 16000
FRAME = 400
HOP = 160
NFFT = 512


def load_wav(path):
    """Read a mono wav and return float64 samples in [-1, 1]."""
    sr, x = wavfile.read(path)
    assert sr == SR
    x = x.astype(np.float64)
    if np.abs(x).max() > 2.0:  # integer PCM
        x = x / 32768.0
    return x


def hz_to_mel_slaney(f):
    """Slaney mel scale: linear below 1 kHz (3 frames per 200/3 Hz), log above."""
    f = np.asarray(f, float)
    f_sp = 200.0 / 3
    mel = f / f_sp
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mel)


def mel_to_hz_slaney(m):
    """Inverse of hz_to_mel_slaney."""
    m = np.asarray(m, float)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(n_mels=40, fmin=0.0, fmax=8000.0):
    """Slaney-style (librosa htk=False, norm='slaney') filterbank, shape (n_mels, NFFT//2+1)."""
    fft_f = np.linspace(0, SR / 2, NFFT // 2 + 1)
    mpts = np.linspace(hz_to_mel_slaney(fmin), hz_to_mel_slaney(fmax), n_mels + 2)
    hz = mel_to_hz_slaney(mpts)
    fdiff = np.diff(hz)
    ramps = hz[:, None] - fft_f[None, :]
    W = np.zeros((n_mels, len(fft_f)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        W[i] = np.maximum(0, np.minimum(lower, upper))
    W *= (2.0 / (hz[2:n_mels + 2] - hz[:n_mels]))[:, None]
    return W


def power_spectrum(x, preemph=0.97):
    """Frame the signal and return (n_frames, 257) power spectrum and raw-frame energies."""
    y = np.append(x[0], x[1:] - preemph * x[:-1])
    n = 1 + (len(y) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    fr_raw = x[idx]
    fr = y[idx] * np.hamming(FRAME + 1)[:-1][None, :]
    P = np.abs(np.fft.rfft(fr, NFFT, axis=1)) ** 2
    return P, fr_raw


def extract(x, n_mels=40, n_mfcc=20):
    """Return dict with mfcc (n, n_mfcc), logmel (n, n_mels), loge (n,) in dB, P, and helper cues."""
    P, fr_raw = power_spectrum(x)
    W = mel_filterbank(n_mels)
    mel = P @ W.T
    logmel = np.log(np.maximum(mel, 1e-10))
    mfcc = dct(logmel, type=2, axis=1, norm="ortho")[:, :n_mfcc]
    # frame log energy in dB of the raw (non pre-emphasised) frame, DC removed
    fr0 = fr_raw - fr_raw.mean(1, keepdims=True)
    loge = 10 * np.log10(np.maximum((fr0 ** 2).mean(1), 1e-12))
    return dict(mfcc=mfcc, logmel=logmel, loge=loge, P=P)
