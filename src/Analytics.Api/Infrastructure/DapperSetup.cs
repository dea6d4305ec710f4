using System.Data;
using Dapper;

namespace Analytics.Api.Infrastructure;

/// <summary>
/// Dapper expands enumerable parameters into one parameter per item; ClickHouse takes arrays as one
/// <c>{name:Array(T)}</c> parameter instead. A type handler per array type turns the expansion off.
/// </summary>
public static class DapperSetup
{
    private static int configured;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref configured, 1) == 1)
        {
            return;
        }

        SqlMapper.AddTypeHandler(new PassThrough<string[]>());
        SqlMapper.AddTypeHandler(new PassThrough<Guid[]>());
        SqlMapper.AddTypeHandler(new PassThrough<long[]>());
        SqlMapper.AddTypeHandler(new PassThrough<ulong[]>());
    }

    private sealed class PassThrough<T> : SqlMapper.TypeHandler<T>
    {
        public override T Parse(object value) => (T)value;

        public override void SetValue(IDbDataParameter parameter, T? value) => parameter.Value = value;
    }
}
