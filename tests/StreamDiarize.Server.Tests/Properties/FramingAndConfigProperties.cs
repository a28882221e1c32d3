// FsCheck properties: the gRPC audio framing (any chunking, any read sizes: the same samples, NaN silenced and counted;
// partial frames refused) and SessionConfig validation (any field values: a valid plan or INVALID_ARGUMENT, never an echo).
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Models;
using StreamDiarize.Server.Services;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Tests.Properties;

public sealed class FramingAndConfigProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static readonly Gen<float> Sample = Gen.Frequency(
        (20, Gen.Choose(-32768, 32767).Select(v => v / 32768f)),
        (1, Gen.Elements(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3e38f, -1e7f)));

    [Fact]
    public void Any_chunking_and_any_read_sizes_give_the_samples_sent_with_non_finite_ones_silenced_and_counted()
    {
        var gen =
            from channels in Gen.Choose(1, 3)
            from f32 in Gen.Elements(true, false)
            from count in Gen.Choose(1, 12)
            from chunks in Gen.ArrayOf(Gen.Choose(0, 300).SelectMany(frames => Gen.ArrayOf(Sample, frames * channels)), count)
            from reads in Gen.ArrayOf(Gen.Choose(1, 700), 64)
            select (channels, f32, chunks, reads);
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var format = new RawPcmFormat(c.f32 ? RawEncoding.F32LE : RawEncoding.S16LE, 16000, c.channels);
            var expected = new List<float>();
            long nonFinite = 0;
            var source = new GrpcAudioSource("p", format, c.chunks.Length + 1);
            foreach (var interleaved in c.chunks)
            {
                var bytes = Encode(interleaved, c.f32);
                var mono = new float[interleaved.Length / c.channels];
                PcmConverter.DecodeToMono(bytes, format, mono);
                nonFinite += GrpcAudioSource.RepairNotAudio(mono);
                expected.AddRange(mono);
                source.WriteAsync(bytes, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
            source.Complete();
            var got = new List<float>();
            for (int i = 0; ; i++)
            {
                var buffer = new float[c.reads[i % c.reads.Length]];
                int n = source.ReadAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                if (n == 0)
                {
                    break;
                }
                got.AddRange(buffer.AsSpan(0, n).ToArray());
            }
            source.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return got.SequenceEqual(expected) && got.TrueForAll(float.IsFinite) && source.NonFiniteSamples == nonFinite;
        }).Check(Runs);
    }

    [Fact]
    public void A_chunk_that_is_not_a_whole_number_of_frames_is_always_invalid_argument()
    {
        var gen =
            from channels in Gen.Choose(1, 8)
            from f32 in Gen.Elements(true, false)
            from length in Gen.Choose(1, 5000)
            select (channels, f32, length);
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var format = new RawPcmFormat(c.f32 ? RawEncoding.F32LE : RawEncoding.S16LE, 16000, c.channels);
            var source = new GrpcAudioSource("p", format, 4);
            try
            {
                source.WriteAsync(new byte[c.length], CancellationToken.None).AsTask().GetAwaiter().GetResult();
                return c.length % format.BytesPerFrame == 0;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                return c.length % format.BytesPerFrame != 0 && ex.Status.Detail.Contains("send whole samples", StringComparison.Ordinal);
            }
            finally
            {
                source.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }).Check(Runs);
    }

    private static readonly Gen<string> ClientString = Gen.OneOf(
        Gen.Elements("", "room-1", "features", "onnx:/etc/shadow", "onnx:square", "counting", "onnx:counting", "energy", "../../x", "a b", "\u0000\u001b[2J", "é"),
        Gen.Choose(0, 5000).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 0xFFFF).Select(v => (char)v), n)).Select(chars => new string(chars)));

    [Fact]
    public void Any_session_config_gives_a_plan_within_every_range_or_invalid_argument_that_echoes_no_long_client_string()
    {
        var models = new ModelCatalog(new Dictionary<string, ModelDeclaration>
        {
            ["square"] = new() { Path = "/models/square.onnx" },
            ["counting"] = new() { Path = "/models/vad.onnx", Kind = ModelCatalog.VadKind },
        });
        var gen =
            from id in ClientString
            from embedder in ClientString
            from vad in ClientString
            from rate in Gen.OneOf(Gen.Choose(-1, 200_000), Gen.Elements(8000, 16000, 48000))
            from channels in Gen.Choose(-1, 10)
            from encoding in Gen.Choose(0, 3)
            from latency in Gen.Elements(double.NaN, double.PositiveInfinity, -1, 0, 0.25, 1, 10, 11)
            from speakers in Gen.Three(Gen.Choose(-2, 120))
            from set in Gen.ArrayOf(Gen.Elements(true, false), 7)
            select (id, embedder, vad, rate, channels, encoding, latency, speakers, set);
        var idPattern = new Regex("^[A-Za-z0-9._-]{1,64}$");
        Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var config = new SessionConfig { Format = new AudioFormat { Encoding = (AudioEncoding)c.encoding, SampleRateHz = c.rate, Channels = c.channels } };
            if (c.set[0]) config.SessionId = c.id;
            if (c.set[1]) config.Embedder = c.embedder;
            if (c.set[2]) config.LatencySeconds = c.latency;
            if (c.set[3]) config.ExactSpeakers = c.speakers.Item1;
            if (c.set[4]) config.MinSpeakers = c.speakers.Item2;
            if (c.set[5]) config.MaxSpeakers = c.speakers.Item3;
            if (c.set[6]) config.Vad = c.vad;
            try
            {
                var plan = SessionConfigReader.Read(config, new SessionDefaults(), models);
                var o = plan.Options;
                return idPattern.IsMatch(plan.SessionId)
                    && plan.Format.SampleRateHz is >= 8000 and <= 48000 && plan.Format.Channels is >= 1 and <= 8
                    && o.LatencySeconds is >= 0.25 and <= 10 && o.MaxSpeakers is >= 1 and <= 100
                    && (o.MinSpeakers is null || o.MinSpeakers <= o.MaxSpeakers)
                    && (o.Embedder == "features" || o.Embedder == "onnx:" + Path.GetFullPath("/models/square.onnx"))
                    && !plan.Effective.Embedder.Contains('/', StringComparison.Ordinal)
                    && (o.SpeechDetector == "energy" || o.SpeechDetector == "onnx:" + Path.GetFullPath("/models/vad.onnx"))
                    && !plan.Effective.Vad.Contains('/', StringComparison.Ordinal);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument)
            {
                string detail = ex.Status.Detail;
                bool echoesLong(string s) => s.Length > ClientText.MaxEchoChars && detail.Contains(s[..(ClientText.MaxEchoChars + 1)], StringComparison.Ordinal);
                // A path-like embedder is never echoed, so the answer cannot depend on the file system. The same string
                // given as the session id is echoed as one (quoted and cut), so only the other errors are looked at.
                string others = string.Join("; ", detail.Split("; ").Where(e => !e.Contains("session_id ", StringComparison.Ordinal)));
                bool echoesPath(bool set, string s) => set && s.StartsWith("onnx:/", StringComparison.Ordinal) && others.Contains(s, StringComparison.Ordinal);
                return detail.Length < 2000 && !echoesLong(c.id) && !echoesLong(c.embedder) && !echoesLong(c.vad)
                    && !echoesPath(c.set[1], c.embedder) && !echoesPath(c.set[6], c.vad);
            }
        }).Check(Runs);
    }

    private static byte[] Encode(float[] samples, bool f32)
    {
        if (f32)
        {
            var bytes = new byte[samples.Length * 4];
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples.AsSpan()).CopyTo(bytes);
            return bytes;
        }
        var s16 = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            short v = float.IsFinite(samples[i]) ? (short)Math.Clamp(samples[i] * 32768f, short.MinValue, short.MaxValue) : (short)0;
            BitConverter.TryWriteBytes(s16.AsSpan(i * 2), v);
        }
        return s16;
    }
}
