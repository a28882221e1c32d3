// Every refusal of the daemon: the gRPC status code, and a message that says what to do.
using Google.Protobuf;
using Grpc.Core;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class ErrorTests
{
    private static async Task<RpcException> DiarizeFails(DaemonHost daemon, params DiarizeRequest[] requests)
    {
        using var call = daemon.Client.Diarize();
        try
        {
            foreach (var r in requests)
            {
                await call.RequestStream.WriteAsync(r);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call before every write lands; the status is what matters.
        }
        return await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));
    }

    private static DiarizeRequest Config(SessionConfig c) => new() { Config = c };

    [Fact]
    public async Task Audio_before_the_config_is_invalid_argument_saying_send_config_first()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var ex = await DiarizeFails(daemon, TestAudio.Chunk(new float[160]));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("first message must be a SessionConfig", ex.Status.Detail);
        Assert.Contains("send config first", ex.Status.Detail);
    }

    [Fact]
    public async Task A_second_config_is_invalid_argument_saying_to_open_a_new_call()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var ex = await DiarizeFails(daemon, Config(TestAudio.F32Config()), Config(TestAudio.F32Config()));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("open a new call", ex.Status.Detail);
    }

    [Fact]
    public async Task An_invalid_config_names_every_bad_field_and_its_allowed_range()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var config = new SessionConfig
        {
            Format = new AudioFormat { Encoding = AudioEncoding.Unspecified, SampleRateHz = 0, Channels = 9 },
            LatencySeconds = 0.1,
            MaxSpeakers = 0,
            Embedder = "magic",
        };
        var ex = await DiarizeFails(daemon, Config(config));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("format.encoding", ex.Status.Detail);
        Assert.Contains("PCM_S16LE or PCM_F32LE", ex.Status.Detail);
        Assert.Contains("format.sample_rate_hz: sample rate 0 Hz is invalid: give the rate of the PCM you send, 8000 to 48000", ex.Status.Detail);
        Assert.Contains("format.channels: channel count 9 is invalid: give 1 to 8", ex.Status.Detail);
        Assert.Contains("latency_seconds: latency 0.1 s is invalid: use 0.25 to 10 seconds", ex.Status.Detail);
        Assert.Contains("max_speakers", ex.Status.Detail);
        Assert.Contains("embedder 'magic' is not a model this server offers: choose 'features' (this server declares no models)", ex.Status.Detail);
    }

    [Fact]
    public async Task A_config_without_a_format_is_invalid_argument_listing_what_to_give()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var ex = await DiarizeFails(daemon, Config(new SessionConfig()));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("format is missing", ex.Status.Detail);
    }

    [Fact]
    public async Task Seven_bytes_of_s16le_mono_are_invalid_argument_saying_send_whole_samples()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var config = new SessionConfig { Format = new AudioFormat { Encoding = AudioEncoding.PcmS16Le, SampleRateHz = 16000, Channels = 1 } };
        var ex = await DiarizeFails(daemon, Config(config), new DiarizeRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(new byte[7]) } });

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("audio chunk of 7 bytes is not a whole number of PCM_S16LE frames (2 bytes x 1 channel): send whole samples", ex.Status.Detail);
    }

    [Fact]
    public async Task A_session_over_MaxSessions_is_resource_exhausted_naming_the_limit()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:MaxSessions", "1"));
        using var first = daemon.Client.Diarize();
        await first.RequestStream.WriteAsync(Config(TestAudio.F32Config("holder")));
        Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None)); // SessionStarted: the slot is taken

        var ex = await DiarizeFails(daemon, Config(TestAudio.F32Config("second")));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("limit of 1 sessions (Server:MaxSessions): retry later, or raise the limit", ex.Status.Detail);
        await first.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_chunk_over_MaxMessageBytes_is_resource_exhausted_saying_send_smaller_chunks()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:MaxMessageBytes", "4096"));
        var ex = await DiarizeFails(daemon, Config(TestAudio.F32Config()), TestAudio.Chunk(new float[2048]));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("8192 bytes is over the limit of 4096 (Server:MaxMessageBytes): send smaller chunks", ex.Status.Detail);
    }

    [Fact]
    public async Task Watching_an_unknown_session_is_not_found_saying_call_ListSessions()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = daemon.Client.Watch(new WatchRequest { SessionId = "nobody" });
        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("no live session 'nobody': call ListSessions", ex.Status.Detail);
    }

    [Fact]
    public async Task A_session_id_already_live_is_already_exists()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var first = daemon.Client.Diarize();
        await first.RequestStream.WriteAsync(Config(TestAudio.F32Config("same")));
        Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));

        var ex = await DiarizeFails(daemon, Config(TestAudio.F32Config("same")));

        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Contains("pick another id", ex.Status.Detail);
        await first.RequestStream.CompleteAsync();
    }
}
