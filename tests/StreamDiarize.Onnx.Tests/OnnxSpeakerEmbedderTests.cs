// The embedder on small models built in the test: known outputs, layouts, metadata, and the errors a bad model gets.
using StreamDiarize.Core.Options;

namespace StreamDiarize.Onnx.Tests;

public sealed class OnnxSpeakerEmbedderTests : IDisposable
{
    private readonly ModelFixture _models = new();

    public void Dispose() => _models.Dispose();

    [Fact]
    public void A_WeSpeaker_shaped_model_gives_the_embedding_computed_by_hand_from_the_fbank()
    {
        var path = _models.Write("wespeaker.onnx", TestModels.SquareMeanEmbedder());
        using var embedder = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        var window = ModelFixture.Window(24000, 1);

        var embedding = embedder.Embed(window);

        Assert.Equal(16, embedder.Dimension);
        Assert.Equal(FeatureLayout.FramesByBins, embedder.Layout);
        Assert.Equal(FeatureNormalization.Mean, embedder.Normalization);
        Assert.Equal("wespeaker", embedder.Framework);
        ModelFixture.AssertClose(ModelFixture.ExpectedSquareMean(window, false, "mean"), embedding);
    }

    [Fact]
    public void A_NeMo_shaped_model_gets_bins_by_frames_a_length_input_and_its_embs_output()
    {
        var meta = new Dictionary<string, string> { ["framework"] = "nemo", ["sample_rate"] = "16000", ["feature_normalize_type"] = "per_feature" };
        var path = _models.Write("nemo.onnx", TestModels.SquareMeanEmbedder(binsByFrames: true, metadata: meta));
        using var embedder = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        var window = ModelFixture.Window(16000, 2);

        var embedding = embedder.Embed(window);

        Assert.Equal(FeatureLayout.BinsByFrames, embedder.Layout);
        Assert.Equal("length", embedder.LengthInputName);
        Assert.Equal("embs", embedder.OutputName);
        Assert.Equal(FeatureNormalization.MeanVariance, embedder.Normalization);
        Assert.True(embedder.NormalizeSamples, "NeMo models take samples in [-1, 1]");
        ModelFixture.AssertClose(ModelFixture.ExpectedSquareMean(window, true, "mean-var"), embedding);
    }

    [Fact]
    public void A_3D_Speaker_input_named_x_is_found_by_its_shape()
    {
        var meta = new Dictionary<string, string> { ["framework"] = "3d-speaker", ["sample_rate"] = "16000", ["feature_normalize_type"] = "global-mean" };
        var path = _models.Write("campp.onnx", TestModels.SquareMeanEmbedder(inputName: "x", metadata: meta));
        using var embedder = new OnnxSpeakerEmbedder(path, registry: _models.Registry);

        Assert.Equal("x", embedder.InputName);
        Assert.Equal(FeatureNormalization.Mean, embedder.Normalization);
        var window = ModelFixture.Window(8000, 3);
        ModelFixture.AssertClose(ModelFixture.ExpectedSquareMean(window, false, "mean"), embedder.Embed(window));
    }

    [Fact]
    public void Metadata_is_read_and_explicit_options_override_it()
    {
        var meta = TestModels.WeSpeakerMetadata(16);
        meta["normalize_samples"] = "1";
        meta["feature_normalize_type"] = "none";
        var path = _models.Write("meta.onnx", TestModels.SquareMeanEmbedder(metadata: meta));
        var window = ModelFixture.Window(16000, 4);

        using (var fromMetadata = new OnnxSpeakerEmbedder(path, registry: _models.Registry))
        {
            Assert.True(fromMetadata.NormalizeSamples);
            Assert.Equal(FeatureNormalization.None, fromMetadata.Normalization);
            Assert.Equal("English", fromMetadata.Metadata["language"]);
            ModelFixture.AssertClose(ModelFixture.ExpectedSquareMean(window, true, "none"), fromMetadata.Embed(window));
        }

        var options = new OnnxEmbedderOptions { NormalizeSamples = false, FeatureNormalization = FeatureNormalization.Mean, Framework = "3d-speaker" };
        using var overridden = new OnnxSpeakerEmbedder(path, options, _models.Registry);
        Assert.False(overridden.NormalizeSamples);
        Assert.Equal(FeatureNormalization.Mean, overridden.Normalization);
        Assert.Equal("3d-speaker", overridden.Framework);
        ModelFixture.AssertClose(ModelFixture.ExpectedSquareMean(window, false, "mean"), overridden.Embed(window));
    }

    [Fact]
    public void A_model_without_sample_rate_metadata_fails_naming_the_key_unless_the_option_gives_it()
    {
        var meta = TestModels.WeSpeakerMetadata(16);
        meta.Remove("sample_rate");
        var path = _models.Write("no-rate.onnx", TestModels.SquareMeanEmbedder(metadata: meta));

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'sample_rate' is missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OnnxEmbedderOptions.SampleRateHz", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _models.Registry.OpenSessions);

        using var embedder = new OnnxSpeakerEmbedder(path, new OnnxEmbedderOptions { SampleRateHz = 16000 }, _models.Registry);
        Assert.Equal(16000, embedder.SampleRateHz);
    }

    [Fact]
    public void An_8_kHz_model_is_refused_with_the_reason()
    {
        var meta = TestModels.WeSpeakerMetadata(16);
        meta["sample_rate"] = "8000";
        var path = _models.Write("8k.onnx", TestModels.SquareMeanEmbedder(metadata: meta));

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains("sample_rate is 8000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_40_mel_bins_fails_naming_the_expected_and_found_shapes()
    {
        var path = _models.Write("fbank40.onnx", TestModels.SquareMeanEmbedder(bins: 40));

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("[B, T, 80]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found 'feats' [B, T, 40] float", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_a_rank_2_input_fails_naming_the_shapes()
    {
        var path = _models.Write("rank2.onnx", TestModels.RankTwoInput());

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains("[B, T, 80]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found 'x' [B, 80] float", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_a_rank_3_output_fails_naming_the_shapes()
    {
        var path = _models.Write("framewise.onnx", TestModels.FrameWiseOutput());

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains("expected a float output [B, D]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found 'embs' [B, T, 80] float", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_dim_metadata_that_contradicts_the_output_shape_is_an_error()
    {
        var meta = TestModels.WeSpeakerMetadata(16);
        meta["output_dim"] = "256";
        var path = _models.Write("dim.onnx", TestModels.SquareMeanEmbedder(metadata: meta));

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains("metadata output_dim says 256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_model_file_fails_naming_the_file()
    {
        var bytes = TestModels.SquareMeanEmbedder();
        var path = _models.Write("truncated.onnx", bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid ONNX model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_fails_naming_the_file()
    {
        var path = Path.Combine(_models.Dir, "absent.onnx");
        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, registry: _models.Registry));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_of_windows_equals_the_windows_one_by_one_and_runs_once_per_length()
    {
        var path = _models.Write("batch.onnx", TestModels.SquareMeanEmbedder());
        using var embedder = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        int[] lengths = [16000, 24000, 16000, 16000, 24000];
        var windows = lengths.Select((n, i) => ModelFixture.Window(n, 10 + i)).ToArray();
        var singles = windows.Select(w => embedder.Embed(w)).ToArray();
        long runsBefore = embedder.RunCount;

        var batch = new float[windows.Length * embedder.Dimension];
        embedder.EmbedBatch(windows.Select(w => (ReadOnlyMemory<float>)w).ToList(), batch);

        Assert.Equal(2, embedder.RunCount - runsBefore);
        for (int i = 0; i < windows.Length; i++)
        {
            ModelFixture.AssertClose(singles[i], batch.AsSpan(i * 16, 16), 1e-5);
        }
    }

    [Fact]
    public void A_window_shorter_than_one_frame_is_rejected_with_its_length()
    {
        var path = _models.Write("short.onnx", TestModels.SquareMeanEmbedder());
        using var embedder = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        var ex = Assert.Throws<ArgumentException>(() => embedder.Embed(new float[399]));
        Assert.Contains("399 samples", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedders_on_one_model_share_one_session_until_the_last_is_disposed()
    {
        var path = _models.Write("shared.onnx", TestModels.SquareMeanEmbedder());
        var a = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        var b = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        Assert.Equal(1, _models.Registry.OpenSessions);

        a.Dispose();
        Assert.Equal(1, _models.Registry.OpenSessions);
        Assert.Equal(16, b.Embed(ModelFixture.Window(8000, 1)).Length);
        b.Dispose();
        Assert.Equal(0, _models.Registry.OpenSessions);
    }

    [Fact]
    public void One_model_opened_with_other_thread_settings_is_an_error_not_a_second_copy()
    {
        var path = _models.Write("threads.onnx", TestModels.SquareMeanEmbedder());
        using var a = new OnnxSpeakerEmbedder(path, registry: _models.Registry);
        var ex = Assert.Throws<OnnxModelException>(() => new OnnxSpeakerEmbedder(path, new OnnxEmbedderOptions { IntraOpThreads = 2 }, _models.Registry));
        Assert.Contains("already open with 1 intra-op", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_embedder_options_report_every_error_at_once()
    {
        var options = new OnnxEmbedderOptions { IntraOpThreads = -1, SampleRateHz = 8000, OutputDim = 0 };
        var ex = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Equal(3, ex.Errors.Count);
    }
}
