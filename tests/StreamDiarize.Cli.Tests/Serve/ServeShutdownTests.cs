// SIGTERM on a real `serve` process: open calls are ended by the server (not by a reset) and the process exits.
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Tests.Serve;

public sealed class ServeShutdownTests
{
    [Fact]
    public async Task SIGTERM_with_a_silent_call_and_a_live_session_ends_both_cleanly_and_exits_zero()
    {
        await using var serve = await ServeProcess.StartAsync("--Server:ShutdownGraceSeconds=3", "--Server:IdleTimeoutSeconds=600");
        using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
        var client = new Diarizer.DiarizerClient(channel);

        // A call that never sends anything (this held shutdown for 30 s, then got a reset).
        using var silent = client.Diarize();
        // A session in the middle of its audio, never half-closed.
        using var live = client.Diarize();
        await live.RequestStream.WriteAsync(new DiarizeRequest
        {
            Config = new SessionConfig { SessionId = "live", Format = new AudioFormat { Encoding = AudioEncoding.PcmS16Le, SampleRateHz = 16000, Channels = 1 } },
        });
        await live.RequestStream.WriteAsync(new DiarizeRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(new byte[32000]) } });
        Assert.True(await live.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionStarted, live.ResponseStream.Current.EventCase);

        serve.Terminate();

        var silentEnd = await Assert.ThrowsAsync<RpcException>(() => ReadAll(silent.ResponseStream));
        Assert.Equal(StatusCode.Unavailable, silentEnd.StatusCode);
        Assert.Contains("the server is shutting down", silentEnd.Status.Detail);
        var events = await ReadAll(live.ResponseStream);
        Assert.Equal(EndReason.ServerShutdown, events[^1].SessionEnded.Reason);
        Assert.Equal(StatusCode.OK, live.GetStatus().StatusCode);
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    private static async Task<List<DiarizeEvent>> ReadAll(IAsyncStreamReader<DiarizeEvent> stream)
    {
        var events = new List<DiarizeEvent>();
        await foreach (var e in stream.ReadAllAsync())
        {
            events.Add(e);
        }
        return events;
    }
}
