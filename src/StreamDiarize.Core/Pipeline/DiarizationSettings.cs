// Everything `file`, `stream` and the server need to build a diarizer, as bound from config/appsettings.json.
namespace StreamDiarize.Core.Pipeline;

public enum DiarizationMethod
{
    /// <summary>The product default: speech detection, MFCC window statistics and agglomerative clustering.</summary>
    Default,

    /// <summary>The seed tutorial's frame-level spectral clustering (the baseline).</summary>
    Seed,
}

public sealed record DiarizationSettings : Options.IValidatedSettings
{
    public DiarizationMethod Method { get; init; } = DiarizationMethod.Default;

    public DefaultDiarizerOptions Default { get; init; } = new();

    public SeedDiarizerOptions Seed { get; init; } = new();

    /// <summary>Schedule and bounds of live sessions (their stages are <see cref="Default"/>'s).</summary>
    public Streaming.OnlineDiarizerOptions Streaming { get; init; } = new();

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Method))
        {
            errors.Add($"Method {Method} is invalid: use {string.Join(" or ", Enum.GetNames<DiarizationMethod>())}");
        }
        errors.AddRange(Default.GetValidationErrors().Select(e => "Default." + e));
        errors.AddRange(Seed.GetValidationErrors());
        errors.AddRange(Streaming.GetValidationErrors().Select(e => "Streaming." + e));
        return errors;
    }
}
