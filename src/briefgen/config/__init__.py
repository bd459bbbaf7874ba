"""Configuration: strict YAML, declared schemas, the project file, audiences and the brand."""
