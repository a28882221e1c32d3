// The one error raised for a model we cannot use: it names the model file, what was expected and what was found.
namespace StreamDiarize.Onnx;

/// <summary>An ONNX model that is missing, corrupt, shaped unlike any supported family, or lacks required metadata.</summary>
public sealed class OnnxModelException : Exception
{
    public OnnxModelException(string modelPath, string problem, Exception? inner = null)
        : base($"{modelPath}: {problem}", inner)
    {
        ModelPath = modelPath;
        Problem = problem;
    }

    public OnnxModelException() : this("model", "unusable") { }

    public OnnxModelException(string message) : this("model", message) { }

    public OnnxModelException(string message, Exception inner) : this("model", message, inner) { }

    /// <summary>The model file as given by the caller.</summary>
    public string ModelPath { get; }

    public string Problem { get; }
}
