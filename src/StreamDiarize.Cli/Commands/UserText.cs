// An exception's message as a user should read it: without .NET's "(Parameter 'x')" suffix.
namespace StreamDiarize.Cli.Commands;

internal static class UserText
{
    /// <summary>Prints each problem of bad settings on its own "error:" line.</summary>
    public static void Report(Core.Options.OptionsValidationException ex, TextWriter error)
    {
        foreach (var problem in ex.Errors)
        {
            error.WriteLine("error: " + problem);
        }
    }

    /// <summary>The message up to .NET's " (Parameter 'x')" suffix, which an out-of-range argument follows with "Actual value was ...".</summary>
    public static string Of(Exception ex)
    {
        if (ex is ArgumentException { ParamName: { } name } && ex.Message.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal) is var cut and >= 0)
        {
            return ex.Message[..cut];
        }
        return ex.Message;
    }
}
