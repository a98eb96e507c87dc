"""In-memory fakes of the storage adapters, for unit tests of the services."""
