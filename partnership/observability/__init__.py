"""What an operator reads: JSON logs with a request id (`logs`, `middleware`), Prometheus
metrics (`metrics`) and the Celery hooks that carry both into the workers (`worker`). The
health and readiness answers are `partnership.health`."""
