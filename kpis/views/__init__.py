"""The KPI pages, one module per page family: KPIs (the board, definitions, the library, a KPI's
history, value entry, import and export), inspections (with the sampling plan and defect photos)
and disputes. Routed in `kpis.urls`."""
