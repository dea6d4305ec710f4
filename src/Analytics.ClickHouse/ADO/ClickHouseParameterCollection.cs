using System.Collections;
using System.Data.Common;

namespace Analytics.ClickHouse.ADO;

/// <summary>The parameters of a <see cref="ClickHouseCommand"/>.</summary>
public sealed class ClickHouseParameterCollection : DbParameterCollection
{
    private readonly List<ClickHouseParameter> items = [];

    /// <inheritdoc />
    public override int Count => items.Count;

    /// <inheritdoc />
    public override object SyncRoot => ((ICollection)items).SyncRoot;

    /// <summary>Adds a parameter with a name and value and returns it.</summary>
    public ClickHouseParameter AddWithValue(string name, object? value, string? clickHouseType = null)
    {
        var parameter = new ClickHouseParameter(name, value) { ClickHouseType = clickHouseType };
        items.Add(parameter);
        return parameter;
    }

    /// <inheritdoc />
    public override int Add(object value)
    {
        items.Add(Cast(value));
        return items.Count - 1;
    }

    /// <inheritdoc />
    public override void AddRange(Array values)
    {
        foreach (var value in values)
        {
            Add(value!);
        }
    }

    /// <inheritdoc />
    public override void Clear() => items.Clear();

    /// <inheritdoc />
    public override bool Contains(object value) => value is ClickHouseParameter p && items.Contains(p);

    /// <inheritdoc />
    public override bool Contains(string value) => IndexOf(value) >= 0;

    /// <inheritdoc />
    public override void CopyTo(Array array, int index) => ((ICollection)items).CopyTo(array, index);

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => items.GetEnumerator();

    /// <inheritdoc />
    public override int IndexOf(object value) => value is ClickHouseParameter p ? items.IndexOf(p) : -1;

    /// <inheritdoc />
    public override int IndexOf(string parameterName)
    {
        var name = parameterName.TrimStart('@', ':', '$', '?');
        return items.FindIndex(p => string.Equals(p.ParameterName, name, StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public override void Insert(int index, object value) => items.Insert(index, Cast(value));

    /// <inheritdoc />
    public override void Remove(object value) => items.Remove(Cast(value));

    /// <inheritdoc />
    public override void RemoveAt(int index) => items.RemoveAt(index);

    /// <inheritdoc />
    public override void RemoveAt(string parameterName) => items.RemoveAt(IndexOf(parameterName));

    /// <inheritdoc />
    protected override DbParameter GetParameter(int index) => items[index];

    /// <inheritdoc />
    protected override DbParameter GetParameter(string parameterName) =>
        IndexOf(parameterName) is var i and >= 0 ? items[i] : throw new IndexOutOfRangeException($"No parameter named '{parameterName}'.");

    /// <inheritdoc />
    protected override void SetParameter(int index, DbParameter value) => items[index] = Cast(value);

    /// <inheritdoc />
    protected override void SetParameter(string parameterName, DbParameter value) => items[IndexOf(parameterName)] = Cast(value);

    private static ClickHouseParameter Cast(object value) =>
        value as ClickHouseParameter ?? throw new InvalidCastException($"Only {nameof(ClickHouseParameter)} objects can be added, not {value?.GetType().Name}.");
}
