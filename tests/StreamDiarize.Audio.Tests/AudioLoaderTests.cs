// WAV and raw PCM decoding: every supported format decodes to the same 16 kHz mono signal; bad input names the file.
using NAudio.Wave;
using StreamDiarize.Audio;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Audio.Tests;

public sealed class AudioLoaderTests
{
    private static float[] Tone(int rate, double seconds, double hz = 440, double amp = 0.5)
    {
        var x = new float[(int)(rate * seconds)];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(amp * Math.Sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    private static string WriteWav(string dir, string name, WaveFormat format, float[] mono)
    {
        var path = Path.Combine(dir, name);
        using var writer = new WaveFileWriter(path, format);
        if (format.BitsPerSample == 8)
        {
            // NAudio's writer has no 8-bit path: unsigned bytes centred on 128, as the WAV format defines.
            foreach (var s in mono)
            {
                writer.WriteByte((byte)Math.Clamp(Math.Round(s * 127 + 128), 0, 255));
            }
            return path;
        }
        foreach (var s in mono)
        {
            for (int c = 0; c < format.Channels; c++)
            {
                writer.WriteSample(s);
            }
        }
        return path;
    }

    [Fact]
    public void The_shared_AMI_clip_loads_as_thirty_seconds_of_16kHz_mono()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        Assert.Equal("dev00", clip.Id);
        Assert.Equal(16000, clip.SampleRateHz);
        Assert.Equal(30.0, clip.DurationSeconds, 2);
        Assert.Contains(clip.Samples, s => Math.Abs(s) > 0.01f);
    }

    [Theory]
    [InlineData(8, 1e-2)]
    [InlineData(16, 1e-4)]
    [InlineData(24, 1e-5)]
    [InlineData(32, 1e-5)]
    public void Integer_PCM_of_every_width_decodes_to_the_signal(int bits, double tolerance)
    {
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(16000, 0.5);
        var path = WriteWav(dir, $"pcm{bits}.wav", new WaveFormat(16000, bits, 1), tone);
        var clip = AudioLoader.LoadWav(path);
        Assert.Equal(tone.Length, clip.Samples.Length);
        for (int i = 0; i < tone.Length; i++)
        {
            Assert.True(Math.Abs(tone[i] - clip.Samples[i]) <= tolerance, $"sample {i}: {tone[i]} vs {clip.Samples[i]}");
        }
    }

    [Fact]
    public void Multichannel_audio_is_mixed_down_to_mono()
    {
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(16000, 0.25);
        var path = WriteWav(dir, "six.wav", WaveFormat.CreateIeeeFloatWaveFormat(16000, 6), tone);
        var clip = AudioLoader.LoadWav(path);
        Assert.Equal(tone.Length, clip.Samples.Length);
        Assert.Equal(tone[100], clip.Samples[100], 5);
    }

    [Fact]
    public void Other_rates_are_resampled_to_16kHz_keeping_duration_and_pitch()
    {
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(44100, 1.0, hz: 1000);
        var path = WriteWav(dir, "cd.wav", new WaveFormat(44100, 16, 2), tone);
        var clip = AudioLoader.LoadWav(path);
        Assert.Equal(16000, clip.Samples.Length);
        // Count zero crossings in the middle: a 1 kHz tone crosses zero 2000 times a second.
        int crossings = 0;
        for (int i = 4001; i < 12000; i++)
        {
            if (Math.Sign(clip.Samples[i]) != Math.Sign(clip.Samples[i - 1]))
            {
                crossings++;
            }
        }
        Assert.InRange(crossings, 990, 1010);
    }

    [Theory]
    [InlineData("meeting.flac", new byte[] { (byte)'f', (byte)'L', (byte)'a', (byte)'C', 0, 0, 0, 34 }, "is FLAC audio, not WAV: convert it first, e.g. `ffmpeg -i")]
    [InlineData("talk.mp3", new byte[] { (byte)'I', (byte)'D', (byte)'3', 4, 0, 0, 0, 0 }, "is MP3 audio, not WAV")]
    [InlineData("call.ogg", new byte[] { (byte)'O', (byte)'g', (byte)'g', (byte)'S', 0, 2, 0, 0 }, "is Ogg (Vorbis/Opus) audio, not WAV")]
    [InlineData("memo.m4a", new byte[] { 0, 0, 0, 32, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'M', (byte)'4', (byte)'A', (byte)' ' }, "is MP4/M4A audio, not WAV")]
    public void Other_audio_containers_are_named_with_a_conversion_command(string name, byte[] head, string expected)
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), name);
        File.WriteAllBytes(path, [.. head, .. new byte[256]]);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains(name, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_text_file_is_refused_naming_the_file()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "notes.wav");
        File.WriteAllText(path, "these are meeting notes, not audio");
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("notes.wav", ex.Message);
        Assert.Contains("not a readable WAV", ex.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "empty.wav");
        File.WriteAllBytes(path, []);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void A_wav_with_a_header_but_no_samples_is_refused()
    {
        var dir = RepoPaths.NewTempDir();
        var path = WriteWav(dir, "nothing.wav", new WaveFormat(16000, 16, 1), []);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("no samples", ex.Message);
    }

    [Fact]
    public void A_truncated_wav_is_refused_with_how_much_is_missing()
    {
        var dir = RepoPaths.NewTempDir();
        var path = WriteWav(dir, "cut.wav", new WaveFormat(16000, 16, 1), Tone(16000, 1.0));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("cut.wav", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void A_missing_file_is_refused()
    {
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav("/nonexistent/meeting.wav"));
        Assert.Contains("no such file", ex.Message);
    }

    /// <summary>
    /// A WAVE_FORMAT_EXTENSIBLE file (tag 0xFFFE, a 40-byte fmt chunk whose sub-format GUID names the encoding), written
    /// byte by byte as sox and ffmpeg write it for more than 16 bits or more than two channels.
    /// </summary>
    private static string WriteExtensible(string dir, string name, float[] mono, int rate, int channels, int bits, Guid subFormat)
    {
        bool isFloat = subFormat == FloatSubFormat;
        int width = bits / 8;
        using var data = new MemoryStream();
        foreach (var s in mono)
        {
            for (int c = 0; c < channels; c++)
            {
                if (isFloat)
                {
                    data.Write(BitConverter.GetBytes(s));
                    continue;
                }
                long v = (long)Math.Round(Math.Clamp(s, -1f, 1f) * ((1L << (bits - 1)) - 1));
                for (int b = 0; b < width; b++)
                {
                    data.WriteByte((byte)(v >> (8 * b)));
                }
            }
        }
        var path = Path.Combine(dir, name);
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8);
        w.Write((int)(4 + 8 + 40 + 8 + data.Length));
        w.Write("WAVE"u8);
        w.Write("fmt "u8);
        w.Write(40);
        w.Write((ushort)0xFFFE);
        w.Write((ushort)channels);
        w.Write(rate);
        w.Write(rate * channels * width);
        w.Write((ushort)(channels * width));
        w.Write((ushort)bits);
        w.Write((ushort)22);
        w.Write((ushort)bits);
        w.Write(channels == 1 ? 4 : 3);
        w.Write(subFormat.ToByteArray());
        w.Write("data"u8);
        w.Write((int)data.Length);
        w.Write(data.ToArray());
        return path;
    }

    private static readonly Guid PcmSubFormat = new("00000001-0000-0010-8000-00aa00389b71");
    private static readonly Guid FloatSubFormat = new("00000003-0000-0010-8000-00aa00389b71");

    [Theory]
    [InlineData(1, 24, false)]
    [InlineData(2, 16, false)]
    [InlineData(1, 32, false)]
    [InlineData(2, 32, true)]
    public void Wave_format_extensible_decodes_as_its_plain_pcm_or_float_format(int channels, int bits, bool isFloat)
    {
        // Round 15: sox writes 24-bit audio as WAVE_FORMAT_EXTENSIBLE, and it was refused ("unsupported WAV format
        // Extensible 24-bit"): NAudio keeps the sub-format as extra bytes and converts only by the tag.
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(48000, 0.5);
        var extensible = AudioLoader.LoadWav(WriteExtensible(dir, "ext.wav", tone, 48000, channels, bits, isFloat ? FloatSubFormat : PcmSubFormat));
        var plain = AudioLoader.LoadWav(WriteWav(dir, "plain.wav",
            isFloat ? WaveFormat.CreateIeeeFloatWaveFormat(48000, channels) : new WaveFormat(48000, bits, channels), tone));

        Assert.Equal(16000, extensible.SampleRateHz);
        Assert.Equal(plain.Samples.Length, extensible.Samples.Length);
        for (int i = 0; i < plain.Samples.Length; i++)
        {
            Assert.True(Math.Abs(plain.Samples[i] - extensible.Samples[i]) <= 1e-4, $"sample {i}: {plain.Samples[i]} vs {extensible.Samples[i]}");
        }
        Assert.Contains(extensible.Samples, s => Math.Abs(s) > 0.4f);
    }

    [Fact]
    public void Wave_format_extensible_of_another_encoding_is_refused_naming_its_sub_format()
    {
        var dir = RepoPaths.NewTempDir();
        var alaw = new Guid("00000006-0000-0010-8000-00aa00389b71");
        var path = WriteExtensible(dir, "ext-alaw.wav", Tone(8000, 0.1), 8000, 1, 16, alaw);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains($"Extensible (sub-format {alaw})", ex.Message);
        Assert.Contains("use PCM 8/16/24/32-bit integer or 32-bit float", ex.Message);
    }

    [Fact]
    public void An_unsupported_encoding_is_refused_with_the_supported_list()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "alaw.wav");
        using (var writer = new WaveFileWriter(path, WaveFormat.CreateALawFormat(8000, 1)))
        {
            writer.Write(new byte[800], 0, 800);
        }
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("use PCM 8/16/24/32-bit integer or 32-bit float", ex.Message);
    }

    [Fact]
    public void The_target_rate_can_be_picked_from_the_files_own_rate_in_one_decoding()
    {
        // `stream` sends a narrowband WAV at its own rate and anything else at 16 kHz (round 15), decoding it once.
        var dir = RepoPaths.NewTempDir();
        static int Pick(int native) => native is >= 8000 and < 16000 ? native : 16000;
        var narrow = AudioLoader.LoadWav(WriteWav(dir, "narrow.wav", new WaveFormat(8000, 16, 1), Tone(8000, 0.5, hz: 300)), Pick);
        var wide = AudioLoader.LoadWav(WriteWav(dir, "wide.wav", new WaveFormat(48000, 16, 1), Tone(48000, 0.5)), Pick);

        Assert.Equal((8000, 8000, 4000), (narrow.SampleRateHz, narrow.SourceSampleRateHz!.Value, narrow.Samples.Length));
        Assert.Equal((16000, 48000, 8000), (wide.SampleRateHz, wide.SourceSampleRateHz!.Value, wide.Samples.Length));
        Assert.Equal(AudioLoader.LoadWav(Path.Combine(dir, "wide.wav")).Samples, wide.Samples);
        Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(Path.Combine(dir, "missing.wav"), Pick));
    }

    [Fact]
    public void Raw_s16le_stereo_at_8kHz_decodes_and_resamples()
    {
        var tone = Tone(8000, 0.5, hz: 300);
        var bytes = new byte[tone.Length * 4];
        for (int i = 0; i < tone.Length; i++)
        {
            short v = (short)(tone[i] * 32767);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), v);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4 + 2), v);
        }
        var clip = AudioLoader.LoadRaw(new MemoryStream(bytes), "stdin", "stdin", new RawPcmFormat(RawEncoding.S16LE, 8000, 2));
        Assert.Equal(8000, clip.Samples.Length);
        Assert.True(clip.Samples.Max() > 0.45f);
    }

    [Fact]
    public void Raw_bytes_that_are_not_whole_frames_are_refused()
    {
        var ex = Assert.Throws<AudioFormatException>(() =>
            AudioLoader.LoadRaw(new MemoryStream(new byte[7]), "stdin", "stdin", new RawPcmFormat(RawEncoding.F32LE, 16000, 1)));
        Assert.Contains("not a whole number", ex.Message);
        Assert.StartsWith("stdin", ex.Message);
    }

    [Fact]
    public void A_raw_format_outside_the_limits_lists_every_problem()
    {
        var ex = Assert.Throws<AudioFormatException>(() =>
            AudioLoader.LoadRaw(new MemoryStream(new byte[8]), "stdin", "stdin", new RawPcmFormat(RawEncoding.F32LE, 0, 9)));
        Assert.Contains("sample rate 0 Hz is invalid", ex.Message);
        Assert.Contains("channel count 9 is invalid", ex.Message);
    }

    [Fact]
    public void Non_finite_float_samples_are_refused_rather_than_diarized()
    {
        var dir = RepoPaths.NewTempDir();
        var samples = Tone(16000, 0.1);
        samples[10] = float.NaN;
        var path = WriteWav(dir, "nan.wav", WaveFormat.CreateIeeeFloatWaveFormat(16000, 1), samples);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("not a finite number", ex.Message);
    }

    // Found by the coverage-guided run (bench/fuzz-afl.sh wav, after the 8-192 kHz fix): a 15,232 Hz float WAV whose
    // samples reach 3.4e38, finite but near float's limit; resampling to 16 kHz summed them into infinities.
    [Fact]
    public void Float_samples_near_floats_limit_are_refused_rather_than_resampled_into_infinities() =>
        Assert.Contains("sample 16 is 2.37E+24, beyond ±1000000 (float audio runs about -1 to 1)", RefusalOfFinding("wav-huge-float-samples.bin"));

    /// <summary>The reader's refusal of a fuzzer finding saved in bench/StreamDiarize.Fuzz/findings.</summary>
    internal static string RefusalOfFinding(string name)
    {
        using var stream = File.OpenRead(Path.Combine(RepoPaths.RepoRoot, "bench", "StreamDiarize.Fuzz", "findings", name));
        return Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(stream, name, "finding")).Message;
    }

    [Fact]
    public void Raw_float_pcm_beyond_the_sample_limit_is_refused_and_float_scaled_like_16_bit_integers_is_read()
    {
        float[] scaled = [0.5f, 32767f, -32768f, 1e6f];
        float[] huge = [0.5f, 3e38f, -3e38f, 0f];
        var format = new RawPcmFormat(RawEncoding.F32LE, 8000, 1);

        var clip = AudioLoader.LoadRaw(new MemoryStream(System.Runtime.InteropServices.MemoryMarshal.AsBytes(scaled.AsSpan()).ToArray()), "scaled", "scaled", format);
        var ex = Assert.Throws<AudioFormatException>(() =>
            AudioLoader.LoadRaw(new MemoryStream(System.Runtime.InteropServices.MemoryMarshal.AsBytes(huge.AsSpan()).ToArray()), "stdin", "huge", format));

        Assert.All(clip.Samples, s => Assert.True(float.IsFinite(s)));
        Assert.Equal(8, clip.Samples.Length); // 8 kHz resampled to 16 kHz
        Assert.Contains("sample 1 is 3E+38, beyond ±1000000", ex.Message);
    }
}

public sealed class AudioLoaderHeaderTests
{
    private static string Wav(string name, int rate, double seconds, Action<byte[]>? patch = null, int extraBytes = 0)
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), name);
        using (var writer = new WaveFileWriter(path, new WaveFormat(Math.Max(rate, 8000), 16, 1)))
        {
            var random = new Random(3);
            for (int i = 0; i < (int)(8000 * seconds); i++)
            {
                writer.WriteSample((float)(random.NextDouble() - 0.5) * 0.3f);
            }
        }
        var bytes = File.ReadAllBytes(path);
        if (rate != Math.Max(rate, 8000))
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(24), rate); // fmt: sample rate at byte 24
        }
        patch?.Invoke(bytes);
        File.WriteAllBytes(path, [.. bytes, .. new byte[extraBytes]]);
        return path;
    }

    [Fact]
    public void A_one_hertz_header_is_refused_naming_the_rate_and_the_range()
    {
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(Wav("slow.wav", 1, 1)));
        Assert.Contains("sample rate of 1 Hz, outside 8000 to 192000 Hz", ex.Message);
    }

    [Fact]
    public void A_four_gigahertz_header_is_refused_with_the_rate_as_the_header_holds_it()
    {
        var path = Wav("fast.wav", 8000, 1, b => BitConverter.TryWriteBytes(b.AsSpan(24), 4_000_000_000u));
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("sample rate of 4000000000 Hz", ex.Message);
    }

    [Fact]
    public void A_header_with_a_thousand_channels_is_refused_as_corrupt()
    {
        var path = Wav("wide.wav", 8000, 1, b => BitConverter.TryWriteBytes(b.AsSpan(22), (ushort)1000));
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("1000 channels, outside 1 to 32", ex.Message);
    }

    [Fact]
    public void A_directory_is_named_as_a_directory()
    {
        var dir = RepoPaths.NewTempDir();
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(dir));
        Assert.Contains("is a directory, not a file", ex.Message);
    }

    [Fact]
    public void A_header_that_understates_its_data_is_warned_about_and_every_sample_is_read()
    {
        // Two seconds of samples behind a header that declares 2 bytes (a recorder that never updated its header).
        var path = Wav("understated.wav", 8000, 2, b => BitConverter.TryWriteBytes(b.AsSpan(40), 2u));
        var warnings = new List<string>();

        var clip = AudioLoader.LoadWav(path, warn: warnings.Add);

        Assert.Equal(2.0, clip.DurationSeconds, 3);
        var warning = Assert.Single(warnings);
        Assert.Contains("the header declares 2 bytes of samples but 32000 follow it; reading all 16000 frames (2.00 s)", warning);
    }

    [Fact]
    public void A_trailing_chunk_after_the_data_is_not_read_as_audio()
    {
        var path = Wav("tagged.wav", 8000, 1);
        File.AppendAllText(path, "LIST\u0004\0\0\0INFO");
        var warnings = new List<string>();

        var clip = AudioLoader.LoadWav(path, warn: warnings.Add);

        Assert.Equal(1.0, clip.DurationSeconds, 3);
        Assert.Empty(warnings);
    }

    // Found by bench/StreamDiarize.Fuzz: both escaped as exceptions other than AudioFormatException.
    [Fact]
    public void A_chunk_whose_size_runs_past_the_end_of_a_stream_is_a_refusal_not_a_crash()
    {
        var bytes = File.ReadAllBytes(Wav("long-chunk.wav", 8000, 0.1));
        // Insert a 'junk' chunk claiming 0x7FFFFFF0 bytes before the fmt chunk.
        byte[] junk = [.. "junk"u8.ToArray(), 0xF0, 0xFF, 0xFF, 0x7F];
        byte[] mutated = [.. bytes[..12], .. junk, .. bytes[12..]];

        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(new MemoryStream(mutated), "long-chunk", "long-chunk"));
        Assert.Contains("long-chunk", ex.Message);
    }

    [Fact]
    public void A_block_align_that_does_not_match_the_channels_and_width_is_refused_as_corrupt()
    {
        var path = Wav("odd-align.wav", 8000, 0.1, b => BitConverter.TryWriteBytes(b.AsSpan(32), (ushort)1025));
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("block align 1025 is not 1 channel(s) x 2 bytes", ex.Message);
    }

    // Found by the coverage-guided run (bench/fuzz-afl.sh wav), bench/StreamDiarize.Fuzz/findings/wav-5gb-allocation.bin:
    // a sane first fmt chunk (16 kHz) and a second one after the data declaring 1,828,724,544 Hz. The reader takes the
    // last; resampling from that rate took 22 s and 5.5 GB for an 835-byte file.
    [Fact]
    public void A_later_fmt_chunk_with_an_absurd_sample_rate_is_refused_before_any_resampling() =>
        Assert.Contains("sample rate of 1828724544 Hz, outside 8000 to 192000 Hz", AudioLoaderTests.RefusalOfFinding("wav-5gb-allocation.bin"));

    // Found by the coverage-guided run (bench/fuzz-afl.sh wav): a second RIFF header inside an 18-byte fmt chunk made the
    // header scan and NAudio disagree on where the samples start, and reading "all" of them ran past the end of the file.
    private const string NestedRiffCrash =
        "UklGRrIHAABXQVZFZm10IBIAAAADAAEAgD5SSUZGRAMAAFdBVkVmbXQgEAAAAAEAAQCAPgAAgD4AAAEACABkYXRhIAMAAICFi5CVmp6hpKanp6em" +
        "pKGempCQi4V/enRvamVhXltZWFhYWVteYVJJRkYsBwAAV0FWRWZtdCAoAAAA/v8CACJWAACIWAEABAAQABYAEAADAAAAAQAAAAAAEACAAACqADib" +
        "cWZhY3QEAAAAuQEAAGRhdGHkBgAAAAB3BdIK9Q/EFCcZBx1PIO8i2SQCJmYmASbVJOoiSSD/HB4ZuRTpD8YKawX0/336IvUA8DLr0Obx4qrfDN0k" +
        "2/zZmtkB2i7bG92+3wnj7OZR6yLwRvWi+hgAkAXqCgsQ2RQ6GRcdXSD5IuAkBiZmJv0lziTgIjsg7hwLGaUU0w+uClIF2/9k+gr16e8d673m4eKd" +
        "3wHdHdv42ZrZBdo12ybdzN8a4//mZus58F71uvoxAKgFAgsiEO4UTBknHWogBCPnJAkmZSb5Jcck1SItIN4c+BiQFLwPlgo5BcL/S/ry9NPvCOuq" +
        "5tHij9/33Bbb9dmb2QnaPNsw3dnfKuMS53vrT/B29dP6SgDBBRoLOBADFV8ZNx13IA4j7iQNJmUm9iXAJMsiICDOHOUYexSlD34KIQWp/zP62/S8" +
        "7/PqmObB4oLf7dwP2/LZm9kM2mHbO93n3zvjJOeQ62bwjvXr+mMA2QUxC08QFxVyGUgdhSAYI/QkECZlJvIluSTAIhIgvRzSGGYUjw9nCggFkf8a" +
        "+sP0pu/e6oXmsOJ13+LcCNvu2ZvZENpL20Xd9d9L4zfnpet98KX1BPt8APIFSQtlECwVhBlYHZIgIiP7JBMmZSbuJbEktiIFIK0cvxhQFHgPT/Xw" +
        "BHj/Avqr9I/vyupy5qDiaN/Z3ALb69mb2RTaUttQ3QLgXONK57rrlPC99R37lQALBmELfBBBFZcZaB2fICwjAiUWJmQm6iWqJKsi9x+cHKwYOxRh" +
        "DzcK1wRf/+n5k/R577XqYOaQ4lvfz9z72ujZnNkY2lrbWt0Q4GzjXufP66rw1fU1+64AIwZ5C5IQVRWpGXgdrCA2IwglGSZkJuYloySgIukfixyZ" +
        "GCYUSg8fCr4ERv/R+Xz0Y++gUklGRrIHAABXQVZFAIAAABIAAAADAAEAgD4AAAD6AAAEACAAAABmYWN0BAAAAOABAABkYXRhgAcAAAAAAABG8i49" +
        "DCqtPc1T/z3vJCY+bD1JPlI8aD78P4E+sb+LPoZmkz6TDJg+mJmZPn4FmD6DWJM+CKuLPhglgT4u+2c+P/JIPkHRJT7Znv49MGusPYRoLT0N48a5" +
        "9nswvdborb1TBAC+i3gmvoSISb5ffWi+01qBvkzUi756dJO+lxOYvoeZmb5a/pe+cEqTvk+Wi74mCoG+8blnvvymSL6CfSW+y+n9vUKsq72w3iu9" +
        "AuNGOpMFMj2Op649sl4APhbMJj6H00k+U75oPpx1gT7Z6Is+X4KTPosamD5nmZk+JveXPk08k/Dw8PDw8PDw8PDw8PDw8PDw8PDwPoiBiz4n74A+" +
        "m3hnPqVbSD6xKSU+ojT9PULtqj3KVCo9NSqVuh2PM70zZq+9BLkAvpAfJ751Hkq+Lv9ovleQgb5X/Yu+NJCTvnAhmL43mZm+4u+Xvhwuk76zbIu+" +
        "G9SAvi43Z745EEi+0NUkvl9//L0wLqq90soovdnixjqVGDU9xiSwPUgTAT74cic+TmlKPvE/aT4Fq4E+xhGMPvqdkz5EKJg+95iZPo7olz7aH5M+" +
        "zleLPgC5gD6o9WY+t8RHPt2BJD4Byvs9DG+pPchAJz1om/i6+qE2vUfjsL1+bQG+TsYnvhG0Sr6cgGm+psWBviYmjL6wq5O+CS+YvqaYmb4q4Ze+" +
        "ihGTvtxCi77ZnYC+CrRmviF5R77YLSS+iBT7vdavqL2ttiW97ikVO0srOD21obE9p8cBPpMZKD7A/ko+LsFpPjjggT54Oow+V7mTPr01mD5GmJk+" +
        "t9mXPSoDkz7aLYs+o4KAPlRyZj52LUc+w9kjPvZe+j2P8Kc9gCwkPRkGLruJtDm9EGCyvcMhAr7GbCi+WUlLvqgBar6++oG+u06Mvu7Gk75iPJi+" +
        "YnuYvvmPmb6kg5e+EmGSvgpDir7Ip36+AIAAAMG+1ZeZvjPSl7669JK+yhiLvmFngL6GMGa+tuHoA5yFI75Jqfm9NjGnvUOiIr0y4kY7tD07PVkf" +
        "sz3RewI+578oPtyTSz4Jaj41FYI+72KMPnbUkz73Qpg+VJeZPp/Klz475pI+rAOLPhFMgD6g7mU+4ZVGPmQxIz6C8/g9zHGmPfQXIT02vl+7y8Y8" +
        "vY/cs73R1QK+9xIpvkveS75Sgmq+ny+CvhV3jL7u4ZO+e0mYvsOWmb78wpe+rdeSvn/uir6zMIC+oaxlvvhJRr4b3SK+oD34vVCypb2UjR+9Ipp4" +
        "O89PPj2yD7Q9wy8DPvVlKT6kKEw+gsJqPvtJgj4si4w+V++TPvBPmD4ilpk+SbuXPg/Jkj5D2Yo+SBVpPotqZT75/UU+wYgiPqWH9z3D8qQ9JAMe" +
        "Pfq6iLu+2D+9wli1vaiJA77iuCm+53JMvpoCa75KZIK+NJ+MvrD8k75VVpi+cZWZvoWzl75iupK++cOKvp/zf75cKGW+5rFFvlY0Ir6Q0fa9JDOk" +
        "vaN4HL3VKJU7mWE=";

    [Fact]
    public void A_header_whose_chunks_disagree_on_where_the_samples_start_is_read_or_refused_never_a_crash()
    {
        var bytes = Convert.FromBase64String(NestedRiffCrash);
        var warnings = new List<string>();

        var clip = Record.Exception(() => AudioLoader.LoadWav(new MemoryStream(bytes), "nested-riff", "nested-riff", warn: warnings.Add));

        Assert.True(clip is null or AudioFormatException, $"{clip?.GetType().Name}: {clip?.Message}");
    }
}
