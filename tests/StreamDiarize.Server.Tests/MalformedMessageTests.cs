// Bytes that are not a valid protobuf message, sent straight to the daemon's methods: INVALID_ARGUMENT, no error-level stack trace.
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamDiarize.Server.Tests;

public sealed class MalformedMessageTests
{
    // A field 1 (length-delimited) that claims 100 bytes and carries 3: no protobuf parser accepts it.
    private static readonly byte[] Garbage = [0x0A, 0x64, 0x01, 0x02, 0x03];

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    [Fact]
    public async Task A_malformed_Diarize_message_is_invalid_argument_without_an_error_log()
    {
        var logs = new CollectingLoggerProvider();
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), s => s.AddLogging(l => l.AddProvider(logs)));
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "streamdiarize.v1.Diarizer", "Diarize", Raw, Raw);
        using var call = daemon.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, new CallOptions());
        try
        {
            await call.RequestStream.WriteAsync(Garbage);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The status is what matters.
        }
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("not a valid protobuf DiarizeRequest", ex.Status.Detail);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("ListSessions", MethodType.Unary)]
    [InlineData("Watch", MethodType.ServerStreaming)]
    public async Task A_malformed_request_to_a_single_message_method_is_invalid_argument_without_an_error_log(string name, MethodType type)
    {
        var logs = new CollectingLoggerProvider();
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), s => s.AddLogging(l => l.AddProvider(logs)));
        var invoker = daemon.Channel.CreateCallInvoker();
        var method = new Method<byte[], byte[]>(type, "streamdiarize.v1.Diarizer", name, Raw, Raw);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            if (type == MethodType.Unary)
            {
                await invoker.AsyncUnaryCall(method, null, new CallOptions(), Garbage);
            }
            else
            {
                using var call = invoker.AsyncServerStreamingCall(method, null, new CallOptions(), Garbage);
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("not a valid protobuf", ex.Status.Detail);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_valid_Watch_request_still_reaches_the_service_through_the_guard()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = daemon.Client.Watch(new StreamDiarize.Protocol.V1.WatchRequest { SessionId = "absent" });

        var ex = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(call.ResponseStream));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }
}
