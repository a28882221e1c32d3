// `stream` and `watch` against the real daemon on loopback: a clip in, events printed, the final RTTM written.
using System.Net;
using System.Net.Sockets;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Server;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public sealed class StreamWatchCommandTests
{
    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static async Task<(Microsoft.AspNetCore.Builder.WebApplication App, string Url)> StartDaemonAsync(params KeyValuePair<string, string?>[] settings)
    {
        int grpc = FreePort(), http = FreePort();
        var app = ServerHost.Build([], new ServerHostOptions
        {
            Overrides =
            [
                new("Server:Host", "127.0.0.1"),
                new("Server:GrpcPort", grpc.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Server:HttpPort", http.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("Logging:LogLevel:Default", "Warning"),
                .. settings,
            ],
        });
        await app.StartAsync();
        return (app, $"http://127.0.0.1:{grpc}");
    }

    [Fact]
    public async Task Stream_sends_a_clip_prints_its_events_and_writes_final_turns_that_score_like_the_live_file_path()
    {
        var (app, url) = await StartDaemonAsync();
        await using var _ = app;
        var dir = RepoPaths.NewTempDir();

        var (code, output, error) = await Task.Run(() => CliRunner.Invoke("stream", RepoPaths.Ami("trn05.wav"), "--server", url, "--out", dir, "--session-id", "cli-test"));

        Assert.True(code == 0, error + output);
        Assert.Contains("cli-test", output);
        Assert.Contains("ended", output);
        var streamed = Rttm.ReadFile(Path.Combine(dir, "trn05.rttm"))["trn05"];
        var (liveCode, _, liveError) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--streaming", "--out", Path.Combine(dir, "live"));
        Assert.True(liveCode == 0, liveError);
        var live = Rttm.ReadFile(Path.Combine(dir, "live", "trn05.rttm"))["trn05"];
        var truth = Rttm.ReadFile(RepoPaths.Ami("trn05.rttm"))["trn05"];
        var options = new DerOptions { CollarSeconds = 0.25 };
        Assert.Equal(DerScorer.Score("trn05", truth, live, options).Der, DerScorer.Score("trn05", truth, streamed, options).Der, 3);
    }

    [Fact]
    public async Task Watch_without_a_session_lists_none_and_with_an_unknown_id_says_where_to_find_ids()
    {
        var (app, url) = await StartDaemonAsync();
        await using var _ = app;

        var (listCode, listOutput, listError) = await Task.Run(() => CliRunner.Invoke("watch", "--server", url));
        Assert.True(listCode == 0, listError);
        Assert.Contains("no live sessions", listOutput, StringComparison.OrdinalIgnoreCase);

        var (code, _, error) = await Task.Run(() => CliRunner.Invoke("watch", "nobody", "--server", url));
        Assert.NotEqual(0, code);
        Assert.Contains("nobody", error);
    }

    [Fact]
    public async Task Stream_and_watch_send_the_api_key_and_without_it_say_the_key_is_missing()
    {
        const string key = "cli-key-123";
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        var (app, url) = await StartDaemonAsync(new("Server:Auth:Keys:cli:Sha256", hash), new("Server:Auth:Keys:cli:Tenant", "cli"));
        await using var _ = app;
        var dir = RepoPaths.NewTempDir();

        var (refusedCode, _, refusedError) = await Task.Run(() => CliRunner.Invoke("watch", "--server", url));
        var (code, output, error) = await Task.Run(() => CliRunner.Invoke("stream", RepoPaths.Ami("trn05.wav"), "--server", url, "--api-key", key, "--out", dir));
        var (listCode, _, listError) = await Task.Run(() => CliRunner.Invoke("watch", "--server", url, "--api-key", key));

        Assert.Equal(StreamDiarize.Cli.Commands.GrpcClientErrors.Refused, refusedCode);
        Assert.Contains("error (Unauthenticated): no API key", refusedError);
        Assert.True(code == 0, error + output);
        Assert.True(File.Exists(Path.Combine(dir, "trn05.rttm")));
        Assert.True(listCode == 0, listError);
    }

    [Fact]
    public void Stream_to_an_unreachable_server_says_to_start_serve()
    {
        var (code, _, error) = CliRunner.Invoke("stream", RepoPaths.Ami("trn05.wav"), "--server", $"http://127.0.0.1:{FreePort()}");
        Assert.Equal(3, code);
        Assert.Contains("streamdiarize serve", error);
    }
}
