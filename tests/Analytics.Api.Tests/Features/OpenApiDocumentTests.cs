namespace Analytics.Api.Tests.Features;

/// <summary>The OpenAPI document describes the three query APIs with their real shapes and errors.</summary>
public sealed class OpenApiDocumentTests
{
    private AnalyticsFactory factory = null!;
    private JsonDocument document = null!;

    private JsonElement Paths => document.RootElement.GetProperty("paths");

    private JsonElement Schemas => document.RootElement.GetProperty("components").GetProperty("schemas");

    [OneTimeSetUp]
    public async Task SetUp()
    {
        factory = await AnalyticsFactory.StartFreshAsync("features_openapi");
        using var client = factory.CreateClient();
        document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        document.Dispose();
        await factory.DisposeAsync();
    }

    [TestCase("/v1/analytics/saas/prompt-templates/stats", "post", "PostPromptTemplateStats", new[] { "200", "400", "401", "403", "415", "503" })]
    [TestCase("/api/v1/products/{product_id}/usage/prompts", "get", "GetPromptUsage", new[] { "200", "401", "403", "422", "503" })]
    [TestCase("/api/admin/histories/charts/user-stats", "post", "PostUserStats", new[] { "200", "400", "401", "403", "415", "503" })]
    [TestCase("/v1/analytics/saas/prompt-templates/top", "post", "PostTopPromptTemplates", new[] { "200", "400", "401", "403", "415", "503" })]
    [TestCase("/v1/ingestion/stats", "get", "GetIngestionStats", new[] { "200", "400", "401", "403", "503" })]
    [TestCase("/v1/ingestion/quarantine", "get", "GetQuarantinedLines", new[] { "200", "400", "401", "403", "503" })]
    [TestCase("/v1/auth/whoami", "get", "WhoAmI", new[] { "200", "401" })]
    [TestCase("/v1/admin/workspaces", "get", "ListWorkspaces", new[] { "200", "401", "403" })]
    public void EachApi_IsNamedSummarisedTagged_WithItsAnswers(string path, string method, string operationId, string[] statuses)
    {
        var operation = Paths.GetProperty(path).GetProperty(method);

        Assert.Multiple(() =>
        {
            Assert.That(operation.GetProperty("operationId").GetString(), Is.EqualTo(operationId));
            Assert.That(operation.GetProperty("summary").GetString(), Is.Not.Empty);
            Assert.That(operation.GetProperty("tags").GetArrayLength(), Is.EqualTo(1));
            Assert.That(operation.GetProperty("responses").EnumerateObject().Select(r => r.Name), Is.EquivalentTo(statuses));
        });
    }

    [Test]
    public void PromptStats_DescribesItsBodyAndEnvelope()
    {
        var operation = Paths.GetProperty("/v1/analytics/saas/prompt-templates/stats").GetProperty("post");
        var body = operation.GetProperty("requestBody");
        var data = Resolve(Resolve(Ok(operation, "application/json")).GetProperty("properties").GetProperty("data"));
        var stats = Resolve(Resolve(data.GetProperty("properties").GetProperty("stats")).GetProperty("additionalProperties"));

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("required").GetBoolean(), Is.True);
            Assert.That(PropertyNames(Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema"))), Is.EquivalentTo(new[] { "dateFrom", "dateTo", "prompt_ids" }));
            Assert.That(PropertyNames(Resolve(Ok(operation, "application/json"))), Is.EquivalentTo(new[] { "code", "message", "data" }));
            Assert.That(PropertyNames(stats), Is.EquivalentTo(new[] { "total_calls", "cost_sum", "call_sparkline" }));
            Assert.That(PropertyNames(Error(operation, "400")), Is.EquivalentTo(new[] { "code", "message", "data" }));
            Assert.That(operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()), Does.Contain("X-Workspace-Id"));
        });
    }

    [Test]
    public void TopTemplates_DescribesItsBodyAndRows()
    {
        var operation = Paths.GetProperty("/v1/analytics/saas/prompt-templates/top").GetProperty("post");
        var body = operation.GetProperty("requestBody");
        var data = Resolve(Resolve(Ok(operation, "application/json")).GetProperty("properties").GetProperty("data"));
        var template = Resolve(data.GetProperty("properties").GetProperty("templates").GetProperty("items"));

        Assert.Multiple(() =>
        {
            Assert.That(PropertyNames(Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema"))), Is.EquivalentTo(new[] { "dateFrom", "dateTo", "limit" }));
            Assert.That(PropertyNames(data), Is.EquivalentTo(new[] { "templates", "total_templates" }));
            Assert.That(PropertyNames(template), Is.EquivalentTo(new[] { "prompt_id", "total_calls", "cost_sum" }));
            Assert.That(operation.GetProperty("description").GetString(), Does.Contain("40006"));
        });
    }

    [Test]
    public void PromptUsage_DescribesItsParametersRowsAndFastApiErrors()
    {
        var operation = Paths.GetProperty("/api/v1/products/{product_id}/usage/prompts").GetProperty("get");
        var parameters = operation.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        var row = Resolve(Ok(operation, "application/json").GetProperty("items"));

        Assert.Multiple(() =>
        {
            Assert.That(parameters["product_id"].GetProperty("in").GetString(), Is.EqualTo("path"));
            Assert.That(parameters["product_id"].GetProperty("schema").GetProperty("format").GetString(), Is.EqualTo("uuid"));
            Assert.That(parameters["start_date"].GetProperty("required").GetBoolean(), Is.True);
            Assert.That(parameters["end_date"].GetProperty("schema").GetProperty("format").GetString(), Is.EqualTo("date"));
            Assert.That(parameters["product_ids"].GetProperty("schema").GetProperty("items").GetProperty("format").GetString(), Is.EqualTo("uuid"));
            Assert.That(parameters["origin"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()), Is.EqualTo(new[] { "APP", "SLACK", "API_KEY" }));
            Assert.That(parameters, Does.ContainKey("search"));
            Assert.That(PropertyNames(row), Is.EquivalentTo(new[] { "product_id", "product_name", "user_id", "user_email", "date", "prompt_count" }));
            Assert.That(row.GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(PropertyNames(row)));
            Assert.That(PropertyNames(Error(operation, "422")), Is.EqualTo(new[] { "detail" }));
            Assert.That(PropertyNames(Error(operation, "401")), Is.EqualTo(new[] { "detail" }));
        });
    }

    [Test]
    public void UserStats_DescribesItsBodyJsonAndCsvAnswers()
    {
        var operation = Paths.GetProperty("/api/admin/histories/charts/user-stats").GetProperty("post");
        var response = Resolve(Ok(operation, "application/json"));
        var entry = Resolve(Resolve(response.GetProperty("properties").GetProperty("data")).GetProperty("items"));

        Assert.Multiple(() =>
        {
            var body = operation.GetProperty("requestBody");
            Assert.That(body.TryGetProperty("required", out var required) && required.GetBoolean(), Is.False, "every field is optional, the body too");
            Assert.That(PropertyNames(Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema"))),
                Is.EquivalentTo(new[] { "granularity", "range", "daterange", "account", "institution", "role", "usersearch" }));
            Assert.That(Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema")).TryGetProperty("required", out _), Is.False);
            Assert.That(PropertyNames(response), Is.EquivalentTo(new[]
            {
                "success", "truncated", "granularity", "windowSource", "defaultDaysApplied", "windowStart", "windowEnd", "data", "summary",
            }));
            Assert.That(PropertyNames(entry), Is.EquivalentTo(new[]
            {
                "user", "email", "fname", "lname", "institution", "instanceName", "aiName", "periodStart", "queryCount", "creditsUsed",
                "lifetimeUsed", "capLimit", "capUsedPct", "atCap",
            }));
            Assert.That(Ok(operation, "text/csv").GetProperty("type").GetString(), Is.EqualTo("string"));
            Assert.That(PropertyNames(Error(operation, "403")), Is.EquivalentTo(new[] { "success", "error" }));
        });
    }

    [Test]
    public void Ingestion_DescribesTheEventFieldsAndTheirBounds()
    {
        var operation = Paths.GetProperty("/v1/events").GetProperty("post");
        var content = operation.GetProperty("requestBody").GetProperty("content");
        var item = Resolve(Resolve(content.GetProperty("application/x-ndjson").GetProperty("schema")).GetProperty("items"));

        Assert.Multiple(() =>
        {
            Assert.That(content.TryGetProperty("application/json", out _), Is.True);
            Assert.That(PropertyNames(item), Does.Contain("event_id").And.Contain("timestamp").And.Contain("credits"));
            Assert.That(item.GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(new[] { "event_id", "timestamp", "user_id" }));
            Assert.That(item.GetProperty("properties").GetProperty("event_id").GetProperty("maxLength").GetInt32(), Is.EqualTo(64));
            Assert.That(operation.GetProperty("responses").EnumerateObject().Select(r => r.Name), Is.SupersetOf(new[] { "200", "202", "429", "503" }));
        });
    }

    [Test]
    public void EventBounds_InTheDocument_AreTheOnesIngestionApplies()
    {
        var item = Resolve(Resolve(Paths.GetProperty("/v1/events").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/x-ndjson").GetProperty("schema")).GetProperty("items"));
        var properties = item.GetProperty("properties");

        Assert.Multiple(() =>
        {
            foreach (var amount in new[] { "cost", "credits" })
            {
                // 1e9 itself is refused (InputEdgeTests): the bound is exclusive.
                Assert.That(properties.GetProperty(amount).TryGetProperty("maximum", out _), Is.False, amount);
                Assert.That(properties.GetProperty(amount).GetProperty("exclusiveMaximum").GetDecimal(), Is.EqualTo(1_000_000_000m), amount);
                Assert.That(properties.GetProperty(amount).GetProperty("minimum").GetDecimal(), Is.Zero, amount);
            }

            Assert.That(Enum(properties.GetProperty("user_role")), Is.EqualTo(new[] { "user", "admin", "super" }));
            Assert.That(Enum(properties.GetProperty("origin")), Is.EqualTo(new[] { "APP", "SLACK", "API_KEY" }));
            Assert.That(Enum(properties.GetProperty("status")), Is.EqualTo(new[] { "ok", "error" }));
            Assert.That(properties.GetProperty("timestamp").GetProperty("description").GetString(), Does.Contain("1970-01-01T00:00:00.000Z").And.Contain("2149-06-06T23:59:59.999Z"));
        });
    }

    [Test]
    public void CapBounds_InTheDocument_AreTheOnesTheCapEndpointApplies()
    {
        var body = Paths.GetProperty("/v1/users/{user_id}/cap").GetProperty("put").GetProperty("requestBody").GetProperty("content").GetProperty("application/json");
        var cap = Resolve(body.GetProperty("schema")).GetProperty("properties").GetProperty("cap_limit");

        Assert.Multiple(() =>
        {
            Assert.That(cap.GetProperty("exclusiveMaximum").GetDecimal(), Is.EqualTo(1_000_000_000_000m));
            Assert.That(cap.GetProperty("minimum").GetDecimal(), Is.Zero);
            Assert.That(cap.GetProperty("description").GetString(), Does.Contain("at most 6 decimals"));
        });
    }

    private static IEnumerable<string?> Enum(JsonElement schema) => schema.GetProperty("enum").EnumerateArray().Select(v => v.GetString());

    private static JsonElement Ok(JsonElement operation, string mediaType) =>
        operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty(mediaType).GetProperty("schema");

    private JsonElement Error(JsonElement operation, string status) =>
        Resolve(operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema"));

    /// <summary>Follows a <c>$ref</c> into the components (nullable references come as oneOf/anyOf with null).</summary>
    private JsonElement Resolve(JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Resolve(Schemas.GetProperty(reference.GetString()!.Split('/')[^1]));
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(combinator, out var options))
            {
                return Resolve(options.EnumerateArray().First(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null")));
            }
        }

        return schema;
    }

    private static IEnumerable<string> PropertyNames(JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name);
}
