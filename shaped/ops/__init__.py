"""The ops, by family. Each op's forward and VJP sit together; see README.md here."""
