"""apply: the only writer. It takes a Plan and returns a Report (docs/apply.md)."""
