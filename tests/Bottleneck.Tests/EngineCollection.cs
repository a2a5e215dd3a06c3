namespace Bottleneck.Tests;

/// <summary>
/// Tests that change process-wide kernel settings (the forced GEMM path, Engine.Threads). They run
/// alone: another test running beside them would compute with another kernel, and tests that
/// compare results bit for bit (thread safety, save → load) would see a difference that is not theirs.
/// </summary>
[CollectionDefinition("Engine", DisableParallelization = true)]
public sealed class EngineCollection;
