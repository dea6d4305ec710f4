using System.Globalization;

namespace Analytics.LoadTest.Generation;

/// <summary>
/// Writes the same events as CSV for PostgreSQL's COPY, in <see cref="Columns"/> order. Text that
/// the NDJSON leaves out is an empty string (<c>""</c>), as it is in ClickHouse; a missing product is NULL.
/// </summary>
internal sealed class PostgresCsvWriter(Stream output, string workspace, bool leaveOpen = false) : IDisposable
{
    public const string Columns =
        "workspace_id, event_id, ts, user_id, prompt_id, product_id, product_name, user_email, user_fname, user_lname, user_role, " +
        "account_id, institution_id, instance_name, ai_name, origin, history_id, model, input_tokens, output_tokens, cost, credits, " +
        "status, latency_ms";

    private readonly StreamWriter writer = new(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen);
    private readonly char[] scratch = new char[64];

    public void Write(SyntheticEvent e)
    {
        Text(workspace);
        Text(e.EventId.ToString());
        Span<char> time = scratch;
        e.Timestamp.TryFormat(time, out var n, "yyyy-MM-dd HH:mm:ss.fff'+00'", CultureInfo.InvariantCulture);
        writer.Write(time[..n]);
        writer.Write(',');
        Text(e.User.Id);
        Text(e.PromptId ?? string.Empty);
        if (e.Product is { } product)
        {
            Text(product.Id.ToString());
            Text(product.Name);
        }
        else
        {
            writer.Write(",\"\",");
        }

        Text(e.User.Email);
        Text(e.User.FirstName);
        Text(e.User.LastName);
        Text(e.User.Role);
        Text(e.Institution.AccountId);
        Text(e.Institution.Id);
        Text(e.Institution.InstanceName);
        Text(e.Institution.AiName);
        Text(e.Origin);
        Text(e.HistoryId);
        Text(e.Model);
        Number(e.InputTokens);
        Number(e.OutputTokens);
        Number(e.Cost);
        Number(e.Credits);
        Text(e.Failed ? "error" : "ok");
        e.LatencyMs.TryFormat(scratch, out n, default, CultureInfo.InvariantCulture);
        writer.Write(scratch, 0, n);
        writer.Write('\n');
    }

    public void Dispose() => writer.Dispose();

    // Every generated text is free of quotes and line breaks; quoting keeps empty strings apart from NULL.
    private void Text(string value)
    {
        writer.Write('"');
        writer.Write(value);
        writer.Write("\",");
    }

    private void Number<T>(T value)
        where T : ISpanFormattable
    {
        value.TryFormat(scratch, out var n, default, CultureInfo.InvariantCulture);
        writer.Write(scratch, 0, n);
        writer.Write(',');
    }
}
