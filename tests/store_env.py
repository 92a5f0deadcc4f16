"""The store settings a test must not inherit from the machine running it."""

# Environment variables a command must not pick up from the machine running the tests.
STORE_ENV = (
    "SHOPIFY_STORE", "SHOPIFY_ACCESS_TOKEN", "SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET",
    "SHOPIFY_API_VERSION", "SHOPIFY_TIMEOUT", "SHOPIFY_MAX_RETRIES", "CI", "GITHUB_ACTIONS",
    "NO_COLOR",
)  # fmt: skip
