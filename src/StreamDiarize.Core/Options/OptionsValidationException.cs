// Thrown when an options object fails validation; carries every error at once so a config is fixed in one pass.
namespace StreamDiarize.Core.Options;

/// <summary>One or more option values are invalid; <see cref="Errors"/> lists each of them.</summary>
public sealed class OptionsValidationException : Exception
{
    public OptionsValidationException(IReadOnlyList<string> errors)
        : base(string.Join("; ", errors ?? throw new ArgumentNullException(nameof(errors))))
    {
        Errors = errors;
    }

    /// <summary>Every validation error, each saying what was wrong and what to do.</summary>
    public IReadOnlyList<string> Errors { get; }
}
