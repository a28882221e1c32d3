// The streamdiarize.v1.SpeakerProfiles service: enroll a person from streamed audio, list and delete profiles.
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

namespace StreamDiarize.Server.Profiles;

public sealed class SpeakerProfilesService(ProfileStores stores, FeatureVoiceModeller modeller) : SpeakerProfiles.SpeakerProfilesBase
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
        try
        {
            var enrollment = new ProfileEnrollment(store, modeller);
            var profile = enrollment.Enroll(config.Name, [clip], config.Replace, config.Metadata.Length > 0 ? config.Metadata : null);
            return ToWire(profile);
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
