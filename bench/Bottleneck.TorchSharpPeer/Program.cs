// The tutorial autoencoder (784-400-20-400-784, ReLU, sigmoid output, BCE summed, Adam 1e-3,
// batch 128, reshuffled every epoch) trained in TorchSharp with the data preloaded as tensors, as
// the PyTorch peer ../shared/peers/torch_seed000_fast.py does; it prints the same lines.
// Usage: torchsharp-peer MNIST_DIR [threads] [epochs]
using System.Diagnostics;
using System.Globalization;
using Bottleneck.Data;
using Bottleneck.Torch.Tests;
using static TorchSharp.torch;

if (args.Length is < 1 or > 3 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: torchsharp-peer MNIST_DIR [threads] [epochs]");
    return 2;
}
int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
int epochs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;

LibTorchSharpOnOlderLinux.Prepare();
set_num_threads(threads);
manual_seed(42);
var (trainSet, testSet) = Mnist.Load(args[0]);
using var train = tensor(trainSet.Features, [trainSet.Count, 784]);
using var test = tensor(testSet.Features, [testSet.Count, 784]);
var model = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 20),
    nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784), nn.Sigmoid());
var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
var clock = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    double total = 0;
    using (var permutation = randperm(train.shape[0]))
    {
        for (long i = 0; i < train.shape[0]; i += 128)
        {
            using var scope = NewDisposeScope();
            var x = train.index_select(0, permutation.narrow(0, i, Math.Min(128, train.shape[0] - i)));
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy(model.forward(x), x, reduction: nn.Reduction.Sum);
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
        }
    }
    double testLoss = 0;
    using (no_grad())
    {
        for (long i = 0; i < test.shape[0]; i += 1000)
        {
            using var scope = NewDisposeScope();
            var x = test.narrow(0, i, 1000);
            testLoss += nn.functional.binary_cross_entropy(model.forward(x), x, reduction: nn.Reduction.Sum).item<float>();
        }
    }
    Console.WriteLine(FormattableString.Invariant($"epoch {epoch} train {total / train.shape[0]:F4} test {testLoss / test.shape[0]:F4} elapsed {clock.Elapsed.TotalSeconds:F2}s"));
}
Console.WriteLine(FormattableString.Invariant($"total {clock.Elapsed.TotalSeconds:F2}s"));
return 0;
