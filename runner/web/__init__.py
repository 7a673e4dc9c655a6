"""What a person or a monitoring system looks at over HTTP besides the API: ``/metrics``
(runner/web/metrics.py) and the dashboard (docs/design.md, "Layout")."""
