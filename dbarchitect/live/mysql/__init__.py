"""MySQL and MariaDB: the only package that talks to those servers (driver: PyMySQL)."""
