"""The services the command line calls: each takes the database (and the plugin host where a
provider is involved) and does one job in as few transactions as the job allows."""
