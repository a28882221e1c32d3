// Opens N concurrent real-time Diarize streams against a daemon on loopback for T seconds, then reports whether it kept up:
// every stream paced at real time without falling behind, no errors, and the server's p99 event latency (from /metrics).
// --rss-pid PID samples the daemon's resident memory while the streams run (the soak); --ramp MS opens the streams one
// every MS milliseconds instead and reports which were admitted or refused as at capacity (overload, admission control).
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
int rssPid = int.Parse(Get("rss-pid", "0"), inv);
double rssEvery = double.Parse(Get("rss-every", "30"), inv);
int rampMs = int.Parse(Get("ramp", "0"), inv);
double warmup = double.Parse(Get("warmup", "10"), inv);
string wav = Get("wav", Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/ami/dev00.wav"));

// Bounded on purpose: this is a loopback benchmark, not a tool to load someone else's server.
if (!IPAddress.TryParse(server.Host, out var ip) || !IPAddress.IsLoopback(ip) || !IPAddress.IsLoopback(IPAddress.Parse(metricsUrl.Host)))
{
    Console.Error.WriteLine("--server and --metrics must be loopback addresses (127.0.0.1 or ::1)");
    return 2;
}
if (levels.Any(n => n is < 1 or > 2000) || seconds is < 1 or > 3600 || chunkMs is < 10 or > 1000 || rampMs is < 0 or > 60_000 || rssEvery is < 1 or > 600)
{
    Console.Error.WriteLine("--streams 1..2000 (comma-separated levels), --seconds 1..3600, --chunk-ms 10..1000, --ramp 0..60000 ms, --rss-every 1..600 s");
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
if (rampMs > 0)
{
    return await RunOverload(client, clip, http, metricsUrl, levels.Max(), rampMs, seconds, chunkMs);
}
Console.WriteLine("streams  sustained  p50_ms  p99_ms  events  max_send_lag_ms  errors  cpu_busy");
bool allOk = true;
foreach (int n in levels)
{
    var before = await Histogram(http, metricsUrl);
    var cpuBefore = CpuTimes();
    using var rss = rssPid > 0 ? new RssSampler(rssPid, rssEvery) : null;
    var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => RunStream(client, clip, i, n, seconds, chunkMs)));
    var cpuAfter = CpuTimes();
    rss?.Report();
    var after = await Histogram(http, metricsUrl);
    double P(double q) => Quantile(before, after, q) * 1000;
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
static async Task<StreamResult> RunStream(Diarizer.DiarizerClient client, StreamDiarize.Core.Audio.AudioClip clip, int index, int count, double seconds, int chunkMs, List<double>? sendLagsMs = null)
{
    // Spread the starts over one chunk so the streams do not all send in the same millisecond.
    await Task.Delay(chunkMs * (index % Math.Max(1, count)) / Math.Max(1, count));
    int chunk = clip.SampleRateHz * chunkMs / 1000;
    int chunks = (int)(seconds * 1000 / chunkMs);
    long events = 0;
    double maxLag = 0;
    Task? reading = null;
    try
    {
        using var call = client.Diarize();
        var started = new TaskCompletionSource();
        reading = Task.Run(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
                events++;
                started.TrySetResult();
            }
        });
        await call.RequestStream.WriteAsync(new DiarizeRequest
        {
            Config = new SessionConfig { SessionId = $"load-{index}-{Guid.NewGuid():N}", Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = clip.SampleRateHz, Channels = 1 } },
        });
        // Audio only after SessionStarted: a refused call then has sent nothing more, so Kestrel never sees data on a
        // stream it has closed (which it answers by closing the whole HTTP/2 connection, and every call on it).
        await Task.WhenAny(started.Task, reading);
        if (!started.Task.IsCompleted)
        {
            await reading;
        }
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
            double lag = (clock.Elapsed - due).TotalMilliseconds;
            maxLag = Math.Max(maxLag, lag);
            sendLagsMs?.Add(lag);
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
        return new StreamResult(events, maxLag, $"{ex.StatusCode}: {ex.Status.Detail}", ex.StatusCode);
    }
    catch (Exception ex) when (reading is not null)
    {
        // The server ended the call while this client was still sending (a refusal): the response carries its status.
        try
        {
            await reading;
        }
        catch (RpcException rpc)
        {
            return new StreamResult(events, maxLag, $"{rpc.StatusCode}: {rpc.Status.Detail}", rpc.StatusCode);
        }
        return new StreamResult(events, maxLag, ex.Message);
    }
}

// The q-quantile (seconds) of what a histogram counted between two scrapes, interpolated inside the bucket as Prometheus'
// histogram_quantile does.
static double Quantile(Dictionary<double, double> before, Dictionary<double, double> after, double q)
{
    var delta = after.Select(kv => (Le: kv.Key, Count: kv.Value - before.GetValueOrDefault(kv.Key))).OrderBy(b => b.Le).ToList();
    double total = delta.Count > 0 ? delta[^1].Count : 0;
    double rank = q * total, lower = 0, below = 0;
    foreach (var (le, count) in delta)
    {
        if (count >= rank)
        {
            return double.IsPositiveInfinity(le) ? lower : lower + (le - lower) * (rank - below) / Math.Max(1, count - below);
        }
        (lower, below) = (le, count);
    }
    return 0;
}

// Overload: one more real-time stream every rampMs until `streams` were tried, each running `seconds` from its start.
// With admission control on, the streams opened after the server reached capacity are refused (UNAVAILABLE) and the
// admitted ones should keep up: their send lag (how late each chunk left the client) is what a caller feels.
static async Task<int> RunOverload(Diarizer.DiarizerClient client, StreamDiarize.Core.Audio.AudioClip clip, HttpClient http, Uri metricsUrl, int streams, int rampMs, double seconds, int chunkMs)
{
    var inv = CultureInfo.InvariantCulture;
    var latencyBefore = await Histogram(http, metricsUrl);
    var lagBefore = await Histogram(http, metricsUrl, "streamdiarize_processing_lag_seconds");
    var lags = new List<double>[streams];
    var tasks = new List<Task<StreamResult>>();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < streams; i++)
    {
        lags[i] = [];
        tasks.Add(RunStream(client, clip, i, 1, seconds, chunkMs, lags[i]));
        await Task.Delay(rampMs);
        if (i % 20 == 19)
        {
            int refusedSoFar = tasks.Count(t => t.IsCompletedSuccessfully && t.Result.Code == StatusCode.Unavailable);
            Console.WriteLine(string.Format(inv, "# {0,6:F1} s: {1} streams tried, {2} refused so far", clock.Elapsed.TotalSeconds, i + 1, refusedSoFar));
        }
    }
    var results = await Task.WhenAll(tasks);
    var latencyAfter = await Histogram(http, metricsUrl);
    var lagAfter = await Histogram(http, metricsUrl, "streamdiarize_processing_lag_seconds");
    bool Refused(StreamResult r) => r.Code == StatusCode.Unavailable && r.Error?.Contains("at capacity", StringComparison.Ordinal) == true;
    var admitted = Enumerable.Range(0, streams).Where(i => !Refused(results[i])).ToList();
    var refused = streams - admitted.Count;
    var sendLags = admitted.SelectMany(i => lags[i]).Order().ToList();
    double Pct(double q) => sendLags.Count == 0 ? 0 : sendLags[Math.Clamp((int)Math.Ceiling(q * sendLags.Count) - 1, 0, sendLags.Count - 1)];
    int firstRefused = Enumerable.Range(0, streams).FirstOrDefault(i => Refused(results[i]), -1);
    int errors = admitted.Count(i => results[i].Error is not null);
    Console.WriteLine("tried  admitted  refused  first_refused  p50_send_lag_ms  p99_send_lag_ms  max_send_lag_ms  p99_event_latency_ms  p99_processing_lag_ms  errors");
    Console.WriteLine(string.Format(inv, "{0,5}  {1,8}  {2,7}  {3,13}  {4,15:F1}  {5,15:F1}  {6,15:F1}  {7,20:F1}  {8,21:F1}  {9,6}",
        streams, admitted.Count, refused, firstRefused < 0 ? "-" : (firstRefused + 1).ToString(inv), Pct(0.5), Pct(0.99), sendLags.Count == 0 ? 0 : sendLags[^1],
        Quantile(latencyBefore, latencyAfter, 0.99) * 1000, Quantile(lagBefore, lagAfter, 0.99) * 1000, errors));
    foreach (var e in admitted.Where(i => results[i].Error is not null).Select(i => results[i].Error).Distinct().Take(3))
    {
        Console.WriteLine("#   error: " + e);
    }
    foreach (var e in results.Where(Refused).Select(r => r.Error).Take(1))
    {
        Console.WriteLine("#   refusal: " + e);
    }
    return errors == 0 && Pct(0.99) < 1000 ? 0 : 1;
}

// Cumulative bucket counts of a histogram (by default streamdiarize_event_latency_seconds), by upper bound in seconds.
static async Task<Dictionary<double, double>> Histogram(HttpClient http, Uri metrics, string name = "streamdiarize_event_latency_seconds")
{
    var text = await http.GetStringAsync(metrics);
    var result = new Dictionary<double, double>();
    foreach (Match m in Regex.Matches(text, "^" + name + "_bucket\\{le=\"([^\"]+)\"\\} (\\S+)$", RegexOptions.Multiline))
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

internal sealed record StreamResult(long Events, double MaxSendLagMs, string? Error, StatusCode? Code = null);

// Samples a process's resident memory (VmRSS) every few seconds while streams run, then prints the samples and the drift
// from the first sample after the warm-up (the first fifth of the run, at least one sample) to the last.
internal sealed class RssSampler : IDisposable
{
    private readonly List<(double Seconds, long Kb)> _samples = [];
    private readonly Timer _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly int _pid;

    public RssSampler(int pid, double everySeconds)
    {
        _pid = pid;
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromSeconds(everySeconds));
    }

    private void Sample()
    {
        var line = File.ReadLines($"/proc/{_pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        if (line is null)
        {
            return;
        }
        long kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        lock (_samples)
        {
            _samples.Add((_clock.Elapsed.TotalSeconds, kb));
        }
    }

    public void Report()
    {
        _timer.Dispose();
        Sample();
        lock (_samples)
        {
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine("# rss samples (s, MB): " + string.Join(" ", _samples.Select(s => string.Format(inv, "{0:F0}:{1:F1}", s.Seconds, s.Kb / 1024.0))));
            if (_samples.Count < 3)
            {
                return;
            }
            double warm = _samples[^1].Seconds / 5;
            var baseline = _samples.First(s => s.Seconds >= warm);
            var last = _samples[^1];
            var after = _samples.Where(s => s.Seconds >= warm).ToList();
            Console.WriteLine(string.Format(inv,
                "# rss: baseline {0:F1} MB at {1:F0} s, last {2:F1} MB at {3:F0} s, drift {4:+0.0;-0.0} %, min {5:F1} MB, max {6:F1} MB after the baseline",
                baseline.Kb / 1024.0, baseline.Seconds, last.Kb / 1024.0, last.Seconds, 100.0 * (last.Kb - baseline.Kb) / baseline.Kb,
                after.Min(s => s.Kb) / 1024.0, after.Max(s => s.Kb) / 1024.0));
        }
    }

    public void Dispose() => _timer.Dispose();
}
