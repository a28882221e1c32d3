// A real `nats-server -js` child process on a free loopback port with its own store folder, stopped by its id.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.ScaleOut;

internal sealed class NatsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _storeDir;

    private NatsServer(Process process, int port, string storeDir)
    {
        _process = process;
        Port = port;
        _storeDir = storeDir;
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>nats-server on PATH or in /usr/sbin (Debian's package puts it there), or null.</summary>
    public static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/usr/local/sbin");
        return dirs.Select(d => Path.Combine(d, "nats-server")).FirstOrDefault(File.Exists);
    }

    /// <summary>Skips locally, fails with CI=true, when nats-server is not installed.</summary>
    public static string Require()
    {
        var path = Find();
        if (path is null)
        {
            const string problem = "nats-server is not installed: apt-get install nats-server";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail("CI=true and " + problem);
            }
            Skip.If(true, problem);
        }
        return path!;
    }

    public static async Task<NatsServer> StartAsync()
    {
        string exe = Require();
        int port = FreePort();
        string store = RepoPaths.NewTempDir();
        var info = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-js", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", store })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new NatsServer(process, port, store);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(process.HasExited, "nats-server exited at start");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
            {
                await kill.WaitForExitAsync();
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_storeDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
