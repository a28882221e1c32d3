// `streamdiarize watch [SESSION] --server URL`: follows a live session's events, or lists the live sessions.
using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Commands;

internal static class WatchCommand
{
    public static Command Create()
    {
        var session = new Argument<string?>("session") { Description = "The session id to follow; without it, the live sessions are listed.", Arity = ArgumentArity.ZeroOrOne };
        var server = new Option<string>("--server") { Description = "The daemon's gRPC address.", DefaultValueFactory = _ => StreamCommand.DefaultServer };
        var replay = new Option<bool>("--replay") { Description = "First print the session's final segments so far." };
        var rawEvents = new Option<bool>("--raw-events") { Description = "Print every event as it arrives, in words, instead of merged turns." };
        var apiKey = DaemonClient.ApiKeyOption();
        var command = new Command("watch", "Follow a live session on a running `streamdiarize serve`, or list the live sessions.") { session, server, replay, rawEvents, apiKey };
        command.SetAction(async (pr, ct) =>
        {
            var output = pr.InvocationConfiguration.Output;
            string url = pr.GetValue(server)!;
            try
            {
                using var channel = GrpcChannel.ForAddress(url);
                var client = DaemonClient.Create(channel, pr.GetValue(apiKey));
                if (pr.GetValue(session) is not { } id)
                {
                    var list = await client.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: ct).ConfigureAwait(false);
                    output.WriteLine(list.Sessions.Count == 0 ? "no live sessions" : "id                   started (UTC)        audio s  speakers  source  watchers");
                    foreach (var s in list.Sessions)
                    {
                        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-20} {1:yyyy-MM-dd HH:mm:ss}  {2,7:F1}  {3,8}  {4,-6}  {5,8}",
                            s.Id, s.StartTime.ToDateTime(), s.AudioSecondsReceived, s.SpeakersSoFar, s.Source, s.Watchers));
                    }
                    return 0;
                }
                using var call = client.Watch(new WatchRequest { SessionId = id, ReplayFinalSegments = pr.GetValue(replay) }, cancellationToken: ct);
                var text = new EventText(output, pr.GetValue(rawEvents));
                await foreach (var e in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    text.Show(e);
                }
                text.Flush();
                return 0;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
                return 0;
            }
            catch (RpcException ex)
            {
                return GrpcClientErrors.Report(ex, url, pr.InvocationConfiguration.Error);
            }
        });
        return command;
    }
}
