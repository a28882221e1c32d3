// deploy/kubernetes checked by deploy/kubernetes/validate (Node, kubernetes-models' OpenAPI schemas, and cross-checks).
using System.Diagnostics;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Deploy;

public sealed class KubernetesManifestTests
{
    private static string Manifests => Path.Combine(RepoPaths.RepoRoot, "deploy", "kubernetes");

    private static string Validator => Path.Combine(Manifests, "validate");

    /// <summary>Skips locally, fails with CI=true, when node or the validator's packages are missing.</summary>
    private static void RequireValidator()
    {
        string? problem = !File.Exists("/usr/bin/node") && !File.Exists("/usr/local/bin/node")
            ? "node is not installed: apt-get install nodejs npm"
            : !Directory.Exists(Path.Combine(Validator, "node_modules", "kubernetes-models"))
                ? $"the validator's packages are missing: npm ci --prefix {Validator}"
                : null;
        if (problem is not null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true and " + problem);
        }
        Skip.If(problem is not null, problem);
    }

    private static (int Code, string Output) Validate(string dir)
    {
        var info = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(Validator, "validate.mjs"));
        info.ArgumentList.Add(dir);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the validator did not finish in 120 s");
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [SkippableFact]
    public void The_manifests_are_valid_kubernetes_objects_whose_probes_and_grace_match_the_drain()
    {
        RequireValidator();
        var (code, output) = Validate(Manifests);
        Assert.True(code == 0, output);
        Assert.Contains("objects valid", output);
    }

    [SkippableFact]
    public void A_grace_shorter_than_the_drain_and_a_mistyped_port_are_reported()
    {
        RequireValidator();
        var copy = RepoPaths.NewTempDir();
        foreach (var file in Directory.GetFiles(Manifests, "*.yaml"))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        var deployment = Path.Combine(copy, "deployment.yaml");
        File.WriteAllText(deployment, File.ReadAllText(deployment)
            .Replace("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 20", StringComparison.Ordinal)
            .Replace("containerPort: 8080", "containerPort: http-port", StringComparison.Ordinal));

        var (code, output) = Validate(copy);

        Assert.Equal(1, code);
        Assert.Contains("terminationGracePeriodSeconds 20 must exceed", output);
        Assert.Contains("containerPort must be integer", output);
    }
}
