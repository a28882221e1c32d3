// Opens every declared embedder when the daemon starts, so a missing or broken model stops the start with its name
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
            try
            {
                var model = onnx.Model(path);
                logger.LogInformation("Model {Name} ready: {Path}, {Dims}-dim embeddings", name, path, model.Dimension);
            }
            catch (OnnxModelException ex)
            {
                throw new Core.Options.OptionsValidationException([$"Server:Models:{name}: {ex.Message}"]);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
