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

    public static string Of(Exception ex) =>
        ex is ArgumentException { ParamName: { } name } ? ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : ex.Message;
}
