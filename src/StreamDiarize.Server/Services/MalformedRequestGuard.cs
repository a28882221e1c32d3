// Refuses a single-message gRPC request (Watch, ListSessions) whose bytes are not a valid protobuf message with
// INVALID_ARGUMENT, before gRPC's own handler would log the parse failure as an error with a stack trace and answer UNKNOWN.
using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Services;

internal static class MalformedRequestGuard
{
    // The request messages are a session id and a flag: anything larger is not ours to parse.
    private const int MaxGuardedBytes = 64 * 1024;

    private static readonly Dictionary<string, (MessageParser Parser, string Name)> Parsers = new(StringComparer.Ordinal)
    {
        ["/streamdiarize.v1.Diarizer/Watch"] = (WatchRequest.Parser, nameof(WatchRequest)),
        ["/streamdiarize.v1.Diarizer/ListSessions"] = (ListSessionsRequest.Parser, nameof(ListSessionsRequest)),
    };

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!Parsers.TryGetValue(context.Request.Path.Value ?? "", out var expected) || context.Request.ContentLength > MaxGuardedBytes + 5)
        {
            await next().ConfigureAwait(false);
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);
        // gRPC framing: 1 byte compressed flag, 4 bytes big-endian length, the message. Compressed or odd frames are gRPC's to judge.
        if (bytes.Length >= 5 && bytes.Span[0] == 0 && BinaryPrimitives.ReadUInt32BigEndian(bytes.Span[1..5]) == bytes.Length - 5 && !Parses(expected.Parser, bytes[5..]))
        {
            GrpcStatusResponse.Write(context, Grpc.Core.StatusCode.InvalidArgument,
                $"the request is not a valid protobuf {expected.Name}: check that the client uses protos/streamdiarize/v1/diarizer.proto");
            return;
        }
        body.Position = 0;
        context.Request.Body = body;
        await next().ConfigureAwait(false);
    }

    private static bool Parses(MessageParser parser, ReadOnlyMemory<byte> message)
    {
        try
        {
            parser.ParseFrom(new System.Buffers.ReadOnlySequence<byte>(message));
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }
}
