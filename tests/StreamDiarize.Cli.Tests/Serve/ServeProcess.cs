// A real `streamdiarize serve` child process on free loopback ports, stopped with SIGTERM by its id.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Serve;

internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];

    private ServeProcess(Process process, int grpcPort, int httpPort)
    {
        _process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public Process Process => _process;

    /// <summary>Starts `serve` with <paramref name="args"/> after the ports; returns once gRPC answers (or fails after 60 s).</summary>
    public static async Task<ServeProcess> StartAsync(params string[] args)
    {
        // A port free when taken can be bound by another process (an outgoing connection's ephemeral port, say) before the
        // child listens on it; then the start is retried on fresh ports, twice at most. Any other failure fails at once.
        for (int attempt = 1; ; attempt++)
        {
            var serve = await TryStartAsync(args);
            if (serve.Started || attempt == 3 || !serve.Serve.StandardError.Contains("address already in use", StringComparison.Ordinal))
            {
                Assert.True(serve.Started, "serve exited at start: " + serve.Serve.StandardError);
                return serve.Serve;
            }
            await serve.Serve.DisposeAsync();
        }
    }

    private static async Task<(ServeProcess Serve, bool Started)> TryStartAsync(string[] args)
    {
        var ports = FreePorts.Take(2);
        int grpc = ports[0], http = ports[1];
        // These tests are about shutdown and replicas, not capacity: on a CI machine busy with other tests their real-time
        // sessions can run half a second late, and admission control would then refuse the next one (CI saw it refuse
        // the tenth of ten). Admission control is tested on its own (Server.Tests: AdmissionTests, LagScheduleTests).
        string[] admission = args.Any(a => a.Contains("Server:Admission:", StringComparison.Ordinal)) ? [] : ["--Server:Admission:Enabled=false"];
        var serve = new ServeProcess(Launch(["serve", "--grpc-port", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-port", http.ToString(System.Globalization.CultureInfo.InvariantCulture), .. admission, .. args]), grpc, http);
        return (serve, await serve.WaitReadyAsync());
    }

    /// <summary>The CLI as a child process, stderr collected.</summary>
    public static Process Launch(IEnumerable<string> args)
    {
        var info = CliProcess.StartInfo(args);
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>True once gRPC answers; false if the child exited first (its stderr says why).</summary>
    private async Task<bool> WaitReadyAsync()
    {
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var client = new Diarizer.DiarizerClient(channel);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // stderr read to its end
                return false;
            }
            try
            {
                await client.ListSessionsAsync(new ListSessionsRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return true; // API keys are on: it answers
            }
            catch (RpcException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Sends SIGTERM to the child by its id.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit; a child still running after <paramref name="limit"/> fails the test (and is killed by its id).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"serve still running {limit.TotalSeconds} s after SIGTERM: " + StandardError);
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
