using Analytics.Api.Ingestion;

namespace Analytics.Api.Tests.Ingestion;

public sealed class InsertJournalTests
{
    private string folder = null!;

    [SetUp]
    public void SetUp() => folder = Path.Combine(Path.GetTempPath(), "analytics-journal-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task ABlockWritten_IsReadBackWithItsToken_UntilCleared()
    {
        var journal = new InsertJournal(folder);
        var block = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();

        Assert.That(journal.Read(), Is.Null, "nothing in flight yet");
        await journal.WriteAsync("batch-1", block, CancellationToken.None);
        var read = new InsertJournal(folder).Read(); // as the next process finds it
        Assert.That(read?.Token, Is.EqualTo("batch-1"));
        Assert.That(read?.Block.ToArray(), Is.EqualTo(block));

        await journal.WriteAsync("batch-2", block.AsMemory(0, 10), CancellationToken.None);
        Assert.That(journal.Read()?.Block.Length, Is.EqualTo(10), "the next batch replaces the last");

        journal.Clear();
        Assert.That(journal.Read(), Is.Null);
    }

    [Test]
    public async Task AFileCutShort_WhileItWasWritten_IsNotABlock()
    {
        var journal = new InsertJournal(folder);
        await journal.WriteAsync("batch-1", new byte[1000], CancellationToken.None);
        var file = Directory.GetFiles(folder).Single();
        var bytes = await File.ReadAllBytesAsync(file);

        foreach (var length in new[] { 0, 3, 10, bytes.Length - 1 })
        {
            await File.WriteAllBytesAsync(file, bytes[..length]);
            Assert.That(journal.Read(), Is.Null, $"cut to {length} bytes: its insert never began");
        }

        // A header whose token length is past the end of the file (or past int's range once added to).
        foreach (var tokenLength in new[] { int.MaxValue, bytes.Length })
        {
            var damaged = bytes.ToArray();
            BitConverter.TryWriteBytes(damaged.AsSpan(4, 4), tokenLength);
            await File.WriteAllBytesAsync(file, damaged);
            Assert.That(journal.Read(), Is.Null, $"a token length of {tokenLength}");
        }
    }
}
