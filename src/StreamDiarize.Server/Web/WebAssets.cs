// The live page's files (HTML, CSS, JS), embedded in this assembly so the daemon serves them with no files on disk and no build step.
using System.Collections.Frozen;
using System.Reflection;

namespace StreamDiarize.Server.Web;

/// <summary>Every file under Web/wwwroot, read once from the assembly's resources, by request path ("/live.js").</summary>
public static class WebAssets
{
    private const string ResourcePrefix = "StreamDiarize.Server.Web.wwwroot.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, Asset>> All = new(Load);

    /// <summary>Request paths of every asset, e.g. "/index.html".</summary>
    public static IEnumerable<string> Paths => All.Value.Keys;

    public static bool TryGet(string path, out Asset asset) => All.Value.TryGetValue(path, out asset!);

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            string file = name[ResourcePrefix.Length..];
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            assets["/" + file] = new Asset(Read(assembly, name), type);
        }
        if (!assets.ContainsKey("/index.html"))
        {
            // A build that lost the EmbeddedResource items would otherwise serve 404s with no clue why.
            throw new InvalidOperationException($"the live page is missing from {assembly.GetName().Name}: Web/wwwroot/*.html must be embedded (see the .csproj)");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>One embedded file and its Content-Type.</summary>
public sealed record Asset(byte[] Content, string ContentType);
