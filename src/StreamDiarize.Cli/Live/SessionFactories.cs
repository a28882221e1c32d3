// The one place live commands (mic) get their per-session analyzer and diarizer from: the live default diarizer.
using StreamDiarize.Cli.Configuration;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Cli.Live;

internal static class SessionFactories
{
    private static readonly Lazy<ISessionComponentsFactory> Configured = new(() =>
    {
        // The embedded defaults with STREAMDIARIZE__ overrides; the same stages `file` and `serve` use.
        var settings = SettingsLoader.Load(null, []);
        return new DefaultSessionFactory(settings.Default, settings.Streaming);
    });

    public static ISessionComponentsFactory Default => Configured.Value;
}
