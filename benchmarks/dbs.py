"""The benchmarks' PostgreSQL databases: dropped and made again for a run, kept with ``--keep``. Only a database
whose name contains "bench" is ever dropped."""

from urllib.parse import urlsplit


def _admin(db_url: str) -> tuple[str, str]:
    parts = urlsplit(db_url)
    return parts.path.lstrip("/"), parts._replace(path="/postgres").geturl()


def drop_database(db_url: str) -> None:
    import psycopg
    from psycopg import sql

    name, admin_url = _admin(db_url)
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def recreate_database(db_url: str) -> None:
    import psycopg
    from psycopg import sql

    drop_database(db_url)
    name, admin_url = _admin(db_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_exists(db_url: str) -> bool:
    import psycopg

    name, admin_url = _admin(db_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
