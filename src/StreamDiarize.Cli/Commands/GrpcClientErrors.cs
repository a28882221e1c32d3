// What `stream` and `watch` say when a call fails, and the exit code they return.
using Grpc.Core;

namespace StreamDiarize.Cli.Commands;

internal static class GrpcClientErrors
{
    public const int Unreachable = 3;
    public const int Refused = 1;

    public static int Report(RpcException ex, string server, TextWriter error)
    {
        if (ex.StatusCode == StatusCode.Unavailable)
        {
            error.WriteLine($"error: cannot reach {server}: is `streamdiarize serve` running?");
            return Unreachable;
        }
        error.WriteLine($"error ({ex.StatusCode}): {ex.Status.Detail}");
        return Refused;
    }
}
