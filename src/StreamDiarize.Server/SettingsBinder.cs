// Binds one configuration section strictly and validates it: the one bind-and-validate step of the daemon and the CLI.
using Microsoft.Extensions.Configuration;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Server;

public static class SettingsBinder
{
    /// <summary>
    /// The section <paramref name="section"/> of <paramref name="config"/> as <typeparamref name="T"/>: unknown keys and
    /// unparsable values are errors, then the settings' own <see cref="IValidatedSettings.GetValidationErrors"/>.
    /// </summary>
    /// <exception cref="OptionsValidationException">Every problem found, each naming the section.</exception>
    public static T Bind<T>(IConfiguration config, string section) where T : IValidatedSettings, new()
    {
        var settings = new T();
        try
        {
            config.GetSection(section).Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException([Describe(ex, section)]);
        }
        OptionsValidationException.ThrowIfAny(settings.GetValidationErrors());
        return settings;
    }

    private static string Describe(Exception ex, string section)
    {
        // The binder nests the real cause (e.g. a FormatException for "abc" in an int) inside its own message.
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }
        return $"{section}: {string.Join(" ", messages.Distinct())}";
    }
}
