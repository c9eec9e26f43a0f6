"""L1 read: the project as files (config, posts, ledger, git); never renders."""
