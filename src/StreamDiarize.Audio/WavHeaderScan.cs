// What a RIFF/WAVE header declares, read as the raw unsigned fields before NAudio interprets them, so absurd values
// (a 4e9 Hz rate that NAudio's int shows as negative, a 1 Hz rate that would allocate gigabytes) are refused by name.
using System.Buffers.Binary;

namespace StreamDiarize.Audio;

internal sealed class WavHeaderScan
{
    /// <summary>Samples per second per channel from the fmt chunk, or null when there is none.</summary>
    public uint? SampleRateHz { get; private init; }

    public ushort? Channels { get; private init; }

    /// <summary>The data chunk's declared size, or null when absent or streamed (0 or 0xFFFFFFFF).</summary>
    public long? DataBytes { get; private init; }

    /// <summary>Where the data chunk's samples start.</summary>
    public long DataOffset { get; private init; }

    /// <summary>Reads the chunk headers from the stream's position and puts the position back. Null when not RIFF/WAVE.</summary>
    public static WavHeaderScan? Read(Stream stream)
    {
        long start = stream.Position;
        try
        {
            Span<byte> riff = stackalloc byte[12];
            if (stream.Read(riff) < 12 || !riff[..4].SequenceEqual("RIFF"u8) || !riff[8..12].SequenceEqual("WAVE"u8))
            {
                return null;
            }
            uint? rate = null;
            ushort? channels = null;
            Span<byte> chunk = stackalloc byte[8];
            Span<byte> fmt = stackalloc byte[8];
            while (stream.Read(chunk) == 8)
            {
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
                if (chunk[..4].SequenceEqual("fmt "u8) && size >= 8 && stream.Read(fmt) == 8)
                {
                    channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                    rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                    long afterFmt = stream.Position + size - 8 + (size & 1);
                    if (afterFmt > stream.Length)
                    {
                        break;
                    }
                    stream.Position = afterFmt;
                    continue;
                }
                if (chunk[..4].SequenceEqual("data"u8))
                {
                    long offset = stream.Position;
                    bool declared = size is not (0 or uint.MaxValue);
                    return new WavHeaderScan
                    {
                        SampleRateHz = rate,
                        Channels = channels,
                        DataBytes = declared ? size : null,
                        DataOffset = offset,
                        // A pad byte follows odd-sized chunks.
                        TrailingChunkFollows = declared && ChunkIdAt(stream, offset + size + (size & 1)),
                    };
                }
                long next = stream.Position + size + (size & 1);
                if (next > stream.Length)
                {
                    break; // A chunk that runs past the end: NAudio's reader reports the file as it finds it.
                }
                stream.Position = next;
            }
            return new WavHeaderScan { SampleRateHz = rate, Channels = channels };
        }
        finally
        {
            stream.Position = start;
        }
    }

    /// <summary>Refuses a rate or channel count no real recording has, naming the value as the header holds it.</summary>
    public void Check(string sourceName)
    {
        if (SampleRateHz is uint rate && rate is < AudioLoader.MinWavSampleRateHz or > AudioLoader.MaxWavSampleRateHz)
        {
            throw new AudioFormatException(sourceName,
                $"the header declares a sample rate of {rate} Hz, outside {AudioLoader.MinWavSampleRateHz} to {AudioLoader.MaxWavSampleRateHz} Hz: the header is corrupt, or resample the audio (e.g. sox IN -r 16000 OUT.wav)");
        }
        if (Channels is ushort channels && channels is 0 or > AudioLoader.MaxWavChannels)
        {
            throw new AudioFormatException(sourceName,
                $"the header declares {channels} channels, outside 1 to {AudioLoader.MaxWavChannels}: the header is corrupt");
        }
    }

    /// <summary>
    /// Bytes after the declared data that are not another chunk: the header under-states the samples. A trailing
    /// chunk (LIST, id3) starts with four printable characters and is left alone.
    /// </summary>
    public long? UndeclaredTrailingBytes(long streamLength)
    {
        if (DataBytes is not long declared || TrailingChunkFollows)
        {
            return null;
        }
        long extra = streamLength - (DataOffset + declared);
        return extra > 0 ? extra : null;
    }

    /// <summary>Four printable characters (a chunk id) follow the declared data.</summary>
    private bool TrailingChunkFollows { get; init; }

    private static bool ChunkIdAt(Stream stream, long offset)
    {
        if (offset + 8 > stream.Length)
        {
            return false;
        }
        stream.Position = offset;
        Span<byte> id = stackalloc byte[4];
        return stream.Read(id) == 4 && id.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) < 0;
    }
}
