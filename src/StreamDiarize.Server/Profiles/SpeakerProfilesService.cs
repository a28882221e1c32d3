// The streamdiarize.v1.SpeakerProfiles service: enroll a person from streamed audio or from a live session's time range,
// list and delete profiles.
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Speakers;
using StreamDiarize.Profiles;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Security;
using StreamDiarize.Server.Services;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Profiles;

public sealed class SpeakerProfilesService(ProfileStores stores, FeatureVoiceModeller modeller, SessionRegistry sessions, SessionLocator locator)
    : SpeakerProfiles.SpeakerProfilesBase
{
    /// <summary>Enrollment audio a call may send: a few minutes is plenty for a voice, and it is held in memory.</summary>
    public const double MaxEnrollmentSeconds = 300;

    public const int MaxMetadataLength = 1024;

    public override async Task<Protocol.V1.Profile> EnrollSpeaker(IAsyncStreamReader<EnrollRequest> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.PayloadCase != EnrollRequest.PayloadOneofCase.Config)
        {
            throw Invalid("the first message must be an EnrollConfig (config): the name and the audio format, then the audio as chunks");
        }
        var config = requestStream.Current.Config;
        var errors = new List<string>();
        if (ProfileNames.Problem(config.Name) is { } nameProblem)
        {
            errors.Add("name: " + nameProblem);
        }
        if (config.Metadata.Length > MaxMetadataLength)
        {
            errors.Add($"metadata is {config.Metadata.Length} characters long: use at most {MaxMetadataLength}");
        }
        var format = Services.SessionConfigReader.ReadFormat(config.Format, errors);
        if (errors.Count > 0)
        {
            throw Invalid("invalid EnrollConfig: " + string.Join("; ", errors));
        }
        // Opened before the audio is read, so a broken store fails the call before the client sends a minute of audio.
        var store = stores.For(ApiKeyAuthentication.TenantOf(context.GetHttpContext()));

        long maxBytes = (long)(MaxEnrollmentSeconds * format!.SampleRateHz * format.Channels * format.BytesPerSample);
        using var pcm = new MemoryStream();
        while (await requestStream.MoveNext(ct).ConfigureAwait(false))
        {
            var message = requestStream.Current;
            if (message.PayloadCase != EnrollRequest.PayloadOneofCase.Audio)
            {
                throw Invalid("only audio chunks may follow the EnrollConfig: enroll one person per call");
            }
            if (pcm.Length + message.Audio.Data.Length > maxBytes)
            {
                throw Invalid($"more than {MaxEnrollmentSeconds:F0} s of enrollment audio: a minute of speech is plenty; send less");
            }
            message.Audio.Data.WriteTo(pcm);
        }
        if (pcm.Length % (format.BytesPerSample * format.Channels) != 0)
        {
            throw Invalid($"the audio is {pcm.Length} bytes, not a whole number of {format.Channels}-channel {format.BytesPerSample}-byte samples: send whole frames");
        }
        pcm.Position = 0;
        AudioClip clip;
        try
        {
            clip = AudioLoader.LoadRaw(pcm, "enrollment audio", config.Name, format);
        }
        catch (AudioFormatException e)
        {
            throw Invalid(e.Message);
        }
        return Write(() => new ProfileEnrollment(store, modeller).Enroll(config.Name, [clip], config.Replace, config.Metadata.Length > 0 ? config.Metadata : null));
    }

    public override Task<Protocol.V1.Profile> EnrollFromSession(EnrollFromSessionRequest request, ServerCallContext context)
    {
        var errors = new List<string>();
        if (ProfileNames.Problem(request.Name) is { } nameProblem)
        {
            errors.Add("name: " + nameProblem);
        }
        if (request.SessionId.Length == 0)
        {
            errors.Add("session_id is empty: name the live session (ListSessions shows them)");
        }
        if (request.Speaker.Length == 0)
        {
            errors.Add("speaker is empty: give the session's speaker id as its Segment events carry it, such as S2");
        }
        double start = request.StartSeconds, end = request.EndSeconds;
        if (!double.IsFinite(start) || !double.IsFinite(end) || start < 0 || end <= start)
        {
            errors.Add($"start_seconds {start} and end_seconds {end} are not a range: give 0 <= start_seconds < end_seconds, in seconds of the session's stream time");
        }
        if (request.Metadata.Length > MaxMetadataLength)
        {
            errors.Add($"metadata is {request.Metadata.Length} characters long: use at most {MaxMetadataLength}");
        }
        if (errors.Count > 0)
        {
            throw Invalid("invalid EnrollFromSessionRequest: " + string.Join("; ", errors));
        }

        string tenant = ApiKeyAuthentication.TenantOf(context.GetHttpContext());
        string id = ClientText.Quote(request.SessionId);
        if (!sessions.TryGet(tenant, request.SessionId, out var session))
        {
            // Another tenant's session is not found either: its existence is not the caller's to learn.
            if (locator.List(tenant).FirstOrDefault(s => s.Id == request.SessionId) is { } elsewhere)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"session {id} runs on replica '{elsewhere.Replica}', which keeps its voices: send EnrollFromSession to that replica"));
            }
            throw new RpcException(new Status(StatusCode.NotFound,
                $"no live session {id}: enroll from a session while it runs (ListSessions shows them); a session's voices are gone when it ends"));
        }
        var voices = session.Voices ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
            $"session {id} keeps no voice history (the daemon's Server:Profiles:SessionHistorySeconds is 0, or its session factory keeps none): " +
            "enroll from audio with EnrollSpeaker, or ask the operator to set Server:Profiles:SessionHistorySeconds"));

        var (keptStart, keptEnd) = voices.Kept;
        double finalEnd = Math.Max(0, keptEnd - session.Started.SessionStarted.EffectiveConfig.LatencySeconds);
        double slack = voices.HopSeconds;
        if (start < keptStart - slack)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange,
                $"session {id} keeps the voices of its last {voices.CapacitySeconds:F0} s only, now {keptStart:F1}-{keptEnd:F1} s; {start:F1}-{end:F1} s starts before that: " +
                $"choose a range within it (or ask the operator to raise Server:Profiles:SessionHistorySeconds, {voices.CapacitySeconds:F0} s now)"));
        }
        if (end > finalEnd + slack)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange,
                $"session {id} has turns final up to {finalEnd:F1} s of its stream ({keptEnd:F1} s of audio diarized); {start:F1}-{end:F1} s ends after that: " +
                "end the range earlier, or wait until the session's audio has passed it by its latency"));
        }

        var turns = session.FinalSegments();
        var bySpeaker = voices.ModelSpeakers(turns, start, end);
        var stats = bySpeaker.GetValueOrDefault(request.Speaker);
        double seconds = (stats?.Count ?? 0) * voices.HopSeconds;
        var store = stores.For(tenant);
        var enrollment = new ProfileEnrollment(store, modeller);
        if (seconds < enrollment.MinSpeechSeconds)
        {
            string who = bySpeaker.Count == 0
                ? "no one has final turns there"
                : "in that range " + string.Join(", ", bySpeaker.OrderByDescending(kv => kv.Value.Count).Select(kv => $"{kv.Key} has {kv.Value.Count * voices.HopSeconds:F1} s"));
            throw Invalid(
                $"speaker {ClientText.Quote(request.Speaker)} has {seconds:F1} s of speech of its own in {start:F1}-{end:F1} s of session {id} (its final turns, overlap left out); " +
                $"a profile needs at least {enrollment.MinSpeechSeconds:F0} s: widen the range or check the speaker id ({who})");
        }
        return Task.FromResult(Write(() => enrollment.EnrollModel(request.Name, stats!, seconds, request.Replace, request.Metadata.Length > 0 ? request.Metadata : null)));
    }

    /// <summary>One enrollment's write, its refusals as gRPC statuses: nothing is written on any of them.</summary>
    private static Protocol.V1.Profile Write(Func<VoiceProfile> enroll)
    {
        try
        {
            return ToWire(enroll());
        }
        catch (EnrollmentException e)
        {
            throw Invalid(e.Message);
        }
        catch (ProfileKindMismatchException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message.Replace("(--replace)", "(replace)", StringComparison.Ordinal)));
        }
        catch (ProfileStoreException e)
        {
            throw ProfileStores.Unavailable(e);
        }
    }

    public override Task<ListProfilesResponse> ListProfiles(ListProfilesRequest request, ServerCallContext context)
    {
        var store = stores.For(ApiKeyAuthentication.TenantOf(context.GetHttpContext()));
        try
        {
            var response = new ListProfilesResponse();
            response.Profiles.AddRange(store.List().Select(ToWire));
            return Task.FromResult(response);
        }
        catch (ProfileStoreException e)
        {
            throw ProfileStores.Unavailable(e);
        }
    }

    public override Task<DeleteProfileResponse> DeleteProfile(DeleteProfileRequest request, ServerCallContext context)
    {
        var store = stores.For(ApiKeyAuthentication.TenantOf(context.GetHttpContext()));
        try
        {
            if (!store.Remove(request.Name))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"no profile named {ClientText.Quote(request.Name)}: ListProfiles shows the names"));
            }
            return Task.FromResult(new DeleteProfileResponse());
        }
        catch (ProfileStoreException e)
        {
            throw ProfileStores.Unavailable(e);
        }
    }

    /// <summary>The profiles a session's known_speakers chooses (none for an empty list); INVALID_ARGUMENT naming the field otherwise.</summary>
    public static IReadOnlyList<VoiceProfile> Resolve(ProfileStores stores, string tenant, IReadOnlyList<string> knownSpeakers)
    {
        if (knownSpeakers.Count == 0)
        {
            return [];
        }
        var store = stores.For(tenant);
        try
        {
            return KnownSpeakers.Select(store, knownSpeakers, FeatureVoiceModeller.KindName);
        }
        catch (EnrollmentException e)
        {
            throw Invalid("invalid SessionConfig: known_speakers: " + e.Message.Replace($" in '{store.Location}'", "", StringComparison.Ordinal));
        }
        catch (ProfileStoreException e)
        {
            throw ProfileStores.Unavailable(e);
        }
    }

    private static Protocol.V1.Profile ToWire(VoiceProfile p) => new()
    {
        Name = p.Name,
        Kind = p.Kind,
        SpeechSeconds = p.SpeechSeconds,
        Clips = p.Clips,
        Updated = Timestamp.FromDateTimeOffset(p.UpdatedUtc),
        Metadata = p.Metadata ?? "",
    };

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
