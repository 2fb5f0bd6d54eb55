"""Full-text search over pages and attachments: Korean first, permission-aware, a view of the repository."""

NAME = "search"
