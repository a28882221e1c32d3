// Where the tests find the repository and the shared data beside it (../shared), from any build folder.
namespace StreamDiarize.TestSupport;

internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StreamDiarize.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("StreamDiarize.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string AmiDir => Path.Combine(Shared, "data", "ami");

    public static string Ami(string name) => Path.Combine(AmiDir, name);

    public static string RealDevDir => Path.Combine(Shared, "data", "real-dev");

    /// <summary>A file of the real-voice development conversations (../shared/data/real-dev).</summary>
    public static string RealDev(string name) => Path.Combine(RealDevDir, name);

    public static IReadOnlyList<string> AmiIds { get; } =
        ["dev00", "dev01", "trn00", "trn01", "trn02", "trn03", "trn04", "trn05", "trn06", "trn07", "trn08", "trn09"];

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempDir()
    {
        var path = Path.Combine(Path.GetTempPath(), "streamdiarize-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
