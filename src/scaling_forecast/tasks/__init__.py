"""What users ask: fit and forecast, capability, compare, backtest and check; each returns a result."""
