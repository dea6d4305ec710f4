namespace Analytics.Api.Ingestion;

public static class IngestionServices
{
    public static IServiceCollection AddIngestion(this IServiceCollection services) => services.AddSingleton<EventWriter>();
}
