// `stream` and `watch` against the real daemon on loopback: a clip in, events printed, the final RTTM written.
using System.Net;
using System.Net.Sockets;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Cli.Tests.Serve;
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

    [Fact]
    public async Task Stream_sends_a_clip_prints_its_events_and_writes_final_turns_that_score_like_the_live_file_path()
    {
        var (app, url) = await InProcessDaemon.StartAsync();
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
        var (app, url) = await InProcessDaemon.StartAsync();
        await using var _ = app;

        var (listCode, listOutput, listError) = await Task.Run(() => CliRunner.Invoke("watch", "--server", url));
        Assert.True(listCode == 0, listError);
        Assert.Contains("no live sessions", listOutput, StringComparison.OrdinalIgnoreCase);

        var (code, _, error) = await Task.Run(() => CliRunner.Invoke("watch", "nobody", "--server", url));
        Assert.NotEqual(0, code);
        Assert.Contains("nobody", error);
    }

    [Fact]
    public async Task Enroll_from_a_live_session_takes_its_speakers_turns_in_the_range_and_an_unknown_session_is_refused()
    {
        string data = RepoPaths.NewTempDir();
        var (app, url) = await InProcessDaemon.StartAsync(new KeyValuePair<string, string?>("Server:DataDirectory", data));
        await using var _ = app;
        // The first minute of a real two-person conversation, the session left open (its voices go when it ends).
        var clip = StreamDiarize.Audio.AudioLoader.LoadWav(RepoPaths.RealDev("dev_2spk_3min.wav"));
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(url);
        using var call = new Protocol.V1.Diarizer.DiarizerClient(channel).Diarize();
        await call.RequestStream.WriteAsync(new Protocol.V1.DiarizeRequest { Config = new Protocol.V1.SessionConfig
        {
            SessionId = "cli-live",
            Format = new Protocol.V1.AudioFormat { Encoding = Protocol.V1.AudioEncoding.PcmF32Le, SampleRateHz = 16000, Channels = 1 },
        } });
        for (int start = 0; start < 60 * 16000; start += 1600)
        {
            var bytes = new byte[1600 * 4];
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(clip.Samples.AsSpan(start, 1600)).CopyTo(bytes);
            await call.RequestStream.WriteAsync(new Protocol.V1.DiarizeRequest { Audio = new Protocol.V1.AudioChunk { Data = Google.Protobuf.ByteString.CopyFrom(bytes) } });
        }
        var finals = new List<Protocol.V1.Segment>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (call.ResponseStream.Current.Segment is { IsFinal: true } segment)
            {
                finals.Add(segment);
                if (segment.EndSeconds > 51)
                {
                    break;
                }
            }
        }
        string most = finals.Where(s => s.EndSeconds <= 50).GroupBy(s => s.Speaker).MaxBy(g => g.Sum(s => s.EndSeconds - s.StartSeconds))!.Key;

        var (code, output, error) = await Task.Run(() => CliRunner.Invoke("enroll", "Pat", "--session", "cli-live", "--speaker", most, "--from", "0", "--to", "50", "--server", url));
        var (missingCode, _, missingError) = await Task.Run(() => CliRunner.Invoke("enroll", "Pat", "--session", "nobody", "--speaker", "S0", "--to", "10", "--server", url));
        var (usageCode, _, usageError) = await Task.Run(() => CliRunner.Invoke("enroll", "Pat", "--session", "cli-live", "--speaker", most, "--server", url));
        await call.RequestStream.CompleteAsync();

        Assert.True(code == 0, error + output);
        Assert.Contains("enrolled Pat:", output);
        Assert.Equal(StreamDiarize.Cli.Commands.GrpcClientErrors.Refused, missingCode);
        Assert.Contains("error (NotFound): no live session 'nobody'", missingError);
        Assert.Equal(2, usageCode);
        Assert.Contains("--session ID --speaker S2 --from S --to S", usageError);
        // The daemon's store, the one `enroll --list --data` reads.
        var (listCode, listOutput, _) = CliRunner.Invoke("enroll", "--list", "--data", data);
        Assert.Equal(0, listCode);
        Assert.Contains("Pat", listOutput);
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Stream_and_watch_send_the_api_key_and_without_it_say_the_key_is_missing()
    {
        const string key = "cli-key-123";
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        var (app, url) = await InProcessDaemon.StartAsync(new("Server:Auth:Keys:cli:Sha256", hash), new("Server:Auth:Keys:cli:Tenant", "cli"));
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
