// How a diarization is scored: collars, overlap and where the speaker mapping is computed.
namespace StreamDiarize.Core.Scoring;

/// <summary>Where the optimal reference-to-hypothesis speaker mapping measures overlap.</summary>
public enum SpeakerMappingRegion
{
    /// <summary>
    /// Over all of the evaluated time, collars and overlap included (NIST md-eval computes the map before it cuts
    /// the no-score zones). The default: it reproduces the published AMI figures; see <see cref="DerScorer"/>.
    /// </summary>
    Evaluated,

    /// <summary>Only over the scored time, collars (and skipped overlap) removed, as pyannote.metrics does.</summary>
    Scored,
}

/// <summary>Scoring conventions. The defaults are md-eval's with no collar.</summary>
public sealed record DerOptions
{
    /// <summary>
    /// Seconds removed on EACH side of every reference segment boundary (md-eval's <c>-c</c>).
    /// 0.25 here is pyannote.metrics' <c>collar=0.5</c>, which is the total width.
    /// </summary>
    public double CollarSeconds { get; init; }

    /// <summary>Leave out the time where two or more reference speakers talk at once.</summary>
    public bool SkipOverlap { get; init; }

    public SpeakerMappingRegion MappingRegion { get; init; } = SpeakerMappingRegion.Evaluated;

    /// <exception cref="ArgumentOutOfRangeException">The collar is negative, NaN or infinite.</exception>
    public void Validate()
    {
        if (!double.IsFinite(CollarSeconds) || CollarSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CollarSeconds), CollarSeconds,
                "collar must be a finite number of seconds >= 0 (per side of each reference boundary; 0.25 is usual)");
        }
        if (!Enum.IsDefined(MappingRegion))
        {
            throw new ArgumentOutOfRangeException(nameof(MappingRegion), MappingRegion, "unknown speaker mapping region");
        }
    }
}
