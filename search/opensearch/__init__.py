"""The OpenSearch driver: an index behind an alias on a cluster (opensearch-py)."""
