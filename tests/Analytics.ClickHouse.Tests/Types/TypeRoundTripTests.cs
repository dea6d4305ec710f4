using System.Collections;
using Analytics.ClickHouse.ADO;
using Analytics.ClickHouse.Types;
using Dapper;

namespace Analytics.ClickHouse.Tests.Types;

/// <summary>
/// Every supported type makes two round trips through the real engine: in as a server-side
/// parameter and back through RowBinary, and in through a Native bulk insert and back.
/// </summary>
[TestFixture(TestEngines.Embedded)]
[TestFixture(TestEngines.Http)]
[TestFixture(TestEngines.Server)]
public sealed class TypeRoundTripTests(string engine)
{
    /// <summary>One or more sample values per supported type, edge values included.</summary>
    private static readonly (string Type, object?[] Values)[] Samples =
    [
        ("Int8", [(sbyte)-128, (sbyte)127, (sbyte)0]),
        ("Int16", [short.MinValue, short.MaxValue]),
        ("Int32", [int.MinValue, int.MaxValue, 7]),
        ("Int64", [long.MinValue, long.MaxValue]),
        ("Int128", [Int128.MinValue, Int128.MaxValue]),
        ("UInt8", [(byte)0, byte.MaxValue]),
        ("UInt16", [ushort.MaxValue]),
        ("UInt32", [uint.MaxValue]),
        ("UInt64", [ulong.MaxValue, 0UL]),
        ("UInt128", [UInt128.MaxValue]),
        ("Float32", [1.5f, float.MinValue, float.PositiveInfinity]),
        ("Float64", [Math.PI, double.NegativeInfinity, double.NaN, -0.0]),
        ("Bool", [true, false]),
        ("Decimal(9, 2)", [1234567.89m, -0.01m]),
        ("Decimal(18, 6)", [123456789012.345678m]),
        ("Decimal(38, 2)", [12345678901234567890123456.78m, -0.5m]),
        ("String", ["plain", "", "ünïcødé ✓", "quote ' backslash \\ tab \t newline \n nul \0 end"]),
        ("FixedString(8)", ["abc", "12345678"]),
        ("UUID", [Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), Guid.Empty]),
        ("Date", [new DateOnly(1970, 1, 1), new DateOnly(2149, 6, 6), new DateOnly(2024, 2, 29)]),
        ("Date32", [new DateOnly(1900, 1, 1), new DateOnly(2299, 12, 31)]),
        ("DateTime", [new DateTime(2024, 3, 31, 23, 59, 59, DateTimeKind.Utc)]),
        ("DateTime('Asia/Tokyo')", [new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc)]),
        ("DateTime64(3)", [new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc)]),
        ("DateTime64(6, 'UTC')", [new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(1_234_560)]),
        ("DateTime64(9, 'America/New_York')", [new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567)]),
        ("Nullable(Int32)", [5, null]),
        ("Nullable(String)", ["x", null]),
        ("LowCardinality(String)", ["APP", "SLACK"]),
        ("LowCardinality(Nullable(String))", ["a", null]),
        ("Array(String)", [new[] { "a", "b'c", "" }, Array.Empty<string>()]),
        ("Array(Nullable(Int64))", [new long?[] { 1, null, 3 }]),
        ("Array(Array(UInt8))", [new[] { new byte[] { 1, 2 }, [] }]),
        ("Map(String, UInt64)", [new Dictionary<string, ulong> { ["a"] = 1, ["b\\'"] = 2 }]),
        ("Map(String, Nullable(Float64))", [new Dictionary<string, double?> { ["k"] = null, ["m"] = 2.5 }]),
        ("Tuple(String, Int32)", [new object?[] { "t", 42 }]),
        ("Tuple(a Nullable(String), b Array(Date))", [new object?[] { null, new[] { new DateOnly(2020, 1, 1) } }]),
        ("Nothing", []),
    ];

    private ClickHouseConnection? connection;

    private ClickHouseConnection Connection => connection!;

    [OneTimeSetUp]
    public async Task Open() => connection = await TestEngines.OpenDatabaseAsync(engine, nameof(TypeRoundTripTests) + "_" + engine);

    [OneTimeTearDown]
    public async Task Close()
    {
        // Null when the fixture was skipped for want of a server.
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    public static IEnumerable<TestCaseData> Cases() =>
        Samples.Where(s => s.Values.Length > 0).Select(s => new TestCaseData(s.Type, s.Values).SetArgDisplayNames(s.Type));

    [Test]
    public void EverySimpleTypeAndFamily_HasASample()
    {
        var sampled = Samples.Select(s => ClickHouseType.Parse(s.Type).GetType().Name + ":" + ClickHouseType.Parse(s.Type).Name).ToList();
        var families = new[] { "Nullable(", "LowCardinality(", "Array(", "Map(", "Tuple(", "Decimal(", "FixedString(", "DateTime64(", "DateTime(" };

        Assert.Multiple(() =>
        {
            foreach (var name in Analytics.ClickHouse.Types.TypeParser.Simple.Keys)
            {
                Assert.That(Samples.Any(s => s.Type == name), $"the supported type {name} has no round-trip sample");
            }

            foreach (var family in families)
            {
                Assert.That(Samples.Any(s => s.Type.StartsWith(family, StringComparison.Ordinal)), $"the type family {family}...) has no round-trip sample");
            }
        });
        Assert.That(sampled, Is.Not.Empty);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Parameter_RoundTripsThroughTheEngine(string type, object?[] values)
    {
        foreach (var value in values)
        {
            await using var command = Connection.CreateCommand();
            command.CommandText = $"SELECT {{v:{type}}} AS v, toTypeName(v) AS t";
            command.Parameters.AddWithValue("v", value);
            await using var reader = await command.ExecuteReaderAsync();

            Assert.That(await reader.ReadAsync(), Is.True);
            Assert.That(WithoutSpaces(reader.GetString(1)), Is.EqualTo(WithoutSpaces(ClickHouseType.Parse(type).Name)), "the engine echoes the type");
            AssertSame(reader.GetValue(0), value, type);
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task BulkInsert_RoundTripsThroughTheEngine(string type, object?[] values)
    {
        var table = "bulk_" + Math.Abs(type.GetHashCode(StringComparison.Ordinal));
        await Connection.ExecuteAsync($"DROP TABLE IF EXISTS {table}");
        await Connection.ExecuteAsync($"CREATE TABLE {table} (i UInt32, v {type}) ENGINE = MergeTree ORDER BY i");

        var written = await Connection.CreateBulkWriter(table, ["i", "v"])
            .WriteAsync(values.Select((v, i) => new object?[] { (uint)i, v }));

        Assert.That(written, Is.EqualTo((ulong)values.Length));
        await AssertStoredAsync(table, type, values);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task TypedBulkInsert_RoundTripsThroughTheEngine(string type, object?[] values)
    {
        // The values' own .NET type when they share one (the unboxed path), object otherwise (the converting path).
        var kinds = values.Where(v => v is not null).Select(v => v!.GetType()).Distinct().ToList();
        var valueType = kinds.Count == 1 && (!kinds[0].IsValueType || values.All(v => v is not null)) ? kinds[0] : typeof(object);
        var table = "typed_" + Math.Abs(type.GetHashCode(StringComparison.Ordinal));
        await Connection.ExecuteAsync($"DROP TABLE IF EXISTS {table}");
        await Connection.ExecuteAsync($"CREATE TABLE {table} (i UInt32, v {type}) ENGINE = MergeTree ORDER BY i");

        var insert = typeof(TypeRoundTripTests).GetMethod(nameof(InsertTypedAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(valueType);
        var written = await (Task<ulong>)insert.Invoke(this, [table, values])!;

        Assert.That(written, Is.EqualTo((ulong)values.Length));
        await AssertStoredAsync(table, type, values);
    }

    /// <summary>The column <c>v</c> of <paramref name="table"/>, in <c>i</c> order, reads back as <paramref name="values"/>.</summary>
    private async Task AssertStoredAsync(string table, string type, object?[] values)
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = $"SELECT v FROM {table} ORDER BY i";
        await using var reader = await command.ExecuteReaderAsync();
        foreach (var value in values)
        {
            Assert.That(await reader.ReadAsync(), Is.True);
            AssertSame(reader.GetValue(0), value, type);
        }

        Assert.That(await reader.ReadAsync(), Is.False);
    }

    private Task<ulong> InsertTypedAsync<T>(string table, object?[] values)
    {
        var map = new ClickHouseColumnMap<int>().Add("i", i => (uint)i).Add("v", i => (T)values[i]!);
        return Connection.CreateBulkWriter(table, map.Columns).WriteAsync(Enumerable.Range(0, values.Length), map);
    }

    [Test]
    public async Task Uuid_MatchesTheEnginesTextForm()
    {
        var text = await Connection.ExecuteScalarAsync<string>(
            "SELECT toString({u:UUID})",
            new DynamicParameters(new { u = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff") }) { RemoveUnused = false });
        var parsed = await Connection.ExecuteScalarAsync<Guid>("SELECT toUUID('00112233-4455-6677-8899-aabbccddeeff')");

        Assert.That(text, Is.EqualTo("00112233-4455-6677-8899-aabbccddeeff"));
        Assert.That(parsed, Is.EqualTo(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff")));
    }

    [Test]
    public async Task DateTime_ParametersMeanTheSameInstantInAnyTimeZone()
    {
        var instant = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        var text = await Connection.ExecuteScalarAsync<string>(
            "SELECT concat(toString({a:DateTime('UTC')}), ' ', toString({b:DateTime64(3, 'Asia/Kolkata')}))",
            new DynamicParameters(new { a = instant, b = instant }) { RemoveUnused = false });

        Assert.That(text, Is.EqualTo("2024-06-01 12:00:00 2024-06-01 17:30:00.000"));
    }

    [Test]
    public void HugeDecimals_FailLoudlyInsteadOfLosingDigits()
    {
        Assert.That(
            async () => await Connection.ExecuteScalarAsync<decimal>("SELECT toDecimal128('12345678901234567890123456789012345678', 0)"),
            Throws.InstanceOf<OverflowException>().With.Message.Contains("toString()"));
    }

    [Test]
    public async Task DapperArrays_TravelAsOneArrayParameter()
    {
        // Dapper expands enumerables into one parameter per item unless a type handler claims the type.
        SqlMapper.AddTypeHandler(new PassThroughHandler<string[]>());
        var row = await Connection.QuerySingleAsync<(string, long, string[], Guid, DateOnly)>(
            "SELECT {s:String}, {l:Int64}, {a:Array(String)}, {g:UUID}, {d:Date32}",
            new DynamicParameters(new { s = "x", l = 5L, a = new[] { "p", "q" }, g = Guid.Empty, d = new DateOnly(2020, 2, 2) }) { RemoveUnused = false });

        Assert.Multiple(() =>
        {
            Assert.That(row.Item1, Is.EqualTo("x"));
            Assert.That(row.Item2, Is.EqualTo(5L));
            Assert.That(row.Item3, Is.EqualTo(new[] { "p", "q" }));
            Assert.That(row.Item4, Is.EqualTo(Guid.Empty));
            Assert.That(row.Item5, Is.EqualTo(new DateOnly(2020, 2, 2)));
        });
    }

    private sealed class PassThroughHandler<T> : SqlMapper.TypeHandler<T>
    {
        public override T Parse(object value) => (T)value;

        public override void SetValue(System.Data.IDbDataParameter parameter, T? value) => parameter.Value = value;
    }

    private static void AssertSame(object actual, object? expected, string type)
    {
        switch (expected)
        {
            case null:
                Assert.That(actual, Is.EqualTo(DBNull.Value), type);
                break;
            case double d when double.IsNaN(d):
                Assert.That(double.IsNaN((double)actual), type);
                break;
            case IDictionary map:
                Assert.That(actual, Is.EquivalentTo(map), type);
                break;
            case object?[] tuple:
                Assert.That(Flatten(actual), Is.EqualTo(Flatten(tuple)), type);
                break;
            case IEnumerable sequence and not string:
                Assert.That(Flatten(actual), Is.EqualTo(Flatten(sequence)), type);
                break;
            default:
                Assert.That(actual, Is.EqualTo(expected), type);
                break;
        }
    }

    private static string WithoutSpaces(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    private static string Flatten(object? value) => value switch
    {
        null => "null",
        string s => "'" + s + "'",
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Flatten)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };
}
