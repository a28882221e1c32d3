// The description of headerless PCM (stdin, gRPC): encoding, rate and channel count, validated together.
namespace StreamDiarize.Audio;

public enum RawEncoding
{
    /// <summary>Signed 16-bit little-endian integers.</summary>
    S16LE,

    /// <summary>32-bit little-endian IEEE floats.</summary>
    F32LE,
}

public sealed record RawPcmFormat(RawEncoding Encoding, int SampleRateHz, int Channels)
{
    public const int MinSampleRateHz = 8000;
    public const int MaxSampleRateHz = 48000;
    public const int MaxChannels = 8;

    public int BytesPerSample => Encoding == RawEncoding.S16LE ? 2 : 4;

    public int BytesPerFrame => BytesPerSample * Channels;

    /// <summary>Every problem with this format, each saying what is allowed.</summary>
    public IReadOnlyList<string> GetValidationErrors() => [.. GetSettingErrors().Select(e => e.Message)];

    /// <summary>As <see cref="GetValidationErrors"/>, keyed by the property each is about.</summary>
    public IReadOnlyList<Core.Options.SettingError> GetSettingErrors()
    {
        var errors = new List<Core.Options.SettingError>();
        if (SampleRateHz is < MinSampleRateHz or > MaxSampleRateHz)
        {
            errors.Add(new(nameof(SampleRateHz), $"sample rate {SampleRateHz} Hz is invalid: give the rate of the PCM you send, {MinSampleRateHz} to {MaxSampleRateHz}"));
        }
        if (Channels is < 1 or > MaxChannels)
        {
            errors.Add(new(nameof(Channels), $"channel count {Channels} is invalid: give 1 to {MaxChannels}"));
        }
        if (!Enum.IsDefined(Encoding))
        {
            errors.Add(new(nameof(Encoding), $"encoding {Encoding} is invalid: use s16le or f32le"));
        }
        return errors;
    }

    public static RawEncoding ParseEncoding(string text) => text.Trim().ToLowerInvariant() switch
    {
        "s16le" or "pcm_s16le" => RawEncoding.S16LE,
        "f32le" or "pcm_f32le" => RawEncoding.F32LE,
        _ => throw new ArgumentException($"raw encoding '{text}' is not supported: use s16le or f32le"),
    };
}
