// The factory the integration tests use: whatever ServerHost registers by default (the real live diarizer).
using Microsoft.Extensions.DependencyInjection;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Server.Tests;

internal static class IntegrationFactory
{
    /// <summary>The factory ServerHost.AddDiarizerServer registers: the live default diarizer.</summary>
    public static ISessionComponentsFactory Default()
    {
        var services = new ServiceCollection();
        ServerHost.AddDiarizerServer(services, new ServerOptions());
        return services.BuildServiceProvider().GetRequiredService<ISessionComponentsFactory>();
    }

    /// <summary>The factories a system-level test runs against: the scripted unit factory and the server's default.</summary>
    public static TheoryData<string> Names => ["scripted", "default"];

    public static ISessionComponentsFactory ByName(string name) => name == "scripted" ? new ScriptedSessionFactory() : Default();
}
