// Thrown when an options object is invalid; carries every problem at once so a user fixes them in one pass.
using System.Text;

namespace StreamDiarize.Core.Options;

/// <summary>
/// Every validation error of an options object. Each error says what was wrong and the allowed range,
/// so the message alone is enough to fix the configuration.
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
        if (errors.Count == 0)
        {
            return "Invalid options.";
        }
        var sb = new StringBuilder();
        sb.Append(errors.Count == 1 ? "1 invalid option:" : $"{errors.Count} invalid options:");
        foreach (var e in errors)
        {
            sb.AppendLine().Append(" - ").Append(e);
        }
        return sb.ToString();
    }
}
