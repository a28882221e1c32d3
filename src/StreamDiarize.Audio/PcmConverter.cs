// Little-endian PCM bytes to float samples, with channels mixed down to mono. Used by raw files, stdin and gRPC.
using System.Buffers.Binary;

namespace StreamDiarize.Audio;

public static class PcmConverter
{
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
