// In-process mutation fuzzer for the readers that take untrusted bytes: AudioLoader.LoadWav, AudioLoader.LoadRaw and
// SessionConfigReader (a SessionConfig parsed from mutated protobuf). Not coverage-guided: seeds are valid inputs of
// every supported shape, mutated 1 to 8 times with bias towards header fields. A crash is any exception other than the
// reader's documented refusal (AudioFormatException, RpcException INVALID_ARGUMENT, InvalidProtocolBufferException);
// a case slower than 2 s counts as a hang. Crashing inputs are saved for replay.
// The gRPC target runs the real daemon in-process on loopback and sends mutated, mis-ordered message streams over
// HTTP/2; a crash there is a status of UNKNOWN or INTERNAL, or an error-level line in the daemon's log.
// Usage: dotnet run -c Release --project bench/StreamDiarize.Fuzz -- [--wav N] [--raw N] [--config N] [--grpc N] [--seed S] [--out DIR]
// Coverage-guided: bench/fuzz-afl.sh runs afl-fuzz over `--afl wav|raw|config` with SharpFuzz-instrumented assemblies.
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using NAudio.Wave;
using StreamDiarize.Audio;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server;
using StreamDiarize.Server.Models;
using StreamDiarize.Server.Services;

int wavCases = Arg("--wav", 100_000), rawCases = Arg("--raw", 20_000), configCases = Arg("--config", 20_000), grpcCases = Arg("--grpc", 10_000), seed = Arg("--seed", 1);
string outDir = ArgText("--out", Path.Combine(Path.GetTempPath(), "streamdiarize-fuzz"));
Directory.CreateDirectory(outDir);
var random = new Random(seed);

// Each target: how to exercise one input, and which exceptions are its documented refusals (anything else is a crash).
Action<byte[]> wavCase = bytes =>
{
    var clip = AudioLoader.LoadWav(new MemoryStream(bytes), "fuzz", "fuzz");
    AssertFinite(clip.Samples);
};
Func<Exception, bool> audioRefusal = ex => ex is AudioFormatException;
Action<byte[]> rawCase = bytes =>
{
    // The format comes from the command line; the bytes and a random format are the input.
    var format = new RawPcmFormat(bytes.Length % 2 == 0 ? RawEncoding.S16LE : RawEncoding.F32LE, new[] { 8000, 16000, 44100, 48000, 7, 0 }[bytes.Length % 6], bytes.Length % 5);
    var clip = AudioLoader.LoadRaw(new MemoryStream(bytes), "fuzz", "fuzz", format);
    AssertFinite(clip.Samples);
};
// Made on first use: under afl-fuzz the instrumented server code must not run before the fork server is up.
SessionDefaults? defaults = null;
ModelCatalog? catalog = null;
Action<byte[]> configCase = bytes =>
{
    defaults ??= new SessionDefaults();
    catalog ??= new ModelCatalog(new Dictionary<string, ModelDeclaration>());
    var config = SessionConfig.Parser.ParseFrom(bytes);
    var plan = SessionConfigReader.Read(config, defaults, catalog);
    if (plan.SessionId.Length is < 1 or > 64 || plan.Format.SampleRateHz is < 8000 or > 48000)
    {
        throw new InvalidOperationException($"accepted an out-of-range plan: id {plan.SessionId.Length} chars, {plan.Format.SampleRateHz} Hz");
    }
};
Func<Exception, bool> configRefusal = ex => ex is InvalidProtocolBufferException || (ex is RpcException { StatusCode: StatusCode.InvalidArgument } rpc && rpc.Status.Detail.Length < 2000);

(Action<byte[]>, Func<Exception, bool>) Target(string name) => name switch
{
    "wav" => (wavCase, audioRefusal),
    "raw" => (rawCase, audioRefusal),
    "config" => (configCase, configRefusal),
    _ => throw new ArgumentException($"target {name}: use wav, raw or config"),
};

if (ArgText("--afl", "") is { Length: > 0 } aflTarget)
{
    // Nothing instrumented may run before Run sets up AFL's shared memory (it would write through a null map), so no seeds here.
    // Coverage-guided mode (bench/fuzz-afl.sh): afl-fuzz runs this process, SharpFuzz reports the edges its instrumented
    // assemblies take; a documented refusal returns normally, anything else escapes and AFL records a crash.
    var (aflCase, aflRefusal) = Target(aflTarget);
    SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        try
        {
            aflCase(copy.ToArray());
        }
        catch (Exception ex) when (aflRefusal(ex))
        {
        }
    });
    return;
}
if (ArgText("--replay", "") is { Length: > 0 } replayTarget)
{
    // One saved input (an AFL crash, a mutation-fuzzer crash) through a target, uninstrumented: its exception, or "refused"/"accepted".
    var (replayCase, replayRefusal) = Target(replayTarget);
    string file = args[Array.IndexOf(args, "--replay") + 2];
    try
    {
        replayCase(File.ReadAllBytes(file));
        Console.WriteLine($"{file}: accepted");
    }
    catch (Exception ex) when (replayRefusal(ex))
    {
        Console.WriteLine($"{file}: refused: {ex.Message}");
    }
    return;
}

var wavSeeds = WavSeeds();
var configSeeds = ConfigSeeds();
if (ArgText("--write-seeds", "") is { Length: > 0 } seedDir)
{
    // The starting corpus of the coverage-guided runs: the same valid inputs the mutation fuzzer starts from.
    foreach (var (name, seeds) in new[] { ("wav", wavSeeds), ("raw", [RawSeed()]), ("config", configSeeds) })
    {
        Directory.CreateDirectory(Path.Combine(seedDir, name));
        for (int i = 0; i < seeds.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(seedDir, name, $"seed-{i}.bin"), seeds[i]);
        }
    }
    return;
}

Console.WriteLine($"seed {seed}; crashing inputs go to {outDir}");
Console.WriteLine("| target | cases | accepted | refused | crashes | hangs (> 2 s) | slowest case ms | cases/s |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
Run("WAV (AudioLoader.LoadWav)", wavCases, () => Mutate(wavSeeds[random.Next(wavSeeds.Count)], headerBias: true), wavCase, audioRefusal);
Run("raw PCM (AudioLoader.LoadRaw)", rawCases, () => Mutate(RawSeed(), headerBias: false), rawCase, audioRefusal);
Run("SessionConfig (protobuf + SessionConfigReader)", configCases, () => Mutate(configSeeds[random.Next(configSeeds.Count)], headerBias: false), configCase, configRefusal);

await GrpcFuzz.RunAsync(grpcCases, random, configSeeds, outDir);

void Run(string target, int cases, Func<byte[]> next, Action<byte[]> exercise, Func<Exception, bool> isRefusal)
{
    long accepted = 0, refused = 0, crashes = 0, hangs = 0;
    double slowestMs = 0;
    var signatures = new Dictionary<string, int>();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < cases; i++)
    {
        var input = next();
        long start = Stopwatch.GetTimestamp();
        try
        {
            exercise(input);
            accepted++;
        }
        catch (Exception ex) when (isRefusal(ex))
        {
            refused++;
        }
        catch (Exception ex)
        {
            crashes++;
            string signature = ex.GetType().Name + " at " + (ex.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "?");
            if (signatures.TryAdd(signature, 1))
            {
                var file = Path.Combine(outDir, $"crash-{target.Split(' ')[0]}-{signatures.Count}.bin");
                File.WriteAllBytes(file, input);
                Console.Error.WriteLine($"CRASH {signature}: {ex.Message} -> {file}");
            }
        }
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        slowestMs = Math.Max(slowestMs, ms);
        if (ms > 2000)
        {
            hangs++;
            File.WriteAllBytes(Path.Combine(outDir, $"slow-{target.Split(' ')[0]}-{hangs}.bin"), input);
        }
    }
    Console.WriteLine($"| {target} | {cases} | {accepted} | {refused} | {crashes} | {hangs} | {slowestMs:F1} | {cases / clock.Elapsed.TotalSeconds:F0} |");
}

byte[] Mutate(byte[] seedBytes, bool headerBias)
{
    var bytes = new List<byte>(seedBytes);
    int mutations = random.Next(1, 9);
    for (int m = 0; m < mutations && bytes.Count > 0; m++)
    {
        int at = headerBias && random.Next(2) == 0 ? random.Next(Math.Min(64, bytes.Count)) : random.Next(bytes.Count);
        switch (random.Next(7))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes[at] = (byte)random.Next(256);
                break;
            case 2:
                // A 32-bit field set to a value that breaks arithmetic: sizes, rates, counts.
                uint[] interesting = [0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 8000, 192001, 4_000_000_000, 65535, 65536];
                var value = BitConverter.GetBytes(interesting[random.Next(interesting.Length)]);
                for (int k = 0; k < 4 && at + k < bytes.Count; k++)
                {
                    bytes[at + k] = value[k];
                }
                break;
            case 3:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 4:
                bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                break;
            case 5:
                int length = Math.Min(random.Next(1, 64), bytes.Count - at);
                bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                break;
            default:
                // A 16-bit field: channels, block align, bits per sample, format tag.
                var shortValue = BitConverter.GetBytes((ushort)new[] { 0, 1, 2, 3, 8, 24, 32, 33, 64, 0xFFFE, 0xFFFF }[random.Next(11)]);
                bytes[at] = shortValue[0];
                if (at + 1 < bytes.Count)
                {
                    bytes[at + 1] = shortValue[1];
                }
                break;
        }
    }
    return [.. bytes];
}

static List<byte[]> WavSeeds()
{
    var seeds = new List<byte[]>();
    foreach (var (format, seconds) in new (WaveFormat, double)[]
    {
        (new WaveFormat(8000, 16, 1), 0.05), (new WaveFormat(16000, 8, 1), 0.05), (new WaveFormat(44100, 24, 2), 0.01),
        (new WaveFormat(48000, 32, 1), 0.01), (WaveFormat.CreateIeeeFloatWaveFormat(16000, 1), 0.03),
        (new WaveFormatExtensible(22050, 16, 2), 0.02), (WaveFormat.CreateIeeeFloatWaveFormat(192000, 2), 0.002),
    })
    {
        var stream = new MemoryStream();
        using (var writer = new WaveFileWriter(stream, format))
        {
            int frames = (int)(format.SampleRate * seconds);
            for (int i = 0; i < frames * format.Channels; i++)
            {
                if (format.BitsPerSample == 8)
                {
                    writer.WriteByte((byte)(128 + 40 * Math.Sin(i / 7.0)));
                }
                else
                {
                    writer.WriteSample((float)(0.3 * Math.Sin(i / 7.0)));
                }
            }
        }
        seeds.Add(stream.ToArray());
    }
    // A trailing LIST chunk after the data.
    seeds.Add([.. seeds[0], .. "LIST"u8.ToArray(), 4, 0, 0, 0, .. "INFO"u8.ToArray()]);
    return seeds;
}

byte[] RawSeed()
{
    var bytes = new byte[random.Next(2, 4000)];
    random.NextBytes(bytes);
    return bytes;
}

static List<byte[]> ConfigSeeds() =>
[
    new SessionConfig { Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = 16000, Channels = 1 } }.ToByteArray(),
    new SessionConfig
    {
        SessionId = "room-1", Format = new AudioFormat { Encoding = AudioEncoding.PcmS16Le, SampleRateHz = 48000, Channels = 2 },
        ExactSpeakers = 3, MinSpeakers = 2, MaxSpeakers = 4, LatencySeconds = 1.5, Embedder = "features", IncludeProvisional = true,
    }.ToByteArray(),
    new SessionConfig { SessionId = new string('x', 300), Embedder = "onnx:/etc/shadow", Format = new AudioFormat() }.ToByteArray(),
];

static void AssertFinite(float[] samples)
{
    foreach (var s in samples)
    {
        if (!float.IsFinite(s))
        {
            throw new InvalidOperationException("a reader returned a non-finite sample");
        }
    }
}

int Arg(string name, int fallback) => int.TryParse(ArgText(name, ""), out int v) ? v : fallback;

string ArgText(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
