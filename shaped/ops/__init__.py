"""The ops, by family. Each op's forward and VJP sit together; see README.md here."""

import shaped.tensor  # noqa: F401  (defines Tensor before any op module imports it)
