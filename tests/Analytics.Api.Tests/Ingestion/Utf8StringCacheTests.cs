using System.Text;
using Analytics.Api.Ingestion;

namespace Analytics.Api.Tests.Ingestion;

public sealed class Utf8StringCacheTests
{
    [Test]
    public void EqualBytes_GiveOneString()
    {
        var cache = new Utf8StringCache(1024);

        var first = cache.Get("user-42@example.org"u8);
        var second = cache.Get(Encoding.UTF8.GetBytes("user-42@example.org"));

        Assert.That(second, Is.SameAs(first));
        Assert.That(first, Is.EqualTo("user-42@example.org"));
    }

    [Test]
    public void ValuesSharingASlot_EachReadBackAsThemselves()
    {
        // One slot: every value evicts the previous one, and none is ever confused with another.
        var cache = new Utf8StringCache(1);
        var values = Enumerable.Range(0, 100).Select(i => $"v{i % 7}-ü").ToList();

        var read = values.Select(v => cache.Get(Encoding.UTF8.GetBytes(v))).ToList();

        Assert.That(read, Is.EqualTo(values));
    }

    [Test]
    public void LongAndEmptyValues_AreReadButNotKept()
    {
        var cache = new Utf8StringCache(16);
        var longText = new string('x', Utf8StringCache.MaxCachedBytes + 1);

        var first = cache.Get(Encoding.UTF8.GetBytes(longText));
        var second = cache.Get(Encoding.UTF8.GetBytes(longText));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(longText));
            Assert.That(second, Is.Not.SameAs(first));
            Assert.That(cache.Get([]), Is.SameAs(string.Empty));
            Assert.That(() => new Utf8StringCache(3), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
