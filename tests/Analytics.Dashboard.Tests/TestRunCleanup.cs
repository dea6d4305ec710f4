namespace Analytics.Dashboard.Tests;

/// <summary>Removes the run's data folder once every fixture is done.</summary>
[SetUpFixture]
public sealed class TestRunCleanup
{
    [OneTimeTearDown]
    public void DeleteData()
    {
        try
        {
            Directory.Delete(DashboardHost.DataPath, recursive: true);
        }
        catch (IOException)
        {
            // The engine may still hold files until the process exits; the folder is in the temp directory.
        }
    }
}
