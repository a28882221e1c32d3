// Recognises the common audio containers that are not WAV by their first bytes, so the refusal can say how to convert.
namespace StreamDiarize.Audio;

internal static class AudioContainerSniffer
{
    /// <summary>The container's name when the bytes start one that is not RIFF/WAVE (FLAC, MP3, Ogg, MP4/M4A, AIFF, CAF, WebM); else null.</summary>
    public static string? NonWavContainer(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("fLaC"u8))
        {
            return "FLAC";
        }
        if (head.StartsWith("ID3"u8) || head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0)
        {
            return "MP3";
        }
        if (head.StartsWith("OggS"u8))
        {
            return "Ogg (Vorbis/Opus)";
        }
        if (head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return "MP4/M4A";
        }
        if (head.StartsWith("FORM"u8))
        {
            return "AIFF";
        }
        if (head.StartsWith("caff"u8))
        {
            return "CAF";
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            return "WebM/Matroska";
        }
        return null;
    }

    /// <summary>Throws when <paramref name="stream"/> (seekable) holds a known non-WAV container, with a conversion command.</summary>
    public static void ThrowIfNotWav(Stream stream, string sourceName)
    {
        if (!stream.CanSeek)
        {
            return;
        }
        long start = stream.Position;
        Span<byte> head = stackalloc byte[12];
        int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        if (read >= 4 && NonWavContainer(head[..read]) is null && !head.StartsWith("RIFF"u8) && !head.StartsWith("RF64"u8) && !head.StartsWith("RIFX"u8))
        {
            throw new AudioFormatException(sourceName,
                "is not a readable WAV file: it does not start with a RIFF/WAVE header (nor with any audio format this program recognises); give a WAV file, or headerless PCM with --raw s16le|f32le --rate HZ");
        }
        if (NonWavContainer(head[..read]) is { } kind)
        {
            string stem = Path.GetFileNameWithoutExtension(sourceName);
            throw new AudioFormatException(sourceName,
                $"is {kind} audio, not WAV: convert it first, e.g. `ffmpeg -i {sourceName} -ac 1 -ar 16000 {stem}.wav`" +
                (kind is "FLAC" or "Ogg (Vorbis/Opus)" or "AIFF" ? $" or `sox {sourceName} -c 1 -r 16000 {stem}.wav`" : "") +
                ", or pipe raw PCM with --raw (README: Offline diarization)");
        }
    }
}
