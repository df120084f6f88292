"""Wire-compatible dialects: each speaks one platform's protocol on the shared core."""
