// How `stream` and `watch` reach the daemon: its address, and the API key (--api-key or STREAMDIARIZE_API_KEY) sent with every call.
using System.CommandLine;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Commands;

internal static class DaemonClient
{
    public const string ApiKeyVariable = "STREAMDIARIZE_API_KEY";

    public static Option<string?> ApiKeyOption() => new("--api-key")
    {
        Description = $"The daemon's API key, when it has keys on (default: ${ApiKeyVariable}; an environment variable keeps it out of the process list).",
    };

    /// <summary>A client whose every call carries `authorization: Bearer KEY` when a key is given.</summary>
    public static Diarizer.DiarizerClient Create(GrpcChannel channel, string? apiKey) => new(Invoker(channel, apiKey));

    /// <summary>The channel's calls, each with `authorization: Bearer KEY` when a key is given (any service's client takes it).</summary>
    public static CallInvoker Invoker(GrpcChannel channel, string? apiKey)
    {
        apiKey ??= Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            return channel.CreateCallInvoker();
        }
        return channel.Intercept(metadata =>
        {
            metadata.Add("authorization", "Bearer " + apiKey.Trim());
            return metadata;
        });
    }
}
