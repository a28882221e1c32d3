// Little-endian PCM bytes to float samples, with channels mixed down to mono. Used by raw files, stdin and gRPC.
using System.Buffers.Binary;

namespace StreamDiarize.Audio;

public static class PcmConverter
{
    /// <summary>
    /// The largest sample magnitude that is audio. Float audio runs about -1 to 1, and some tools write it scaled like
    /// 16-bit integers (±32768); far beyond that it is not audio, and values near float's limit overflow later stages
    /// into infinities when squared or resampled (a 2,001-byte WAV found by the fuzzer,
    /// bench/StreamDiarize.Fuzz/findings/wav-huge-float-samples.bin, and the same values streamed live).
    /// </summary>
    public const float MaxSampleMagnitude = 1_000_000f;

    /// <summary>False for NaN, infinities and magnitudes beyond <see cref="MaxSampleMagnitude"/>.</summary>
    public static bool IsAudio(float sample) => Math.Abs(sample) <= MaxSampleMagnitude; // NaN compares false

    /// <summary>
    /// Decodes whole frames of <paramref name="bytes"/> into mono floats in <paramref name="mono"/>
    /// (channels averaged). Returns the number of mono samples written. The byte count must be a whole
    /// number of frames; callers check that first so that they can name the input in the error.
    /// </summary>
    public static int DecodeToMono(ReadOnlySpan<byte> bytes, RawPcmFormat format, Span<float> mono)
    {
        int frameBytes = format.BytesPerFrame;
        int frames = bytes.Length / frameBytes;
        if (mono.Length < frames)
        {
            throw new ArgumentException("output span is too small", nameof(mono));
        }
        int channels = format.Channels;
        float scale = 1f / channels;
        for (int f = 0; f < frames; f++)
        {
            var frame = bytes.Slice(f * frameBytes, frameBytes);
            float sum = 0;
            if (format.Encoding == RawEncoding.S16LE)
            {
                for (int c = 0; c < channels; c++)
                {
                    sum += BinaryPrimitives.ReadInt16LittleEndian(frame.Slice(c * 2, 2)) / 32768f;
                }
            }
            else
            {
                for (int c = 0; c < channels; c++)
                {
                    sum += BinaryPrimitives.ReadSingleLittleEndian(frame.Slice(c * 4, 4));
                }
            }
            mono[f] = sum * scale;
        }
        return frames;
    }
}
