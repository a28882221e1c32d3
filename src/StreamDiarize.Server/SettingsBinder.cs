// Binds one configuration section strictly and validates it: the one bind-and-validate step of the daemon and the CLI.
using Microsoft.Extensions.Configuration;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Server;

public static partial class SettingsBinder
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
        // The binder's messages name .NET types and its own options; say instead which key is wrong and what it takes.
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (UnknownKeys().Match(e.Message) is { Success: true } unknown)
            {
                var keys = unknown.Groups["keys"].Value.Split(',', StringSplitOptions.TrimEntries).Select(k => k.Trim('\''));
                var known = KnownKeys(unknown.Groups["type"].Value);
                string group = unknown.Groups["type"].Value.Split('.', '+')[^1].Replace("Settings", "", StringComparison.Ordinal).Replace("Options", "", StringComparison.Ordinal);
                return $"{section}: {string.Join(", ", keys)} is not a setting" +
                       (known.Count > 0 ? $"; the {group} settings there are {string.Join(", ", known)}" : "") +
                       " (config/appsettings.json lists every setting with its default)";
            }
            if (Unconvertible().Match(e.Message) is { Success: true } bad)
            {
                string type = bad.Groups["type"].Value;
                string wanted = type switch
                {
                    "System.Int32" or "System.Int64" => "a whole number",
                    "System.Double" or "System.Single" => "a number such as 0.5",
                    "System.Boolean" => "true or false",
                    "System.TimeSpan" => "a duration such as 00:00:30",
                    _ when KnownKeys(type) is { Count: 0 } && Type(type) is { IsEnum: true } t => "one of " + string.Join(", ", Enum.GetNames(t)),
                    _ => "a value of the kind its default in config/appsettings.json has",
                };
                return $"{bad.Groups["key"].Value} '{bad.Groups["value"].Value}' is invalid: give {wanted}";
            }
        }
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }
        return $"{section}: {string.Join(" ", messages.Distinct())}";
    }

    private static Type? Type(string fullName) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is not null);

    /// <summary>The settable properties of a settings type, the keys a section of that type takes.</summary>
    private static List<string> KnownKeys(string typeName) =>
        Type(typeName) is { IsEnum: false } t && !t.IsPrimitive && t != typeof(string)
            ? t.GetProperties().Where(p => p.CanWrite || p.PropertyType.IsClass && p.PropertyType != typeof(string)).Select(p => p.Name).Order(StringComparer.Ordinal).ToList()
            : [];

    [System.Text.RegularExpressions.GeneratedRegex(@"properties were not found on the instance of (?<type>[\w.+]+): (?<keys>.+)$")]
    private static partial System.Text.RegularExpressions.Regex UnknownKeys();

    [System.Text.RegularExpressions.GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial System.Text.RegularExpressions.Regex Unconvertible();
}
