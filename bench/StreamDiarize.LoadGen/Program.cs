// Opens N concurrent real-time Diarize streams against a daemon on loopback for T seconds, then reports whether it kept up:
// every stream paced at real time without falling behind, no errors, and the server's p99 event latency (from /metrics).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using StreamDiarize.Audio;
using StreamDiarize.Protocol.V1;

var inv = CultureInfo.InvariantCulture;
var options = args.Select((a, i) => (a, i)).Where(t => t.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(t => t.a[2..], t => t.i + 1 < args.Length && !args[t.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[t.i + 1] : "true");
string Get(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;

var server = new Uri(Get("server", "http://127.0.0.1:50051"));
var metricsUrl = new Uri(Get("metrics", "http://127.0.0.1:8080/metrics"));
var levels = Get("streams", "50").Split(',').Select(s => int.Parse(s, inv)).ToArray();
double seconds = double.Parse(Get("seconds", "30"), inv);
int chunkMs = int.Parse(Get("chunk-ms", "100"), inv);
double warmup = double.Parse(Get("warmup", "10"), inv);
string wav = Get("wav", Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/ami/dev00.wav"));

// Bounded on purpose: this is a loopback benchmark, not a tool to load someone else's server.
if (!IPAddress.TryParse(server.Host, out var ip) || !IPAddress.IsLoopback(ip) || !IPAddress.IsLoopback(IPAddress.Parse(metricsUrl.Host)))
{
    Console.Error.WriteLine("--server and --metrics must be loopback addresses (127.0.0.1 or ::1)");
    return 2;
}
if (levels.Any(n => n is < 1 or > 2000) || seconds is < 1 or > 600 || chunkMs is < 10 or > 1000)
{
    Console.Error.WriteLine("--streams 1..2000 (comma-separated levels), --seconds 1..600, --chunk-ms 10..1000");
    return 2;
}

var clip = AudioLoader.LoadWav(Path.GetFullPath(wav));
using var http = new HttpClient();
using var channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
{
    // Kestrel allows 100 streams per HTTP/2 connection; more streams need more connections.
    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
});
var client = new Diarizer.DiarizerClient(channel);

Console.WriteLine($"# {clip.Id} ({clip.DurationSeconds:F0} s, looped), {seconds} s per level, {chunkMs} ms chunks, server {server}");
if (warmup > 0)
{
    // JIT, thread pool growth and HTTP/2 connections are not what this measures.
    await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RunStream(client, clip, 100_000 + i, 20, Math.Min(warmup, 60), chunkMs)));
}
Console.WriteLine($"# load average before: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
Console.WriteLine("streams  sustained  p50_ms  p99_ms  events  max_send_lag_ms  errors  cpu_busy");
bool allOk = true;
foreach (int n in levels)
{
    var before = await Histogram(http, metricsUrl);
    var cpuBefore = CpuTimes();
    var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => RunStream(client, clip, i, n, seconds, chunkMs)));
    var cpuAfter = CpuTimes();
    var after = await Histogram(http, metricsUrl);
    var delta = after.Select(kv => (Le: kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key))).OrderBy(b => b.Le).ToList();
    double total = delta.Count > 0 ? delta[^1].Count : 0;
    // Linear interpolation inside the bucket, as Prometheus' histogram_quantile does.
    double P(double q)
    {
        double rank = q * total, lower = 0, below = 0;
        foreach (var (le, count) in delta)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(le) ? lower * 1000 : (lower + (le - lower) * (rank - below) / Math.Max(1, count - below)) * 1000;
            }
            (lower, below) = (le, count);
        }
        return 0;
    }
    int errors = results.Count(r => r.Error is not null);
    double maxLag = results.Max(r => r.MaxSendLagMs);
    long events = results.Sum(r => r.Events);
    double busy = (cpuAfter.Busy - cpuBefore.Busy) / Math.Max(1, cpuAfter.Total - cpuBefore.Total);
    bool ok = errors == 0 && P(0.99) < 100 && maxLag < 500;
    allOk &= ok;
    Console.WriteLine(string.Format(inv, "{0,7}  {1,9}  {2,6:F1}  {3,6:F1}  {4,6}  {5,15:F0}  {6,6}  {7,8:P0}", n, ok ? "yes" : "NO", P(0.5), P(0.99), events, maxLag, errors, busy));
    foreach (var e in results.Where(r => r.Error is not null).Select(r => r.Error).Distinct().Take(3))
    {
        Console.WriteLine("#   error: " + e);
    }
}
return allOk ? 0 : 1;

// One real-time stream: sends chunk k at start + k * chunk duration, counts events, notes how late the sends ran.
static async Task<StreamResult> RunStream(Diarizer.DiarizerClient client, StreamDiarize.Core.Audio.AudioClip clip, int index, int count, double seconds, int chunkMs)
{
    // Spread the starts over one chunk so the streams do not all send in the same millisecond.
    await Task.Delay(chunkMs * (index % Math.Max(1, count)) / Math.Max(1, count));
    int chunk = clip.SampleRateHz * chunkMs / 1000;
    int chunks = (int)(seconds * 1000 / chunkMs);
    long events = 0;
    double maxLag = 0;
    try
    {
        using var call = client.Diarize();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                events++;
            }
        });
        await call.RequestStream.WriteAsync(new DiarizeRequest
        {
            Config = new SessionConfig { SessionId = $"load-{index}-{Guid.NewGuid():N}", Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = clip.SampleRateHz, Channels = 1 } },
        });
        var bytes = new byte[chunk * 4];
        var clock = Stopwatch.StartNew();
        int offset = (int)((long)index * 7919 * chunk % Math.Max(1, clip.Samples.Length - chunk)); // different audio per stream
        for (int k = 0; k < chunks; k++)
        {
            var due = TimeSpan.FromMilliseconds((double)k * chunkMs);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            maxLag = Math.Max(maxLag, (clock.Elapsed - due).TotalMilliseconds);
            if (offset + chunk > clip.Samples.Length)
            {
                offset = 0;
            }
            Buffer.BlockCopy(clip.Samples, offset * 4, bytes, 0, bytes.Length);
            offset += chunk;
            await call.RequestStream.WriteAsync(new DiarizeRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(bytes) } });
        }
        await call.RequestStream.CompleteAsync();
        await reading;
        return new StreamResult(events, maxLag, null);
    }
    catch (RpcException ex)
    {
        return new StreamResult(events, maxLag, $"{ex.StatusCode}: {ex.Status.Detail}");
    }
}

// Cumulative bucket counts of streamdiarize_event_latency_seconds, by upper bound in seconds.
static async Task<Dictionary<double, double>> Histogram(HttpClient http, Uri metrics)
{
    var text = await http.GetStringAsync(metrics);
    var result = new Dictionary<double, double>();
    foreach (Match m in Regex.Matches(text, "^streamdiarize_event_latency_seconds_bucket\\{le=\"([^\"]+)\"\\} (\\S+)$", RegexOptions.Multiline))
    {
        double le = m.Groups[1].Value == "+Inf" ? double.PositiveInfinity : double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        result[le] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
    }
    return result;
}

// Whole-machine CPU jiffies from /proc/stat (busy, total), to say how loaded the 2 cores were.
static (double Busy, double Total) CpuTimes()
{
    if (!File.Exists("/proc/stat"))
    {
        return (0, 0);
    }
    var parts = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    double idle = parts[3] + parts[4];
    double total = parts.Sum();
    return (total - idle, total);
}

internal sealed record StreamResult(long Events, double MaxSendLagMs, string? Error);
