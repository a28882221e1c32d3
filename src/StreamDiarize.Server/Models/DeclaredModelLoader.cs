// Opens every declared embedder (and checks every declared vad model) when the daemon starts, so a missing or broken model stops the start with its name
// and problem instead of failing the first session that chooses it.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Onnx;

namespace StreamDiarize.Server.Models;

internal sealed class DeclaredModelLoader(ModelCatalog catalog, ISessionComponentsFactory factory, ILogger<DeclaredModelLoader> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (factory is not OnnxSessionFactory onnx)
        {
            return Task.CompletedTask; // A factory of its own (tests) opens what it opens.
        }
        foreach (var (name, path) in catalog.EmbedderPaths)
        {
            Check(name, () =>
            {
                var model = onnx.Model(path);
                logger.LogInformation("Model {Name} ready: {Path}, {Dims}-dim embeddings", name, path, model.Dimension);
            });
        }
        foreach (var (name, path) in catalog.VadPaths)
        {
            // Each session opens its own state on the model; this open only proves the file is a usable VAD.
            Check(name, () =>
            {
                onnx.CheckSpeechDetector(path);
                logger.LogInformation("Model {Name} ready: {Path}, speech detector", name, path);
            });
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void Check(string name, Action open)
    {
        try
        {
            open();
        }
        catch (OnnxModelException ex)
        {
            throw new Core.Options.OptionsValidationException([$"Server:Models:{name}: {ex.Message}"]);
        }
    }
}
