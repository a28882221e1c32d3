// The one exception for bad settings (library, CLI and server alike): every problem at once, so a user fixes them in one pass.
using System.Text;

namespace StreamDiarize.Core.Options;

/// <summary>Settings that list their own problems; the one validation method of every options type.</summary>
public interface IValidatedSettings
{
    /// <summary>Every problem, each saying what was wrong and what is allowed; empty when the settings are valid.</summary>
    IReadOnlyList<string> GetValidationErrors();
}

/// <summary>
/// Every validation error of some settings. Each error says what was wrong and the allowed range,
/// so the message alone is enough to fix the configuration. The CLI prints the message and exits with 2; the server
/// refuses to start with it, or answers INVALID_ARGUMENT.
/// </summary>
public sealed class OptionsValidationException : Exception
{
    public OptionsValidationException(IReadOnlyList<string> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    public OptionsValidationException()
        : this([])
    {
    }

    public OptionsValidationException(string message)
        : this([message])
    {
    }

    public OptionsValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }

    /// <summary>Throws when <paramref name="errors"/> is not empty; the common end of every <c>Validate()</c>.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
    }

    private static string BuildMessage(IReadOnlyList<string> errors)
    {
        var sb = new StringBuilder("invalid configuration:");
        foreach (var e in errors)
        {
            sb.AppendLine().Append("  - ").Append(e);
        }
        return sb.ToString();
    }
}
