// The gRPC fuzz client: the real daemon on loopback, raw byte messages (mutated configs and audio, mis-ordered, cut short, cancelled).
using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamDiarize.Server;

internal static class GrpcFuzz
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> Diarize = new(MethodType.DuplexStreaming, "streamdiarize.v1.Diarizer", "Diarize", Raw, Raw);
    private static readonly Method<byte[], byte[]> Watch = new(MethodType.ServerStreaming, "streamdiarize.v1.Diarizer", "Watch", Raw, Raw);
    private static readonly Method<byte[], byte[]> List = new(MethodType.Unary, "streamdiarize.v1.Diarizer", "ListSessions", Raw, Raw);

    private static readonly StatusCode[] Expected =
    [
        StatusCode.OK, StatusCode.InvalidArgument, StatusCode.ResourceExhausted, StatusCode.Cancelled, StatusCode.DeadlineExceeded,
        StatusCode.AlreadyExists, StatusCode.NotFound, StatusCode.FailedPrecondition,
        // Kestrel's HTTP/2 guards (rapid-reset, ENHANCE_YOUR_CALM) reset a connection that churns streams this fast.
        StatusCode.Unavailable,
    ];

    public static async Task RunAsync(int cases, Random random, List<byte[]> configSeeds, string outDir)
    {
        if (cases == 0)
        {
            return;
        }
        var errors = new ConcurrentQueue<string>();
        int grpcPort = FreePort(), httpPort = FreePort();
        var app = ServerHost.Build([], new ServerHostOptions
        {
            Overrides =
            [
                new("Server:GrpcPort", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Server:HttpPort", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Server:IdleTimeoutSeconds", "1"), new("Server:MaxMessageBytes", "65536"),
            ],
            ConfigureServices = s => s.AddLogging(l => l.ClearProviders().SetMinimumLevel(LogLevel.Error).AddProvider(new ErrorCollector(errors))),
        });
        await app.StartAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var invoker = channel.CreateCallInvoker();
        var statuses = new Dictionary<StatusCode, int>();
        int unexpected = 0;
        var clock = Stopwatch.StartNew();
        double slowestMs = 0;
        // 16 calls at a time, as many clients would.
        for (int batch = 0; batch < cases; batch += 16)
        {
            var calls = Enumerable.Range(0, Math.Min(16, cases - batch)).Select(_ => Messages(random, configSeeds)).ToList();
            var results = await Task.WhenAll(calls.Select(c => OneCallAsync(invoker, c)));
            foreach (var (code, ms, input) in results)
            {
                statuses[code] = statuses.GetValueOrDefault(code) + 1;
                slowestMs = Math.Max(slowestMs, ms);
                if (!Expected.Contains(code))
                {
                    unexpected++;
                    File.WriteAllBytes(Path.Combine(outDir, $"grpc-{code}-{unexpected}.bin"), input.SelectMany(m => BitConverter.GetBytes(m.Length).Concat(m)).ToArray());
                }
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        // Every session must be gone once the calls are: nothing leaks past the idle timeout.
        await Task.Delay(2500);
        var left = app.Services.GetRequiredService<StreamDiarize.Server.Sessions.SessionRegistry>().Count;
        await app.StopAsync();
        await app.DisposeAsync();
        Console.WriteLine($"| gRPC Diarize/Watch/ListSessions (real daemon, raw messages) | {cases} | {string.Join(", ", statuses.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value}"))} | | {unexpected + errors.Count} | 0 | {slowestMs:F1} | {cases / seconds:F0} |");
        Console.WriteLine($"gRPC: {unexpected} unexpected statuses, {errors.Count} error-level log lines, {left} sessions left after the run");
        foreach (var e in errors.Take(5))
        {
            Console.Error.WriteLine("server error log: " + e);
        }
    }

    /// <summary>A call's messages: a (mutated) config or not, audio chunks (some of partial frames), sometimes a second config.</summary>
    private static (int Kind, List<byte[]> Messages, bool Cancel) Messages(Random random, List<byte[]> configSeeds)
    {
        int kind = random.Next(10);
        var messages = new List<byte[]>();
        if (kind >= 8)
        {
            // Watch or ListSessions with a mutated request body.
            var body = new byte[random.Next(0, 80)];
            random.NextBytes(body);
            if (random.Next(2) == 0 && body.Length > 2)
            {
                body[0] = 0x0A;
                body[1] = (byte)(body.Length - 2);
            }
            messages.Add(body);
            return (kind, messages, false);
        }
        if (random.Next(8) != 0)
        {
            var config = configSeeds[random.Next(configSeeds.Count)];
            messages.Add(Wrap(1, random.Next(4) == 0 ? Flip(config, random) : config));
        }
        int chunks = random.Next(0, 12);
        for (int i = 0; i < chunks; i++)
        {
            var pcm = new byte[random.Next(0, 4000)];
            random.NextBytes(pcm);
            messages.Add(random.Next(20) == 0 ? Flip(Wrap(2, Wrap(1, pcm)), random) : Wrap(2, Wrap(1, pcm)));
            if (random.Next(30) == 0)
            {
                messages.Add(Wrap(1, configSeeds[0]));
            }
        }
        return (kind, messages, random.Next(10) == 0);
    }

    private static async Task<(StatusCode Code, double Ms, List<byte[]> Input)> OneCallAsync(CallInvoker invoker, (int Kind, List<byte[]> Messages, bool Cancel) c)
    {
        long start = Stopwatch.GetTimestamp();
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cts.Token);
        try
        {
            if (c.Kind == 8)
            {
                await invoker.AsyncUnaryCall(List, null, options, c.Messages[0]);
            }
            else if (c.Kind == 9)
            {
                using var watch = invoker.AsyncServerStreamingCall(Watch, null, options, c.Messages[0]);
                while (await watch.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
            else
            {
                using var call = invoker.AsyncDuplexStreamingCall(Diarize, null, options);
                var reading = Task.Run(async () =>
                {
                    while (await call.ResponseStream.MoveNext(CancellationToken.None))
                    {
                    }
                });
                try
                {
                    foreach (var m in c.Messages)
                    {
                        await call.RequestStream.WriteAsync(m);
                    }
                    if (c.Cancel)
                    {
                        await cts.CancelAsync();
                    }
                    else
                    {
                        await call.RequestStream.CompleteAsync();
                    }
                }
                catch (Exception ex) when (ex is RpcException or InvalidOperationException or OperationCanceledException or IOException or System.Net.Http.HttpRequestException)
                {
                    // The server ended the call first; its status is what counts.
                }
                await reading;
            }
            return (StatusCode.OK, Stopwatch.GetElapsedTime(start).TotalMilliseconds, c.Messages);
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, Stopwatch.GetElapsedTime(start).TotalMilliseconds, c.Messages);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Http.HttpProtocolException)
        {
            return (StatusCode.Unavailable, Stopwatch.GetElapsedTime(start).TotalMilliseconds, c.Messages);
        }
    }

    /// <summary>A protobuf length-delimited field.</summary>
    private static byte[] Wrap(int field, byte[] payload)
    {
        var bytes = new List<byte> { (byte)((field << 3) | 2) };
        uint length = (uint)payload.Length;
        do
        {
            byte b = (byte)(length & 0x7F);
            length >>= 7;
            bytes.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        bytes.AddRange(payload);
        return [.. bytes];
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        for (int i = 0; i < 1 + random.Next(4) && copy.Length > 0; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ErrorCollector(ConcurrentQueue<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Enqueue(formatter(state, exception) + (exception is null ? "" : ": " + exception.GetType().Name + " " + exception.Message));
            }
        }

        public void Dispose()
        {
        }
    }
}
