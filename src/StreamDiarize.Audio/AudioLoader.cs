// Decodes whole recordings (WAV files, raw PCM streams) into 16 kHz mono float clips, or fails naming the input.
using NAudio.Wave;
using NAudio.Wave.SampleProviders;
using StreamDiarize.Core.Audio;

namespace StreamDiarize.Audio;

public static class AudioLoader
{
    public const int DefaultSampleRateHz = 16000;

    // WAVE_FORMAT_EXTENSIBLE sub-formats (KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT).
    private static readonly Guid KsDataFormatPcm = new("00000001-0000-0010-8000-00aa00389b71");
    private static readonly Guid KsDataFormatIeeeFloat = new("00000003-0000-0010-8000-00aa00389b71");

    /// <summary>The id of a file in RTTM: its name without folders and extension.</summary>
    public static string FileIdOf(string path) => Path.GetFileNameWithoutExtension(path);

    /// <summary>
    /// Reads a WAV file (PCM 8/16/24/32-bit integer or 32-bit float, any channels, any rate) as mono at
    /// <paramref name="targetRateHz"/>. Throws <see cref="AudioFormatException"/> naming the file otherwise.
    /// </summary>
    public static AudioClip LoadWav(string path, int targetRateHz = DefaultSampleRateHz, Action<string>? warn = null) =>
        LoadWav(path, _ => targetRateHz, warn);

    /// <summary>
    /// Reads a WAV file as mono at the rate <paramref name="targetRateFor"/> picks for its own rate, decoding it once
    /// (e.g. a narrowband recording kept at its rate, anything else at 16 kHz).
    /// </summary>
    public static AudioClip LoadWav(string path, Func<int, int> targetRateFor, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(targetRateFor);
        if (Directory.Exists(path))
        {
            throw new AudioFormatException(path, "is a directory, not a file: give the WAV files in it (e.g. DIR/*.wav)");
        }
        if (!File.Exists(path))
        {
            throw new AudioFormatException(path, "no such file");
        }
        using var stream = File.OpenRead(path);
        return LoadWav(stream, path, FileIdOf(path), targetRateFor, warn);
    }

    /// <summary>Sample rates a WAV file may declare: below, speech has no band left; above, the header is corrupt rather than audio.</summary>
    public const int MinWavSampleRateHz = 8000;
    public const int MaxWavSampleRateHz = 192000;

    /// <summary>Channels a WAV file may declare (WAVE_FORMAT_EXTENSIBLE names at most 18 speaker positions).</summary>
    public const int MaxWavChannels = 32;

    public static AudioClip LoadWav(Stream stream, string sourceName, string id, int targetRateHz = DefaultSampleRateHz, Action<string>? warn = null) =>
        LoadWav(stream, sourceName, id, _ => targetRateHz, warn);

    private static AudioClip LoadWav(Stream stream, string sourceName, string id, Func<int, int> targetRateFor, Action<string>? warn)
    {
        if (stream.CanSeek && stream.Length == 0)
        {
            throw new AudioFormatException(sourceName, "the file is empty (0 bytes); give a WAV file with audio in it");
        }
        AudioContainerSniffer.ThrowIfNotWav(stream, sourceName);
        var header = stream.CanSeek ? WavHeaderScan.Read(stream) : null;
        header?.Check(sourceName);
        long? declaredDataBytes = header?.DataBytes;
        WaveFileReader reader;
        try
        {
            reader = new WaveFileReader(stream);
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or InvalidDataException or ArgumentException or IOException)
        {
            throw new AudioFormatException(sourceName, $"not a readable WAV file ({ex.Message}); give a RIFF/WAVE file with PCM or float samples, or use --raw for headerless PCM", ex);
        }
        using (reader)
        {
            var format = reader.WaveFormat;
            CheckSupported(sourceName, format);
            long declaredBytes = reader.Length;
            // NAudio trims a data chunk that runs past the end of the file; the header tells the truth.
            if (declaredDataBytes is long promised && promised > declaredBytes)
            {
                throw new AudioFormatException(sourceName,
                    $"the file is truncated: its header promises {promised / format.BlockAlign} sample frames ({(double)promised / format.AverageBytesPerSecond:F2} s) but only {declaredBytes / format.BlockAlign} are present; re-export or repair the file");
            }
            if (declaredBytes == 0)
            {
                throw new AudioFormatException(sourceName, "the WAV file holds no samples (empty data chunk)");
            }
            // NAudio converts WAVE_FORMAT_EXTENSIBLE only by its tag: read its PCM or float samples under the plain
            // format (sox, ffmpeg and most recorders write it for more than 16 bits or more than two channels).
            var plain = PlainFormat(format);
            ISampleProvider provider;
            try
            {
                provider = ReferenceEquals(plain, format) ? reader.ToSampleProvider() : new RawSourceWaveStream(reader, plain).ToSampleProvider();
            }
            catch (ArgumentException ex)
            {
                throw new AudioFormatException(sourceName, $"unsupported WAV format {Describe(format)}: use PCM 8/16/24/32-bit integer or 32-bit float", ex);
            }

            long expectedFrames = declaredBytes / format.BlockAlign;
            if (header?.UndeclaredTrailingBytes(stream.Length) is long extra && extra >= format.BlockAlign)
            {
                // A header written before the recording ended (a crashed recorder) under-states the data: read it all.
                // The header scan and NAudio may disagree on where the samples start (a corrupt fmt chunk): read no
                // further than the file goes from where the scan found them.
                long frames = Math.Min(declaredBytes + extra, Math.Max(0, stream.Length - header.DataOffset)) / format.BlockAlign;
                warn?.Invoke($"{sourceName}: the header declares {declaredBytes} bytes of samples but {declaredBytes + extra} follow it; reading all {frames} frames ({(double)frames / format.SampleRate:F2} s). Re-export the file to fix its header");
                stream.Position = header.DataOffset;
                var bytes = new byte[frames * format.BlockAlign];
                stream.ReadExactly(bytes);
                provider = new RawSourceWaveStream(new MemoryStream(bytes), plain).ToSampleProvider();
                expectedFrames = frames;
            }
            var interleaved = ReadAll(provider, expectedFrames * format.Channels, format.Channels);
            long framesRead = interleaved.Length / format.Channels;
            if (framesRead < expectedFrames)
            {
                throw new AudioFormatException(sourceName,
                    $"the file is truncated: its header promises {expectedFrames} sample frames ({(double)expectedFrames / format.SampleRate:F2} s) but only {framesRead} are present; re-export or repair the file");
            }
            var mono = MixDown(interleaved, format.Channels);
            CheckSamples(sourceName, mono);
            int targetRateHz = targetRateFor(format.SampleRate);
            return new AudioClip(id, Resample(mono, format.SampleRate, targetRateHz), targetRateHz) { SourceSampleRateHz = format.SampleRate };
        }
    }

    /// <summary>Reads headerless PCM from <paramref name="stream"/> (a file or stdin) to its end.</summary>
    public static AudioClip LoadRaw(Stream stream, string sourceName, string id, RawPcmFormat format, int targetRateHz = DefaultSampleRateHz)
    {
        var errors = format.GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new AudioFormatException(sourceName, string.Join("; ", errors));
        }
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.Length == 0)
        {
            throw new AudioFormatException(sourceName, "no audio bytes were read; check that the producer (sox, arecord, ffmpeg) writes raw PCM to this input");
        }
        if (bytes.Length % format.BytesPerFrame != 0)
        {
            throw new AudioFormatException(sourceName,
                $"{bytes.Length} bytes is not a whole number of {format.Encoding} frames of {format.Channels} channel(s) ({format.BytesPerFrame} bytes each): the stream is truncated or the format is wrong");
        }
        var mono = new float[bytes.Length / format.BytesPerFrame];
        PcmConverter.DecodeToMono(bytes, format, mono);
        CheckSamples(sourceName, mono);
        return new AudioClip(id, Resample(mono, format.SampleRateHz, targetRateHz), targetRateHz) { SourceSampleRateHz = format.SampleRateHz };
    }

    /// <summary>Resamples with NAudio's WDL resampler; returns the input itself when the rates match.</summary>
    public static float[] Resample(float[] mono, int fromRateHz, int toRateHz)
    {
        if (fromRateHz == toRateHz)
        {
            return mono;
        }
        var source = new FloatArraySampleProvider(mono, fromRateHz);
        var resampler = new WdlResamplingSampleProvider(source, toRateHz);
        long expected = (long)Math.Ceiling((double)mono.Length * toRateHz / fromRateHz);
        var output = ReadAll(resampler, expected, 1);
        // The WDL resampler may return a few samples fewer or more at the tail; keep the duration exact.
        if (output.Length != expected)
        {
            Array.Resize(ref output, (int)expected);
        }
        return output;
    }

    private static float[] ReadAll(ISampleProvider provider, long expectedSamples, int channels)
    {
        // Fill an array of the expected size through a small chunk (an hour of audio is 230 MB of floats: no second
        // copy in the normal case), growing only if the provider delivers more than the header promised.
        var samples = new float[Math.Max(0, expectedSamples)];
        var chunk = new float[4096 * channels]; // NAudio reads whole sample frames only.
        long total = 0;
        int read;
        while ((read = provider.Read(chunk)) > 0)
        {
            if (total + read > samples.Length)
            {
                Array.Resize(ref samples, (int)Math.Min(int.MaxValue - 64, Math.Max(total + read, samples.Length + samples.Length / 4 + chunk.Length)));
            }
            chunk.AsSpan(0, read).CopyTo(samples.AsSpan((int)total));
            total += read;
        }
        if (total != samples.Length)
        {
            Array.Resize(ref samples, (int)total);
        }
        return samples;
    }

    private static float[] MixDown(float[] interleaved, int channels)
    {
        if (channels == 1)
        {
            return interleaved;
        }
        var mono = new float[interleaved.Length / channels];
        float scale = 1f / channels;
        for (int f = 0; f < mono.Length; f++)
        {
            float sum = 0;
            for (int c = 0; c < channels; c++)
            {
                sum += interleaved[f * channels + c];
            }
            mono[f] = sum * scale;
        }
        return mono;
    }

    /// <summary>
    /// The plain PCM or IEEE float format of a WAVE_FORMAT_EXTENSIBLE header (its sub-format, its container width); any
    /// other format as it is. Called after <see cref="CheckSupported"/>.
    /// </summary>
    private static WaveFormat PlainFormat(WaveFormat format) => SubFormat(format) is { } sub
        ? sub == KsDataFormatIeeeFloat
            ? WaveFormat.CreateIeeeFloatWaveFormat(format.SampleRate, format.Channels)
            : new WaveFormat(format.SampleRate, format.BitsPerSample, format.Channels)
        : format;

    /// <summary>
    /// The sub-format GUID of a WAVE_FORMAT_EXTENSIBLE header, null for any other. NAudio's reader keeps the extension
    /// as extra bytes (valid bits 2, channel mask 4, then the GUID 16).
    /// </summary>
    private static Guid? SubFormat(WaveFormat format) => format switch
    {
        WaveFormatExtensible ext => ext.SubFormat,
        WaveFormatExtraData { Encoding: WaveFormatEncoding.Extensible } x when x.ExtraData.Length >= 22 => new Guid(x.ExtraData.AsSpan(6, 16)),
        _ => null,
    };

    private static void CheckSupported(string sourceName, WaveFormat format)
    {
        var encoding = format.Encoding;
        int bits = format.BitsPerSample;
        if (SubFormat(format) is { } sub)
        {
            encoding = sub == KsDataFormatIeeeFloat ? WaveFormatEncoding.IeeeFloat
                : sub == KsDataFormatPcm ? WaveFormatEncoding.Pcm
                : WaveFormatEncoding.Unknown;
        }
        bool ok = encoding switch
        {
            WaveFormatEncoding.Pcm => bits is 8 or 16 or 24 or 32,
            WaveFormatEncoding.IeeeFloat => bits == 32,
            _ => false,
        };
        if (!ok)
        {
            throw new AudioFormatException(sourceName, $"unsupported WAV format {Describe(format)}: use PCM 8/16/24/32-bit integer or 32-bit float");
        }
        if (format.Channels < 1 || format.SampleRate <= 0)
        {
            throw new AudioFormatException(sourceName, $"invalid WAV header: {format.Channels} channels at {format.SampleRate} Hz");
        }
        // The format read is the file's last fmt chunk; the header scan checked the first. A later one with an absurd
        // rate would make the resampler allocate gigabytes (an 835-byte file found by the fuzzer took 5.5 GB and 22 s).
        if (format.SampleRate is < MinWavSampleRateHz or > MaxWavSampleRateHz)
        {
            throw new AudioFormatException(sourceName,
                $"the header declares a sample rate of {format.SampleRate} Hz, outside {MinWavSampleRateHz} to {MaxWavSampleRateHz} Hz: the header is corrupt, or resample the audio (e.g. sox IN -r 16000 OUT.wav)");
        }
        if (format.BlockAlign != format.Channels * (bits / 8))
        {
            throw new AudioFormatException(sourceName,
                $"invalid WAV header: block align {format.BlockAlign} is not {format.Channels} channel(s) x {bits / 8} bytes: the header is corrupt");
        }
    }

    private static void CheckSamples(string sourceName, float[] samples)
    {
        for (int i = 0; i < samples.Length; i++)
        {
            float s = samples[i];
            if (!PcmConverter.IsAudio(s))
            {
                throw new AudioFormatException(sourceName, float.IsFinite(s)
                    ? $"sample {i} is {s.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}, beyond ±{PcmConverter.MaxSampleMagnitude:0} (float audio runs about -1 to 1): the file is corrupt or not audio"
                    : $"sample {i} is not a finite number ({s}): the file is corrupt or not audio");
            }
        }
    }

    private static string Describe(WaveFormat format) =>
        $"{(SubFormat(format) is { } sub ? $"Extensible (sub-format {sub})" : format.Encoding.ToString())} {format.BitsPerSample}-bit, {format.Channels} channel(s), {format.SampleRate} Hz";
}
