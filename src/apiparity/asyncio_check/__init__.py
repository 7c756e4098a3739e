"""Event-loop blocking: a static scan of async FastAPI handlers (`static_scan`), the catalog of
known blocking calls it matches (`blocking_calls`), and a runtime watchdog that catches the loop
being blocked while requests run (`watchdog`). Import the submodules; this package stays light."""
