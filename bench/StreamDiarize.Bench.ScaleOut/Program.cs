// Bus on and off, measured: (1) how much later a watcher on another replica (through NATS JetStream) sees each event
// than a watcher on the owning replica, p50/p99; (2) streams per core: seconds of audio diarized per CPU second, with
// the bus off and on (the daemon's CPU plus nats-server's). Two daemons in this process, a real `nats-server -js`.
// Usage: StreamDiarize.Bench.ScaleOut AMI_DIR [SESSIONS=4] [SPEED=2]
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server;

string ami = args.Length > 0 ? args[0] : "../shared/data/ami";
int sessions = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4;
double speed = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2;
var clips = Directory.GetFiles(ami, "*.wav").Order().Select(f => AudioLoader.LoadWav(f)).ToArray();
var clock = Stopwatch.StartNew();

string natsExe = new[] { "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server" }.FirstOrDefault(File.Exists)
    ?? throw new InvalidOperationException("nats-server is not installed: apt-get install nats-server");
int natsPort = FreePort();
string store = Path.Combine(Path.GetTempPath(), "bench-nats-" + Guid.NewGuid().ToString("N"));
var nats = Process.Start(new ProcessStartInfo(natsExe, ["-js", "-a", "127.0.0.1", "-p", natsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", store])
{
    RedirectStandardError = true, RedirectStandardOutput = true,
})!;
await Task.Delay(500);
try
{
    Console.WriteLine($"{Environment.ProcessorCount} cores, {sessions} sessions at {speed}x real time, nats-server {natsExe}");
    // (1) Latency: A owns the sessions; a watcher on A (the single-process path) and one on B (through the bus).
    await using (var a = await Daemon.StartAsync("a", $"nats://127.0.0.1:{natsPort}"))
    await using (var b = await Daemon.StartAsync("b", $"nats://127.0.0.1:{natsPort}"))
    {
        var local = new List<double>();
        var remote = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(i => LatencyRun(a, b, $"lat-{i}", clips[i % clips.Length], speed, clock, local, remote)));
        Report("watcher on the owning replica (bus off path)", local);
        Report("watcher on another replica (through JetStream)", remote);
        var added = Percentiles(remote).Zip(Percentiles(local), (r, l) => r - l).ToArray();
        Console.WriteLine($"added by the bus: p50 {added[0]:F2} ms, p99 {added[1]:F2} ms");
    }
    // (2) Streams per core: every clip at once, as fast as the daemon takes it; a first unmeasured pass warms the JIT,
    // then bus off and on alternate twice.
    foreach (var (bus, pass) in new[] { (false, "warm-up"), (false, "1"), (true, "1"), (false, "2"), (true, "2") })
    {
        await using var d = await Daemon.StartAsync("tp", bus ? $"nats://127.0.0.1:{natsPort}" : "");
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime + (bus ? NatsCpu(nats) : TimeSpan.Zero);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(clips.Select((c, i) => Stream(d.Client, $"tp-{pass}-{bus}-{i}", c, speed: 0, clock, null)));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime + (bus ? NatsCpu(nats) : TimeSpan.Zero) - cpu0;
        double audio = clips.Sum(c => c.Samples.Length / (double)c.SampleRateHz);
        if (pass == "warm-up")
        {
            continue;
        }
        Console.WriteLine($"pass {pass}, bus {(bus ? "on " : "off")}: {clips.Length} streams, {audio:F0} s of audio in {wall.Elapsed.TotalSeconds:F2} s wall, {cpu.TotalSeconds:F2} s CPU " +
                          $"(daemon and client{(bus ? " and nats-server" : "")}): {audio / cpu.TotalSeconds:F0} real-time streams per core");
    }
}
finally
{
    nats.Kill();
    await nats.WaitForExitAsync();
    Directory.Delete(store, recursive: true);
}

static TimeSpan NatsCpu(Process p)
{
    p.Refresh();
    return p.TotalProcessorTime;
}

static async Task LatencyRun(Daemon a, Daemon b, string id, AudioClip clip, double speed, Stopwatch clock, List<double> local, List<double> remote)
{
    var seen = new Dictionary<int, double>();
    var call = a.Client.Diarize();
    await call.RequestStream.WriteAsync(new DiarizeRequest { Config = Config(id) });
    await call.ResponseStream.MoveNext(CancellationToken.None);
    var onA = await Watch(a.Client, id, clock);
    var onB = await Watch(b.Client, id, clock);
    var clientTimes = new List<double>();
    var reading = Task.Run(async () =>
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            clientTimes.Add(clock.Elapsed.TotalMilliseconds);
        }
    });
    await Send(call.RequestStream, clip, speed);
    await reading;
    var la = await onA;
    var lb = await onB;
    lock (local)
    {
        // Event i of the watchers (after their SessionStarted) is event i of the client (after its SessionStarted).
        for (int i = 0; i < clientTimes.Count && i < la.Count && i < lb.Count; i++)
        {
            local.Add(la[i] - clientTimes[i]);
            remote.Add(lb[i] - clientTimes[i]);
        }
    }
}

static async Task<Task<List<double>>> Watch(Diarizer.DiarizerClient client, string id, Stopwatch clock)
{
    var call = client.Watch(new WatchRequest { SessionId = id });
    await call.ResponseStream.MoveNext(CancellationToken.None);
    return Task.Run(async () =>
    {
        var times = new List<double>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    });
}

static async Task Stream(Diarizer.DiarizerClient client, string id, AudioClip clip, double speed, Stopwatch clock, List<double>? times)
{
    var call = client.Diarize();
    await call.RequestStream.WriteAsync(new DiarizeRequest { Config = Config(id) });
    var reading = Task.Run(async () =>
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            times?.Add(clock.Elapsed.TotalMilliseconds);
        }
    });
    await Send(call.RequestStream, clip, speed);
    await reading;
}

static async Task Send(IClientStreamWriter<DiarizeRequest> requests, AudioClip clip, double speed)
{
    var pace = Stopwatch.StartNew();
    for (int start = 0; start < clip.Samples.Length; start += 1600)
    {
        var samples = clip.Samples.AsSpan(start, Math.Min(1600, clip.Samples.Length - start));
        var bytes = new byte[samples.Length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples).CopyTo(bytes);
        await requests.WriteAsync(new DiarizeRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(bytes) } });
        if (speed > 0)
        {
            var wait = TimeSpan.FromSeconds((start + 1600) / 16000.0 / speed) - pace.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
    }
    await requests.CompleteAsync();
}

static SessionConfig Config(string id) => new()
{
    SessionId = id,
    Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = 16000, Channels = 1 },
};

static double[] Percentiles(List<double> values)
{
    var sorted = values.Order().ToArray();
    return [sorted[(int)(0.5 * (sorted.Length - 1))], sorted[(int)(0.99 * (sorted.Length - 1))]];
}

static void Report(string what, List<double> values)
{
    var p = Percentiles(values);
    Console.WriteLine($"{what}: {values.Count} events, p50 {p[0]:F2} ms, p99 {p[1]:F2} ms after the streaming client");
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

internal sealed class Daemon : IAsyncDisposable
{
    private Daemon(WebApplication app, GrpcChannel channel)
    {
        App = app;
        Channel = channel;
        Client = new Diarizer.DiarizerClient(channel);
    }

    public WebApplication App { get; }

    public GrpcChannel Channel { get; }

    public Diarizer.DiarizerClient Client { get; }

    public static async Task<Daemon> StartAsync(string replica, string busUrl)
    {
        int grpc = FreePort(), http = FreePort();
        var app = ServerHost.Build([], new ServerHostOptions
        {
            DefaultsJson = () => File.OpenRead(Path.Combine(AppContext.BaseDirectory, "appsettings.json")),
            Overrides =
            [
                new("Server:GrpcPort", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Server:HttpPort", http.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Server:Bus:Url", busUrl),
                new("Server:Bus:ReplicaId", replica),
                new("Logging:LogLevel:Default", "Warning"),
            ],
        });
        await app.StartAsync();
        return new Daemon(app, GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
