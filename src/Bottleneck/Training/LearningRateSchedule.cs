namespace Bottleneck.Training;

/// <summary>The learning rate of each step under a <see cref="LrScheduleKind"/>.</summary>
public static class LearningRateSchedule
{
    /// <summary>The rate for step <paramref name="step"/> (from 0) of <paramref name="steps"/>.</summary>
    public static double Rate(LrScheduleKind schedule, double learningRate, long step, long steps) => schedule switch
    {
        LrScheduleKind.Constant => learningRate,
        // lr·(1 + cos(π·step/steps))/2, kept a hair above zero (Adam refuses a rate of 0).
        LrScheduleKind.Cosine => Math.Max(learningRate * 0.5 * (1 + Math.Cos(Math.PI * step / steps)), learningRate * 1e-6),
        _ => throw NamedEnum.Undefined(schedule),
    };
}
